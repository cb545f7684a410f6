/**
 * Element tree -> XML text for capture files: the same text as protocol/xml
 * `toXml(tree, { redact })` in its compact form (root declares every
 * namespace in order of first use, other code pages by lower-case prefix,
 * opaque content as base64 with `opaque="base64"`), so that `fromXml` and
 * eas-replay read it back unchanged. It exists because the recorder renders
 * every answer of a recorded device, Sync windows of hundreds of mails
 * included: building one string by concatenation is about three times
 * faster here than toXml's array of pieces joined at the end (bench/capture.bench.ts).
 * test/unit/capture-redact.test.ts holds the two to the same output on the
 * WBXML fixtures.
 */
import { Buffer } from 'node:buffer';
import { decodeWbxmlFragment } from '../../protocol/wbxml/decoder.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { escapeText, prefixOf } from '../../protocol/xml/index.ts';

/** Renders one document; `redact` as in ToXmlOptions: a returned string replaces the element's whole content. */
export function renderXml(root: WbxmlElement, redact?: (el: WbxmlElement) => string | undefined): string {
  const r = expanded(root);
  const w = new Walk(r.ns, redact);
  const t = w.tagsOf(r);
  // One walk renders the content and meets the namespaces in order of first use; the root's
  // declarations are put in front afterwards (a separate walk to find them first cost a fifth of the time).
  const content = w.content(r);
  let decl = ` xmlns="${escapeAttr(r.ns)}"`;
  for (const ns of w.others) decl += ` xmlns:${prefixOf(ns)}="${escapeAttr(ns)}"`;
  const q = t.open.slice(1, -1);
  if (content === undefined) return `<${q}${decl}/>`;
  return `<${q}${decl}${content.opaque ? ' opaque="base64"' : ''}>${content.s}${t.close}`;
}

/** An element carried pre-encoded (a Sync Add built in a worker) as the tree it stands for. */
function expanded(e: WbxmlElement): WbxmlElement {
  if (e.encoded === undefined) return e;
  return decodeWbxmlFragment(e.encoded.bytes)[0] ?? { ns: e.ns, name: e.name };
}

/** The tags of one element name, built once per render: a Sync window repeats a few dozen names thousands of times. */
interface Tags {
  readonly open: string;
  readonly close: string;
  readonly empty: string;
  readonly openOpaque: string;
}

class Walk {
  /** Namespaces other than the root's, in order of first use. */
  readonly others: string[] = [];
  readonly #tags = new Map<string, Map<string, Tags>>();
  #s = '';

  constructor(
    private readonly rootNs: string,
    private readonly redact: ((el: WbxmlElement) => string | undefined) | undefined,
  ) {}

  tagsOf(e: WbxmlElement): Tags {
    let byName = this.#tags.get(e.ns);
    if (!byName) {
      this.#tags.set(e.ns, (byName = new Map()));
      if (e.ns !== this.rootNs) this.others.push(e.ns);
    }
    let t = byName.get(e.name);
    if (!t) {
      const q = e.ns === this.rootNs ? e.name : `${prefixOf(e.ns)}:${e.name}`;
      byName.set(e.name, (t = { open: `<${q}>`, close: `</${q}>`, empty: `<${q}/>`, openOpaque: `<${q} opaque="base64">` }));
    }
    return t;
  }

  /** What goes between the element's tags; undefined for an empty element. */
  content(e: WbxmlElement): { s: string; opaque: boolean } | undefined {
    const replaced = this.redact?.(e);
    if (replaced !== undefined) {
      // toXml declares what the hidden children use all the same.
      if (e.children) for (const c of e.children) this.#meet(c);
      return { s: escapeText(replaced), opaque: false };
    }
    if (e.text !== undefined) return { s: escapeText(e.text), opaque: false };
    if (e.opaque !== undefined) return { s: base64(e.opaque), opaque: true };
    if (!e.children || e.children.length === 0) return undefined;
    this.#s = '';
    for (const c of e.children) this.#element(c);
    return { s: this.#s, opaque: false };
  }

  #element(el: WbxmlElement): void {
    const e = expanded(el);
    const t = this.tagsOf(e);
    const replaced = this.redact?.(e);
    if (replaced !== undefined) {
      if (e.children) for (const c of e.children) this.#meet(c);
      this.#s += t.open + escapeText(replaced) + t.close;
    } else if (e.text !== undefined) this.#s += t.open + escapeText(e.text) + t.close;
    else if (e.opaque !== undefined) this.#s += t.openOpaque + base64(e.opaque) + t.close;
    else if (e.children && e.children.length > 0) {
      this.#s += t.open;
      for (const c of e.children) this.#element(c);
      this.#s += t.close;
    } else this.#s += t.empty;
  }

  /** Registers the namespaces of a subtree that is not rendered. */
  #meet(el: WbxmlElement): void {
    const e = expanded(el);
    this.tagsOf(e);
    if (e.children) for (const c of e.children) this.#meet(c);
  }
}

const base64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}
