/**
 * Element tree -> XML text, in the form MS-ASCMD examples show (e.g. MS-ASCMD
 * 4.5.x): the root's code page is the default namespace, every other code page
 * used in the tree is declared on the root with its lower-cased name as prefix
 * (`xmlns:airsyncbase="AirSyncBase"`). For logs, captures and tests only; the
 * wire format is WBXML.
 *
 * Opaque content has no XML form in EAS. We render it as base64 text marked
 * with the attribute `opaque="base64"` (EAS elements never carry attributes,
 * so the marker cannot collide); `fromXml` reads it back to bytes.
 *
 * XML cannot tell a content-less tag from a tag with the content bit and
 * nothing inside (tree.ts): both render as `<Tag/>`. Elements carried
 * pre-encoded (`WbxmlElement.encoded`) are decoded and rendered like the rest.
 */
import { Buffer } from 'node:buffer';
import { decodeWbxmlFragment } from '../wbxml/decoder.ts';
import type { WbxmlElement } from '../wbxml/tree.ts';

/** Options of `toXml`. */
export interface ToXmlOptions {
  /** Indent with two spaces, one element per line. Default false. */
  pretty?: boolean;
  /** Prefix `<?xml version="1.0" encoding="utf-8"?>`. Default false. */
  declaration?: boolean;
  /**
   * Called for every element; a returned string replaces the element's whole
   * content (text, opaque data or children) in the output. Lets logs hide
   * Password, body Data and MIME: `redact: (e) => e.name === 'Password' ? '***' : undefined`.
   */
  redact?: (el: WbxmlElement) => string | undefined;
}

/** Renders one document; the root declares every namespace the tree uses. */
export function toXml(root: WbxmlElement, opts: ToXmlOptions = {}): string {
  const out: string[] = [];
  if (opts.declaration) out.push('<?xml version="1.0" encoding="utf-8"?>', opts.pretty ? '\n' : '');
  renderRoot(root, opts, out);
  return out.join('');
}

/** Renders sibling elements (a header-less fragment); each declares its own namespaces. */
export function toXmlFragment(elements: readonly WbxmlElement[], opts: ToXmlOptions = {}): string {
  const out: string[] = [];
  for (const [i, e] of elements.entries()) {
    if (i > 0 && opts.pretty) out.push('\n');
    renderRoot(e, opts, out);
  }
  return out.join('');
}

/** XML prefix used for a code page namespace other than the root's. */
export function prefixOf(ns: string): string {
  return ns.toLowerCase();
}

function renderRoot(root: WbxmlElement, opts: ToXmlOptions, out: string[]): void {
  const others: string[] = [];
  collectNamespaces(root, root.ns, new Set(), others);
  let decl = ` xmlns="${escapeAttr(root.ns)}"`;
  for (const ns of others) decl += ` xmlns:${prefixOf(ns)}="${escapeAttr(ns)}"`;
  render(root, root.ns, decl, opts, 0, out);
}

/** The element itself, or what its pre-encoded bytes decode to. */
function expanded(e: WbxmlElement): WbxmlElement {
  if (e.encoded === undefined) return e;
  return decodeWbxmlFragment(e.encoded.bytes)[0] ?? { ns: e.ns, name: e.name };
}

function collectNamespaces(el: WbxmlElement, rootNs: string, seen: Set<string>, out: string[]): void {
  const e = expanded(el);
  if (e.ns !== rootNs && !seen.has(e.ns)) {
    seen.add(e.ns);
    out.push(e.ns);
  }
  if (e.children) for (const c of e.children) collectNamespaces(c, rootNs, seen, out);
}

function render(el: WbxmlElement, rootNs: string, attrs: string, opts: ToXmlOptions, depth: number, out: string[]): void {
  const e = expanded(el);
  const qname = e.ns === rootNs ? e.name : `${prefixOf(e.ns)}:${e.name}`;
  const indent = opts.pretty ? '  '.repeat(depth) : '';
  const nl = opts.pretty ? '\n' : '';
  const redacted = opts.redact?.(e);
  if (redacted !== undefined) {
    out.push(indent, '<', qname, attrs, '>', escapeText(redacted), '</', qname, '>', nl);
  } else if (e.text !== undefined) {
    out.push(indent, '<', qname, attrs, '>', escapeText(e.text), '</', qname, '>', nl);
  } else if (e.opaque !== undefined) {
    out.push(indent, '<', qname, attrs, ' opaque="base64">', Buffer.from(e.opaque.buffer, e.opaque.byteOffset, e.opaque.byteLength).toString('base64'), '</', qname, '>', nl);
  } else if (e.children && e.children.length > 0) {
    out.push(indent, '<', qname, attrs, '>', nl);
    for (const c of e.children) render(c, rootNs, '', opts, depth + 1, out);
    out.push(indent, '</', qname, '>', nl);
  } else {
    out.push(indent, '<', qname, attrs, '/>', nl);
  }
}

const TEXT_SPECIAL = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/** Escapes XML text; CR and C0 controls become character references so they survive a parse. */
export function escapeText(s: string): string {
  if (!TEXT_SPECIAL.test(s)) return s;
  return s.replace(/[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : `&#x${c.charCodeAt(0).toString(16)};`,
  );
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}
