/**
 * Reading a capture file for replay: JSON, then the schema
 * (captures/capture.schema.json), then the few rules a schema cannot say.
 * Anything wrong is one CaptureInputError naming the file and the place,
 * never a crash half-way through a replay (eas-replay exits 2 on it).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CAPTURE_FORMAT, type CaptureFile } from '../format.ts';
import { checkSchema, type SchemaNode } from './schema-check.ts';

/** Why an input file cannot be used; `file` is the path as given. */
export class CaptureInputError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'CaptureInputError';
  }
}

/** Where the schema lives: captures/ at the repository root. */
export const CAPTURE_SCHEMA_PATH = fileURLToPath(new URL('../../../captures/capture.schema.json', import.meta.url));

let schema: SchemaNode | undefined;

/** The capture JSON Schema (read once). */
export function captureSchema(): SchemaNode {
  schema ??= JSON.parse(readFileSync(CAPTURE_SCHEMA_PATH, 'utf8')) as SchemaNode;
  return schema;
}

/** Problems of an already parsed value as a capture file; empty when it is one. */
export function captureProblems(value: unknown): string[] {
  const errors = checkSchema(captureSchema(), value);
  if (errors.length > 0) return errors;
  const file = value as CaptureFile;
  file.exchanges.forEach((x, i) => {
    // A request body must say something replay can send.
    const b = x.request;
    if (b && b.xml === undefined && b.wbxml === undefined && b.size === undefined && b.text === undefined) {
      errors.push(`$.exchanges[${i}].request: a body needs xml, wbxml, text or size`);
    }
  });
  return errors;
}

/** Parses capture JSON text; `name` is for messages. */
export function parseCapture(text: string, name: string): CaptureFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const hint = text.trim() === '' ? 'the file is empty' : (e as Error).message;
    throw new CaptureInputError(name, `not JSON (${hint}); a truncated recording ends early, see captures/README.md`);
  }
  if (typeof value === 'object' && value !== null && 'format' in value && (value as { format: unknown }).format !== CAPTURE_FORMAT) {
    throw new CaptureInputError(name, `format ${JSON.stringify((value as { format: unknown }).format)} is not ${CAPTURE_FORMAT}`);
  }
  const problems = captureProblems(value);
  if (problems.length > 0) throw new CaptureInputError(name, `not a capture file:\n  ${problems.join('\n  ')}`);
  return value as CaptureFile;
}

/** Reads and checks one capture file. */
export function loadCapture(path: string): CaptureFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CaptureInputError(path, `cannot read: ${(e as Error).message}`);
  }
  return parseCapture(text, path);
}
