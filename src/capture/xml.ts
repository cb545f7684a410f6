/**
 * Element tree -> XML text for capture files: the same text as protocol/xml
 * `toXml(tree, { redact })` in its compact form (root declares every
 * namespace in order of first use, other code pages by lower-case prefix,
 * opaque content as base64 with `opaque="base64"`), so that `fromXml` and
 * eas-replay read it back unchanged. It exists because the recorder renders
 * every answer of a recorded device, Sync windows of hundreds of mails
 * included: building one string by concatenation is about three times
 * faster here than toXml's array of pieces joined at the end (bench/capture.bench.ts).
 * test/unit/capture-redact.test.ts holds the two to the same output.
 */
import { Buffer } from 'node:buffer';
import { decodeWbxmlFragment } from '../../protocol/wbxml/decoder.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { escapeText, prefixOf } from '../../protocol/xml/index.ts';

/** Renders one document; `redact` as in ToXmlOptions: a returned string replaces the element's whole content. */
export function renderXml(root: WbxmlElement, redact?: (el: WbxmlElement) => string | undefined): string {
  const r = expanded(root);
  const others: string[] = [];
  collect(r, r.ns, new Set(), others);
  let decl = ` xmlns="${escapeAttr(r.ns)}"`;
  for (const ns of others) decl += ` xmlns:${prefixOf(ns)}="${escapeAttr(ns)}"`;
  const out = { s: '' };
  render(r, r.ns, decl, redact, out);
  return out.s;
}

/** An element carried pre-encoded (a Sync Add built in a worker) as the tree it stands for. */
function expanded(e: WbxmlElement): WbxmlElement {
  if (e.encoded === undefined) return e;
  return decodeWbxmlFragment(e.encoded.bytes)[0] ?? { ns: e.ns, name: e.name };
}

function collect(el: WbxmlElement, rootNs: string, seen: Set<string>, out: string[]): void {
  const e = expanded(el);
  if (e.ns !== rootNs && !seen.has(e.ns)) {
    seen.add(e.ns);
    out.push(e.ns);
  }
  if (e.children) for (const c of e.children) collect(c, rootNs, seen, out);
}

/** The tags of one element name, built once per render: a Sync window repeats a few dozen names thousands of times. */
interface Tags {
  readonly open: string;
  readonly close: string;
  readonly empty: string;
  readonly openOpaque: string;
}

function render(el: WbxmlElement, rootNs: string, attrs: string, redact: ((el: WbxmlElement) => string | undefined) | undefined, out: { s: string }): void {
  const tags = new Map<string, Map<string, Tags>>();
  const tagsOf = (e: WbxmlElement): Tags => {
    let byName = tags.get(e.ns);
    if (!byName) tags.set(e.ns, (byName = new Map()));
    let t = byName.get(e.name);
    if (!t) {
      const q = e.ns === rootNs ? e.name : `${prefixOf(e.ns)}:${e.name}`;
      byName.set(e.name, (t = { open: `<${q}>`, close: `</${q}>`, empty: `<${q}/>`, openOpaque: `<${q} opaque="base64">` }));
    }
    return t;
  };
  const walk = (el: WbxmlElement, root: boolean): void => {
    const e = expanded(el);
    const t = tagsOf(e);
    // Only the root carries attributes (the namespace declarations).
    const open = root ? `${t.open.slice(0, -1)}${attrs}>` : t.open;
    const replaced = redact?.(e);
    if (replaced !== undefined) out.s += open + escapeText(replaced) + t.close;
    else if (e.text !== undefined) out.s += open + escapeText(e.text) + t.close;
    else if (e.opaque !== undefined) {
      out.s += (root ? `${t.open.slice(0, -1)}${attrs} opaque="base64">` : t.openOpaque) + Buffer.from(e.opaque.buffer, e.opaque.byteOffset, e.opaque.byteLength).toString('base64') + t.close;
    } else if (e.children && e.children.length > 0) {
      out.s += open;
      for (const c of e.children) walk(c, false);
      out.s += t.close;
    } else out.s += root ? `${t.empty.slice(0, -2)}${attrs}/>` : t.empty;
  };
  walk(el, true);
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}
