/**
 * The element tree every EAS request and response passes through.
 *
 * EAS WBXML uses no attributes, so an element is a code page namespace, a tag
 * name and at most one kind of content: text (STR_I), opaque bytes (OPAQUE) or
 * child elements. The namespace is the MS-ASWBXML code page name ("AirSync",
 * "Email", "AirSyncBase", ...), which is also the XML namespace that MS-ASCMD
 * shows in its examples.
 *
 * `children: []` and an absent `children` differ on the wire: the first is a
 * tag with the content bit set followed directly by END, the second is a tag
 * without content. Decoders keep the difference so that fixtures round-trip
 * byte-exact; builders produce the short form for empty elements.
 *
 * `encoded` holds an element already written as WBXML by `encodeElement`
 * (encoder.ts): the encoder splices its bytes in unchanged. Responses use it
 * for parts built elsewhere, e.g. Sync Add ApplicationData built in a worker
 * thread. Decoders never produce it.
 */
export interface WbxmlElement {
  readonly ns: string;
  readonly name: string;
  /** Character content. Mixed text and children do not occur in EAS. */
  text?: string;
  /** OPAQUE content (MS-ASWBXML 2.1.2.1.3): ConversationId, TimeZone in some encoders, MIME data. */
  opaque?: Uint8Array;
  children?: WbxmlElement[];
  /** The whole element as WBXML; `ns` and `name` repeat its root tag, and no other content is set. */
  encoded?: EncodedElement;
}

/**
 * One element written as WBXML without the document header. Its bytes
 * assume code page 0 at the start and leave the stream on `endPage`; they
 * are valid only for `version` (tokens differ between protocol versions).
 */
export interface EncodedElement {
  readonly bytes: Uint8Array;
  readonly endPage: number;
  readonly version: string;
}

/** A value a builder accepts as content; `undefined`/`null` children are dropped so optional fields read naturally. */
export type Content = string | number | boolean | Uint8Array | ReadonlyArray<WbxmlElement | null | undefined | false> | undefined;

/**
 * Builds one element. Numbers are written in decimal, booleans as 1/0 (the EAS
 * boolean form, MS-ASDTYPE 2.1), arrays become children.
 */
export function el(ns: string, name: string, content?: Content): WbxmlElement {
  if (content === undefined) return { ns, name };
  if (typeof content === 'string') return { ns, name, text: content };
  if (typeof content === 'number') return { ns, name, text: String(content) };
  if (typeof content === 'boolean') return { ns, name, text: content ? '1' : '0' };
  if (content instanceof Uint8Array) return { ns, name, opaque: content };
  const children = content.filter((c): c is WbxmlElement => !!c);
  return children.length ? { ns, name, children } : { ns, name };
}

/**
 * A builder bound to one namespace, so that responses read like their XML:
 * `const as = ns('AirSync'); as('Sync', [as('Status', 1)])`.
 */
export function ns(namespace: string): (name: string, content?: Content) => WbxmlElement {
  return (name, content) => el(namespace, name, content);
}

/** Returns an element only when `value` is present; for optional response fields. */
export function opt(namespace: string, name: string, value: Content | null): WbxmlElement | undefined {
  return value === undefined || value === null ? undefined : el(namespace, name, value);
}

/** First child with this name (and namespace, when given). */
export function child(e: WbxmlElement, name: string, namespace?: string): WbxmlElement | undefined {
  return e.children?.find((c) => c.name === name && (namespace === undefined || c.ns === namespace));
}

/** All children with this name (and namespace, when given), in document order. */
export function childrenNamed(e: WbxmlElement, name: string, namespace?: string): WbxmlElement[] {
  return e.children?.filter((c) => c.name === name && (namespace === undefined || c.ns === namespace)) ?? [];
}

/** Text of an element; opaque content is read as UTF-8 because some clients send strings as OPAQUE. */
export function textOf(e: WbxmlElement | undefined): string | undefined {
  if (!e) return undefined;
  if (e.text !== undefined) return e.text;
  if (e.opaque) return new TextDecoder().decode(e.opaque);
  if (!e.children || e.children.length === 0) return '';
  return undefined;
}

/** Text of the named child, or undefined when the child is absent. */
export function childText(e: WbxmlElement, name: string, namespace?: string): string | undefined {
  return textOf(child(e, name, namespace));
}

/** Integer value of the named child; undefined when absent, NaN when not a decimal integer. */
export function childNumber(e: WbxmlElement, name: string, namespace?: string): number | undefined {
  const t = childText(e, name, namespace);
  if (t === undefined) return undefined;
  return /^\s*-?\d+\s*$/.test(t) ? Number.parseInt(t, 10) : Number.NaN;
}

/**
 * Boolean value of the named child: "1"/"0" per MS-ASDTYPE 2.1, and an empty
 * element counts as true (clients send `<DeletesAsMoves/>`).
 */
export function childBool(e: WbxmlElement, name: string, namespace?: string): boolean | undefined {
  const c = child(e, name, namespace);
  if (!c) return undefined;
  const t = textOf(c);
  if (t === undefined || t === '') return true;
  return t.trim() !== '0';
}

/** Whether the named child exists at all (flags like `<Partial/>` or `<GetChanges/>`). */
export function hasChild(e: WbxmlElement, name: string, namespace?: string): boolean {
  return child(e, name, namespace) !== undefined;
}

/** The first element of the tree, in document order and the root included, for which `match` holds. */
export function findElement(root: WbxmlElement, match: (e: WbxmlElement) => boolean): WbxmlElement | undefined {
  if (match(root)) return root;
  for (const c of root.children ?? []) {
    const f = findElement(c, match);
    if (f) return f;
  }
  return undefined;
}
