import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODE_PAGES, tagByToken } from '../../protocol/codepages/index.ts';
import { WbxmlError } from '../../protocol/errors.ts';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from '../../protocol/version.ts';
import { decodeWbxml, decodeWbxmlFragment, encodeWbxml, encodeWbxmlFragment, type WbxmlElement } from '../../protocol/wbxml/index.ts';
import { fromXml, toXml } from '../../protocol/xml/index.ts';

/** Every (ns, name) that may be sent in a version. */
function tagsIn(version: ProtocolVersion): { ns: string; name: string }[] {
  const out: { ns: string; name: string }[] = [];
  for (const p of CODE_PAGES) {
    for (const [token, name] of p.tags) {
      const t = tagByToken(p.page, token)!;
      // Renamed tokens decode as their first name, so only that name round-trips.
      if (t.name === name && t.versions.includes(version)) out.push({ ns: t.ns, name });
    }
  }
  return out;
}

const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\u0000'));

function treeArb(version: ProtocolVersion): fc.Arbitrary<WbxmlElement> {
  const tag = fc.constantFrom(...tagsIn(version));
  const { node } = fc.letrec<{ node: WbxmlElement }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tag.map((t) => ({ ...t })),
      fc.record({ t: tag, text }).map(({ t, text }) => ({ ...t, text })),
      fc.record({ t: tag, o: fc.uint8Array({ maxLength: 300 }) }).map(({ t, o }) => ({ ...t, opaque: o })),
      fc.record({ t: tag, c: fc.array(tie('node'), { maxLength: 5 }) }).map(({ t, c }) => ({ ...t, children: c })),
    ),
  }));
  return node;
}

const versionArb = fc.constantFrom(...PROTOCOL_VERSIONS);
const treeWithVersion = versionArb.chain((v) => treeArb(v).map((tree) => ({ v, tree })));

/** The decoder may only answer with a tree or a WbxmlError. */
function decodesOrRefuses(bytes: Uint8Array): void {
  for (const decode of [() => decodeWbxml(bytes), () => decodeWbxmlFragment(bytes)]) {
    try {
      decode();
    } catch (e) {
      if (!(e instanceof WbxmlError)) throw e;
    }
  }
}

describe('WBXML properties', () => {
  it('random valid trees round-trip through encode/decode', () => {
    fc.assert(
      fc.property(treeWithVersion, ({ v, tree }) => {
        expect(decodeWbxml(encodeWbxml(tree, { version: v }))).toEqual(tree);
      }),
      { numRuns: 300 },
    );
  });

  it('random valid sibling lists round-trip as fragments', () => {
    fc.assert(
      fc.property(versionArb.chain((v) => fc.array(treeArb(v), { maxLength: 4 }).map((els) => ({ v, els }))), ({ v, els }) => {
        expect(decodeWbxmlFragment(encodeWbxmlFragment(els, { version: v }))).toEqual(els);
      }),
      { numRuns: 200 },
    );
  });

  it('random trees survive toXml -> fromXml (modulo empty-content forms)', () => {
    const norm = (e: WbxmlElement): unknown =>
      e.opaque ? { ...e, opaque: [...e.opaque] } : e.children?.length ? { ns: e.ns, name: e.name, children: e.children.map(norm) } : e.text ? { ns: e.ns, name: e.name, text: e.text } : { ns: e.ns, name: e.name };
    fc.assert(
      fc.property(treeWithVersion, fc.boolean(), ({ tree }, pretty) => {
        expect(norm(fromXml(toXml(tree, { pretty })))).toEqual(norm(tree));
      }),
      { numRuns: 200 },
    );
  });

  it('random bytes give a tree or a WbxmlError, nothing else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => decodesOrRefuses(b)), { numRuns: 3000 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => decodesOrRefuses(new Uint8Array([0x03, 0x01, 0x6a, 0x00, ...b]))),
      { numRuns: 3000 },
    );
  });

  it('mutated valid documents give a tree or a WbxmlError, nothing else', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), byte: fc.constant(0) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    );
    fc.assert(
      fc.property(treeWithVersion, fc.array(mutation, { minLength: 1, maxLength: 4 }), ({ v, tree }, muts) => {
        let bytes = [...encodeWbxml(tree, { version: v })];
        for (const m of muts) {
          const at = m.at % (bytes.length + 1);
          if (m.kind === 'set' && at < bytes.length) bytes[at] = m.byte;
          else if (m.kind === 'cut') bytes = bytes.slice(0, at);
          else bytes.splice(at, 0, m.byte);
        }
        decodesOrRefuses(new Uint8Array(bytes));
      }),
      { numRuns: 2000 },
    );
  });
});
