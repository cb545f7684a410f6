import { describe, expect, it } from 'vitest';
import { isWbxmlError, type WbxmlErrorCode } from '../../protocol/errors.ts';
import { DEFAULT_LIMITS } from '../../protocol/limits.ts';
import { decodeWbxml, decodeWbxmlFragment } from '../../protocol/wbxml/index.ts';
import { wbxmlFailure } from './helpers/wire.ts';

const H = [0x03, 0x01, 0x6a, 0x00];
const doc = (...body: number[]) => new Uint8Array([...H, ...body]);
const str = (s: string) => [0x03, ...Buffer.from(s, 'utf8'), 0x00];

describe('decodeWbxml: what EAS uses', () => {
  it('decodes a tag without content as an element with no content', () => {
    // <Sync xmlns="AirSync"/> : 0x05 without the content bit
    expect(decodeWbxml(doc(0x05))).toEqual({ ns: 'AirSync', name: 'Sync' });
  });

  it('keeps a content-bit tag with nothing inside as children: []', () => {
    expect(decodeWbxml(doc(0x45, 0x01))).toEqual({ ns: 'AirSync', name: 'Sync', children: [] });
  });

  it('decodes STR_I text, including the empty string and multi-byte UTF-8', () => {
    const root = decodeWbxml(doc(0x45, 0x4e, ...str('Grüße ✓ 😀'), 0x01, 0x4e, ...str(''), 0x01, 0x01));
    expect(root.children).toEqual([
      { ns: 'AirSync', name: 'Status', text: 'Grüße ✓ 😀' },
      { ns: 'AirSync', name: 'Status', text: '' },
    ]);
  });

  it('keeps a leading byte-order mark in text', () => {
    const root = decodeWbxml(doc(0x45, 0x4e, ...str('\ufeffx'), 0x01, 0x01));
    expect(root.children![0]!.text).toBe('\ufeffx');
  });

  it('decodes OPAQUE data with a multi-byte length', () => {
    const data = Buffer.alloc(200, 7);
    // length 200 = 0x81 0x48 as mb_u_int32
    const root = decodeWbxml(doc(0x45, 0x00, 0x16, 0x49, 0xc3, 0x81, 0x48, ...data, 0x01, 0x01));
    const cid = root.children![0]!;
    expect(cid).toMatchObject({ ns: 'Email2', name: 'ConversationId' });
    expect(Buffer.from(cid.opaque!).equals(data)).toBe(true);
  });

  it('switches code pages and resolves tokens on the current page', () => {
    // FolderSync (page 7, 0x16) with Status
    const root = decodeWbxml(doc(0x00, 0x07, 0x56, 0x4c, ...str('1'), 0x01, 0x01));
    expect(root).toEqual({ ns: 'FolderHierarchy', name: 'FolderSync', children: [{ ns: 'FolderHierarchy', name: 'Status', text: '1' }] });
  });

  it('accepts tokens that only older versions define (decoding is version-lenient)', () => {
    // Email 0x0C Body exists only in 2.5
    const [e] = decodeWbxmlFragment(new Uint8Array([0x00, 0x02, 0x4c, ...str('hi'), 0x01]));
    expect(e).toEqual({ ns: 'Email', name: 'Body', text: 'hi' });
  });

  it('decodes a fragment of several siblings starting on page 0', () => {
    const els = decodeWbxmlFragment(new Uint8Array([0x4b, ...str('1'), 0x01, 0x52, ...str('2'), 0x01]));
    expect(els.map((e) => e.name)).toEqual(['SyncKey', 'CollectionId']);
  });

  it('joins several STR_I inside one element into one text', () => {
    expect(decodeWbxml(doc(0x4e, ...str('ab'), ...str('cd'), 0x01))).toEqual({ ns: 'AirSync', name: 'Status', text: 'abcd' });
  });

  it('counts split strings together against maxStringBytes', () => {
    expect(wbxmlFailure(() => decodeWbxml(doc(0x4e, ...str('abc'), ...str('def'), 0x01), { limits: { maxStringBytes: 5 } })).code).toBe('StringTooLong');
  });

  it('decodes an empty fragment to no elements', () => {
    expect(decodeWbxmlFragment(new Uint8Array())).toEqual([]);
  });
});

const errorCases: { what: string; bytes: number[]; code: WbxmlErrorCode; offset: number }[] = [
  { what: 'empty body', bytes: [], code: 'Truncated', offset: 0 },
  { what: 'WBXML version 0x04', bytes: [0x04, 0x01, 0x6a, 0x00, 0x05], code: 'BadHeader', offset: 0 },
  { what: 'header cut after version', bytes: [0x03], code: 'Truncated', offset: 1 },
  { what: 'public id via string table', bytes: [0x03, 0x00, 0x00, 0x6a, 0x00, 0x05], code: 'Unsupported', offset: 1 },
  { what: 'charset ISO-8859-1', bytes: [0x03, 0x01, 0x04, 0x00, 0x05], code: 'BadHeader', offset: 2 },
  { what: 'non-empty string table', bytes: [0x03, 0x01, 0x6a, 0x02, 0x41, 0x00, 0x05], code: 'Unsupported', offset: 3 },
  { what: 'overlong mb_u_int32', bytes: [0x03, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], code: 'BadHeader', offset: 1 },
  { what: 'header without body', bytes: [...H], code: 'Truncated', offset: 4 },
  { what: 'unknown code page', bytes: [...H, 0x00, 0x1a, 0x05], code: 'UnknownCodePage', offset: 5 },
  { what: 'SWITCH_PAGE cut short', bytes: [...H, 0x00], code: 'Truncated', offset: 4 },
  { what: 'undefined token on page 0', bytes: [...H, 0x2a], code: 'UnknownToken', offset: 4 },
  { what: 'tag with attributes', bytes: [...H, 0xc5, 0x01], code: 'Unsupported', offset: 4 },
  { what: 'missing END', bytes: [...H, 0x45, 0x4e, 0x03, 0x31, 0x00, 0x01], code: 'Truncated', offset: 10 },
  { what: 'unterminated string', bytes: [...H, 0x45, 0x4e, 0x03, 0x31], code: 'Truncated', offset: 6 },
  { what: 'invalid UTF-8', bytes: [...H, 0x45, 0x4e, 0x03, 0xc3, 0x28, 0x00, 0x01, 0x01], code: 'InvalidUtf8', offset: 7 },
  { what: 'invalid UTF-8 in a long string', bytes: [...H, 0x45, 0x4e, 0x03, ...Array(40).fill(0x41), 0xff, 0x00, 0x01, 0x01], code: 'InvalidUtf8', offset: 7 },
  { what: 'opaque longer than the input', bytes: [...H, 0x45, 0x4e, 0xc3, 0x05, 0x01, 0x01], code: 'Truncated', offset: 6 },
  { what: 'opaque length over 32 bits', bytes: [...H, 0x45, 0x4e, 0xc3, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], code: 'TooLarge', offset: 7 },
  { what: 'STR_T (string table reference)', bytes: [...H, 0x45, 0x83, 0x00, 0x01], code: 'Unsupported', offset: 5 },
  { what: 'ENTITY', bytes: [...H, 0x45, 0x02, 0x41, 0x01], code: 'Unsupported', offset: 5 },
  { what: 'LITERAL', bytes: [...H, 0x04, 0x00], code: 'Unsupported', offset: 4 },
  { what: 'PI', bytes: [...H, 0x43], code: 'Unsupported', offset: 4 },
  { what: 'EXT_I_0', bytes: [...H, 0x45, 0x40, 0x41, 0x00, 0x01], code: 'Unsupported', offset: 5 },
  { what: 'EXT_0', bytes: [...H, 0x45, 0xc0, 0x01], code: 'Unsupported', offset: 5 },
  { what: 'text and a child in one element', bytes: [...H, 0x45, 0x03, 0x41, 0x00, 0x4e, 0x01], code: 'MixedContent', offset: 8 },
  { what: 'a child then text', bytes: [...H, 0x45, 0x0e, 0x03, 0x41, 0x00, 0x01], code: 'MixedContent', offset: 6 },
  { what: 'text before the root', bytes: [...H, 0x03, 0x41, 0x00, 0x05], code: 'Unsupported', offset: 4 },
  { what: 'a second root element', bytes: [...H, 0x45, 0x01, 0x05], code: 'TrailingData', offset: 6 },
  { what: 'bytes after a content-less root', bytes: [...H, 0x05, 0x05], code: 'TrailingData', offset: 5 },
  { what: 'END with nothing open', bytes: [...H, 0x01], code: 'TrailingData', offset: 4 },
];

describe('decodeWbxml: refusals name the problem and the byte offset', () => {
  for (const c of errorCases) {
    it(`${c.what} -> ${c.code} at ${c.offset}`, () => {
      const e = wbxmlFailure(() => decodeWbxml(new Uint8Array(c.bytes)));
      expect({ code: e.code, offset: e.offset }).toEqual({ code: c.code, offset: c.offset });
      expect(isWbxmlError(e, c.code)).toBe(true);
      expect(e.message).toContain(`at byte ${c.offset}`);
    });
  }
});

describe('decodeWbxml: limits', () => {
  const nested = (depth: number) => doc(...Array(depth).fill(0x45), ...Array(depth).fill(0x01));

  it('defaults reject nesting deeper than DEFAULT_LIMITS.maxDepth', () => {
    expect(() => decodeWbxml(nested(DEFAULT_LIMITS.maxDepth))).not.toThrow();
    expect(wbxmlFailure(() => decodeWbxml(nested(DEFAULT_LIMITS.maxDepth + 1))).code).toBe('TooDeep');
  });

  it('honours per-call overrides', () => {
    expect(wbxmlFailure(() => decodeWbxml(nested(5), { limits: { maxDepth: 4 } })).code).toBe('TooDeep');
    expect(wbxmlFailure(() => decodeWbxml(doc(0x45, 0x05, 0x05, 0x05, 0x01), { limits: { maxElements: 3 } })).code).toBe('TooManyElements');
    expect(wbxmlFailure(() => decodeWbxml(doc(0x45, 0x4e, ...str('abcdef'), 0x01, 0x01), { limits: { maxStringBytes: 5 } })).code).toBe('StringTooLong');
    expect(wbxmlFailure(() => decodeWbxml(doc(0x45, 0x4e, 0xc3, 0x03, 1, 2, 3, 0x01, 0x01), { limits: { maxOpaqueBytes: 2 } })).code).toBe('TooLarge');
    expect(wbxmlFailure(() => decodeWbxml(doc(0x05), { limits: { maxBodyBytes: 4 } })).code).toBe('TooLarge');
  });

  it('stays within limits when each limit is met exactly', () => {
    expect(decodeWbxml(doc(0x45, 0x05, 0x05, 0x01), { limits: { maxElements: 3 } }).children).toHaveLength(2);
    expect(decodeWbxml(doc(0x45, 0x4e, ...str('abcde'), 0x01, 0x01), { limits: { maxStringBytes: 5 } }).children![0]!.text).toBe('abcde');
  });
});
