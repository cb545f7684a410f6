/**
 * A small JSON Schema checker for captures/capture.schema.json, so that
 * eas-replay can say where a capture file is wrong ("$.exchanges[3].response:
 * missing status") without a validator dependency. It knows the keywords
 * that schema uses and nothing more: type, const, enum, required,
 * properties, additionalProperties, items, pattern, minLength, maxLength,
 * minimum, maximum and local $ref ("#/$defs/NAME"). Any other keyword is an
 * error, so the schema cannot drift past what is checked.
 */

/** A schema node of the supported subset. */
export interface SchemaNode {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly items?: SchemaNode;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly [annotation: string]: unknown;
}

/** Keywords that only describe (no effect on validity). */
const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$defs', 'format', 'default', 'examples', '$comment']);
const CHECKED = new Set(['$ref', 'type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum']);

const MAX_ERRORS = 20;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(actual: string, wanted: string): boolean {
  return actual === wanted || (wanted === 'number' && actual === 'integer');
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/**
 * Every place where `value` breaks `schema`, as "PATH: problem" lines (at most
 * 20). An empty list means valid. Throws when the schema uses a keyword
 * outside the subset (a bug in the schema, not in the file).
 */
export function checkSchema(schema: SchemaNode, value: unknown): string[] {
  const root = schema;
  const errors: string[] = [];
  const visit = (node: SchemaNode, v: unknown, path: string): void => {
    if (errors.length >= MAX_ERRORS) return;
    for (const k of Object.keys(node)) {
      if (!CHECKED.has(k) && !ANNOTATIONS.has(k)) throw new Error(`schema keyword ${k} at ${path} is not supported by schema-check.ts`);
    }
    if (node.$ref !== undefined) {
      const m = /^#\/\$defs\/([^/]+)$/.exec(node.$ref);
      const defs = root.$defs as Record<string, SchemaNode> | undefined;
      const target = m ? defs?.[m[1]!] : undefined;
      if (!target) throw new Error(`schema $ref ${node.$ref} does not resolve`);
      visit(target, v, path);
    }
    const t = typeOf(v);
    if (node.type !== undefined) {
      const wanted = typeof node.type === 'string' ? [node.type] : node.type;
      if (!wanted.some((w) => typeMatches(t, w))) {
        errors.push(`${path}: expected ${wanted.join(' or ')}, found ${t}`);
        return;
      }
    }
    if ('const' in node && JSON.stringify(v) !== JSON.stringify(node.const)) errors.push(`${path}: must be ${show(node.const)}, found ${show(v)}`);
    if (node.enum && !node.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
      errors.push(`${path}: must be one of ${node.enum.map(show).join(', ')}, found ${show(v)}`);
    }
    if (typeof v === 'string') {
      if (node.minLength !== undefined && v.length < node.minLength) errors.push(`${path}: shorter than ${node.minLength}`);
      if (node.maxLength !== undefined && v.length > node.maxLength) errors.push(`${path}: longer than ${node.maxLength}`);
      if (node.pattern !== undefined && !new RegExp(node.pattern, 'u').test(v)) errors.push(`${path}: ${show(v)} does not match ${node.pattern}`);
    }
    if (typeof v === 'number') {
      if (node.minimum !== undefined && v < node.minimum) errors.push(`${path}: below ${node.minimum}`);
      if (node.maximum !== undefined && v > node.maximum) errors.push(`${path}: above ${node.maximum}`);
    }
    if (t === 'array' && node.items) (v as unknown[]).forEach((item, i) => visit(node.items!, item, `${path}[${i}]`));
    if (t === 'object') {
      const obj = v as Record<string, unknown>;
      for (const r of node.required ?? []) if (!(r in obj)) errors.push(`${path}: missing ${r}`);
      for (const [k, child] of Object.entries(obj)) {
        const prop = node.properties?.[k];
        const at = /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
        if (prop) visit(prop, child, at);
        else if (node.additionalProperties === false) errors.push(`${at}: not allowed here`);
        else if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, child, at);
      }
    }
  };
  visit(schema, value, '$');
  return errors;
}
