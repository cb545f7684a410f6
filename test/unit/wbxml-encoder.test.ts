import { describe, expect, it } from 'vitest';
import { decodeWbxml, el, encodeWbxml, encodeWbxmlFragment, ns, type WbxmlElement } from '../../protocol/wbxml/index.ts';
import { wbxmlFailure } from './helpers/wire.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const as = ns('AirSync');
const asb = ns('AirSyncBase');

describe('encodeWbxml', () => {
  it('writes the EAS header 03 01 6A 00 and a content-less root as one byte', () => {
    expect(hex(encodeWbxml(as('Sync'), { version: '14.1' }))).toBe('03016a0005');
  });

  it('writes children: [] as content bit + END and text "" as an empty STR_I', () => {
    expect(hex(encodeWbxml({ ns: 'AirSync', name: 'Sync', children: [] }, { version: '14.1' }))).toBe('03016a004501');
    expect(hex(encodeWbxml({ ns: 'AirSync', name: 'Sync', text: '' }, { version: '14.1' }))).toBe('03016a0045030001');
  });

  it('switches code page only when the page changes, never for END', () => {
    const tree = as('ApplicationData', [asb('Body', [asb('Type', 1)]), asb('NativeBodyType', 1), as('ServerId', '1:1')]);
    // 5D | 00 11 4A 46 "1" 01 | 56 "1" 01 (same page, no switch) | 00 00 4D "1:1" 01 | 01
    expect(hex(encodeWbxml(tree, { version: '14.1' }))).toBe(
      '03016a005d' + '00114a4603310001' + '01' + '5603310001' + '0000' + '4d03313a310001' + '01',
    );
  });

  it('writes OPAQUE with a multi-byte mb_u_int32 length', () => {
    const data = new Uint8Array(300).fill(9);
    const out = encodeWbxml(el('Email2', 'ConversationId', data), { version: '14.1' });
    // 300 = 0b10_0101100 -> 0x82 0x2C
    expect(hex(out.subarray(0, 10))).toBe('03016a00001649c3822c');
    expect(decodeWbxml(out).opaque).toEqual(data);
  });

  it('round-trips text with multi-byte characters, long and short', () => {
    const long = 'Ünïcödé ✓ 😀 '.repeat(500);
    const tree = as('Sync', [as('SyncKey', 'Grüße'), as('ServerId', long)]);
    expect(decodeWbxml(encodeWbxml(tree, { version: '16.1' }))).toEqual(tree);
  });

  it('grows its buffer for large documents', () => {
    const big = 'x'.repeat(100_000);
    const tree = as('Sync', Array.from({ length: 40 }, () => as('ServerId', big)));
    const out = encodeWbxml(tree, { version: '16.1' });
    expect(out.length).toBe(4 + 1 + 40 * (1 + 1 + 100_000 + 1 + 1) + 1);
    expect(decodeWbxml(out)).toEqual(tree);
  });

  it('encodes a fragment without header, starting on page 0', () => {
    const out = encodeWbxmlFragment([el('Calendar', 'Subject', 'x'), as('SyncKey', '1')], { version: '14.1' });
    expect(hex(out)).toBe('0004' + '6603780001' + '0000' + '4b03310001');
  });
});

describe('encodeWbxml refuses what the device cannot read', () => {
  it('refuses a 16.x-only tag at 12.1 (TokenNotInVersion)', () => {
    const tree = as('Sync', [asb('Location', [asb('DisplayName', 'Room 1')])]);
    const e = wbxmlFailure(() => encodeWbxml(tree, { version: '12.1' }));
    expect(e.code).toBe('TokenNotInVersion');
    expect(e.message).toContain('AirSyncBase:Location');
    expect(() => encodeWbxml(tree, { version: '16.0' })).not.toThrow();
  });

  it('refuses tags removed in later versions (email:Location at 16.0)', () => {
    expect(wbxmlFailure(() => encodeWbxml(el('Email', 'Location', 'x'), { version: '16.0' })).code).toBe('TokenNotInVersion');
    expect(() => encodeWbxml(el('Email', 'Location', 'x'), { version: '14.1' })).not.toThrow();
  });

  it('refuses AirSyncBase at 2.5 and Find below 16.1', () => {
    expect(wbxmlFailure(() => encodeWbxml(asb('Body'), { version: '2.5' })).code).toBe('TokenNotInVersion');
    expect(wbxmlFailure(() => encodeWbxml(el('Find', 'Find'), { version: '16.0' })).code).toBe('TokenNotInVersion');
  });

  it('refuses decode-only tags (AirNotify) in every version', () => {
    expect(wbxmlFailure(() => encodeWbxml(el('AirNotify', 'Notify'), { version: '2.5' })).code).toBe('TokenNotInVersion');
  });

  it('encodes the 12.0 name of Provision token 0x10 at 12.0 and the later name from 12.1', () => {
    const v120 = encodeWbxml(el('Provision', 'DeviceEncryptionEnabled', '0'), { version: '12.0' });
    const v121 = encodeWbxml(el('Provision', 'RequireStorageCardEncryption', '0'), { version: '12.1' });
    expect(hex(v120)).toBe(hex(v121));
    expect(wbxmlFailure(() => encodeWbxml(el('Provision', 'DeviceEncryptionEnabled', '0'), { version: '12.1' })).code).toBe('TokenNotInVersion');
  });

  it('refuses unknown namespaces and names (UnknownTag)', () => {
    expect(wbxmlFailure(() => encodeWbxml(el('Nope', 'Sync'), { version: '14.1' })).code).toBe('UnknownTag');
    expect(wbxmlFailure(() => encodeWbxml(as('Sync', [as('Bogus', '1')]), { version: '14.1' })).code).toBe('UnknownTag');
  });

  it('refuses text containing U+0000, which STR_I cannot carry', () => {
    expect(wbxmlFailure(() => encodeWbxml(as('SyncKey', 'a\u0000b'), { version: '14.1' })).code).toBe('InvalidString');
    expect(wbxmlFailure(() => encodeWbxml(as('SyncKey', 'é'.repeat(100) + '\u0000'), { version: '14.1' })).code).toBe('InvalidString');
  });

  it('refuses an element with two kinds of content', () => {
    const bad: WbxmlElement = { ns: 'AirSync', name: 'Sync', text: 'x', children: [as('Status', 1)] };
    expect(wbxmlFailure(() => encodeWbxml(bad, { version: '14.1' })).code).toBe('MixedContent');
  });

  it('refuses a cyclic tree with TooDeep instead of overflowing the stack', () => {
    const loop: WbxmlElement = { ns: 'AirSync', name: 'Sync', children: [] };
    loop.children!.push(loop);
    expect(wbxmlFailure(() => encodeWbxml(loop, { version: '14.1' })).code).toBe('TooDeep');
  });
});
