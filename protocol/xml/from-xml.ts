/**
 * XML text -> element tree, using fast-xml-parser (preserveOrder). Reads the
 * form `toXml` writes and MS-ASCMD examples use (default namespace plus
 * prefixes), per-element `xmlns` declarations (the fixture form), and the
 * namespace values libwbxml's `wbxml2xml -l ACTIVESYNC` writes ("AirSync:",
 * with a trailing colon). Namespaces are code page names; checking that a tag
 * exists is left to the encoder.
 */
import { Buffer } from 'node:buffer';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WbxmlError } from '../errors.ts';
import type { WbxmlElement } from '../wbxml/tree.ts';

const CDATA = '__cdata';
const TEXT = '#text';
const ATTRS = ':@';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: false,
  cdataPropName: CDATA,
});

type Node = Record<string, unknown>;

/** Parses a document with exactly one root element. */
export function fromXml(xml: string): WbxmlElement {
  const roots = parse(xml);
  if (roots.length !== 1) throw new WbxmlError('BadXml', `expected one root element, found ${roots.length}`);
  return roots[0]!;
}

/** Parses zero or more sibling elements (a fragment; each carries its own namespace declarations). */
export function fromXmlFragment(xml: string): WbxmlElement[] {
  return parse(xml);
}

function parse(xml: string): WbxmlElement[] {
  // The validator wants one root; a fragment's siblings are checked inside a wrapper.
  const body = xml.replace(/^\s*<\?xml[^?]*\?>/, '').replace(/<!DOCTYPE[^>]*>/, '');
  const check = XMLValidator.validate(`<r>${body}</r>`);
  if (check !== true) throw new WbxmlError('BadXml', `${check.err.msg} (line ${check.err.line})`);
  let nodes: Node[];
  try {
    nodes = parser.parse(body) as Node[];
  } catch (e) {
    throw new WbxmlError('BadXml', (e as Error).message);
  }
  const out: WbxmlElement[] = [];
  for (const n of nodes) {
    if (TEXT in n) {
      if (String(n[TEXT]).trim() !== '') throw new WbxmlError('BadXml', 'text outside any element');
      continue;
    }
    out.push(toElement(n, new Map()));
  }
  return out;
}

function toElement(node: Node, scope: ReadonlyMap<string, string>): WbxmlElement {
  const qname = Object.keys(node).find((k) => k !== ATTRS)!;
  const attrs = (node[ATTRS] ?? {}) as Record<string, string>;
  let local = scope;
  let opaque = false;
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (local === scope) local = new Map(scope);
      (local as Map<string, string>).set(k === 'xmlns' ? '' : k.slice(6), v.endsWith(':') ? v.slice(0, -1) : v);
    } else if (k === 'opaque' && v === 'base64') {
      opaque = true;
    } else {
      throw new WbxmlError('BadXml', `attribute ${k} on ${qname}: EAS elements have no attributes`);
    }
  }
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const name = colon < 0 ? qname : qname.slice(colon + 1);
  const ns = local.get(prefix);
  if (ns === undefined) throw new WbxmlError('BadXml', `no namespace declared for ${qname}`);

  const content = node[qname] as Node[];
  const children: WbxmlElement[] = [];
  let text = '';
  let hasText = false;
  for (const c of content) {
    if (TEXT in c) {
      text += unescape(String(c[TEXT]));
      hasText = true;
    } else if (CDATA in c) {
      for (const t of c[CDATA] as Node[]) text += String(t[TEXT] ?? '');
      hasText = true;
    } else {
      children.push(toElement(c, local));
    }
  }
  if (children.length > 0) {
    if (text.trim() !== '') throw new WbxmlError('BadXml', `${qname} mixes text and elements`);
    return { ns, name, children };
  }
  if (opaque) return { ns, name, opaque: new Uint8Array(Buffer.from(text.trim(), 'base64')) };
  if (hasText) return { ns, name, text };
  return { ns, name };
}

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescape(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(ENTITY, (_m, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref]!;
    const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    if (code > 0x10ffff) throw new WbxmlError('BadXml', `character reference &${ref}; out of range`);
    return String.fromCodePoint(code);
  });
}
