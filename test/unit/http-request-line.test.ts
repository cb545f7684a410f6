import { describe, expect, it } from 'vitest';
import {
  buildOptionsHeaders,
  COMMAND_CODES,
  EAS_COMMAND_NAMES,
  HttpRequestError,
  parseBase64Query,
  parseEasRequest,
  parsePlainQuery,
  parseQuery,
  readAcceptMultiPart,
  readPolicyKey,
  readProtocolVersion,
  type HttpRequestErrorCode,
} from '../../protocol/http/index.ts';

/** Builds a base64 query the way MS-ASHTTP 2.2.1.1.1.1 lays it out. */
function b64(parts: {
  version?: number;
  code: number;
  locale?: number;
  deviceId: Uint8Array | string;
  policyKey?: number;
  deviceType: string;
  params?: [number, Uint8Array | string][];
}): string {
  const bytes: number[] = [];
  const str = (s: Uint8Array | string): number[] => [...(typeof s === 'string' ? Buffer.from(s, 'utf8') : s)];
  bytes.push(parts.version ?? 141, parts.code, (parts.locale ?? 0x0409) & 0xff, (parts.locale ?? 0x0409) >> 8);
  const id = str(parts.deviceId);
  bytes.push(id.length, ...id);
  if (parts.policyKey === undefined) bytes.push(0);
  else {
    const k = parts.policyKey >>> 0;
    bytes.push(4, k & 0xff, (k >>> 8) & 0xff, (k >>> 16) & 0xff, (k >>> 24) & 0xff);
  }
  const t = str(parts.deviceType);
  bytes.push(t.length, ...t);
  for (const [tag, v] of parts.params ?? []) {
    const b = str(v);
    bytes.push(tag, b.length, ...b);
  }
  return Buffer.from(bytes).toString('base64');
}

function errorCode(f: () => unknown): HttpRequestErrorCode | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof HttpRequestError) {
      expect(e.httpStatus).toBe(400);
      return e.code;
    }
    throw e;
  }
  return undefined;
}

describe('base64 query (MS-ASHTTP 2.2.1.1.1.1)', () => {
  it('decodes the example URI of MS-ASHTTP 2.2.1.1.1.1', () => {
    const line = parseQuery('jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l');
    expect(line).toEqual({
      form: 'base64',
      command: 'Sync',
      deviceId: 'v140Device',
      deviceType: 'SmartPhone',
      protocolVersion: '14.0',
      locale: 0x0409,
      params: {},
      saveInSent: false,
      acceptMultiPart: false,
    });
  });

  it('reads policy key (uint32 LE), user, ids and the Options flags', () => {
    const q = b64({
      version: 161,
      code: COMMAND_CODES.SmartReply,
      deviceId: 'ABC123',
      policyKey: 3942805530,
      deviceType: 'iPhone',
      params: [
        [8, 'jdoe'],
        [1, '5'],
        [3, '5:12'],
        [4, 'RgAAAA'],
        [6, '2026-01-02T10:00:00.000Z'],
        [7, new Uint8Array([0x03])],
      ],
    });
    const line = parseBase64Query(q);
    expect(line.command).toBe('SmartReply');
    expect(line.protocolVersion).toBe('16.1');
    expect(line.policyKey).toBe(3942805530);
    expect(line.user).toBe('jdoe');
    expect(line.params).toEqual({
      CollectionId: '5',
      ItemId: '5:12',
      LongId: 'RgAAAA',
      Occurrence: '2026-01-02T10:00:00.000Z',
      SaveInSent: 'T',
      AcceptMultiPart: 'T',
    });
    expect(line.saveInSent).toBe(true);
    expect(line.acceptMultiPart).toBe(true);
  });

  it('reads the attachment name of GetAttachment and skips unassigned tags', () => {
    const line = parseBase64Query(b64({ version: 121, code: 4, deviceId: 'dev1', deviceType: 'PocketPC', params: [[2, 'x'], [0, '5:1:0']] }));
    expect(line.command).toBe('GetAttachment');
    expect(line.protocolVersion).toBe('12.1');
    expect(line.params).toEqual({ AttachmentName: '5:1:0' });
  });

  it('turns a binary (GUID) device id into upper-case hex', () => {
    const guid = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xff]);
    const line = parseBase64Query(b64({ code: 9, deviceId: guid, deviceType: 'WP' }));
    expect(line.deviceId).toBe('DEADBEEF000102030405060708090AFF');
    // Bytes that are printable but outside the id alphabet are bytes too, not a string to refuse.
    expect(parseBase64Query(b64({ code: 9, deviceId: 'a,b', deviceType: 'WP' })).deviceId).toBe('612C62');
  });

  it('accepts URL-encoded and URL-safe base64', () => {
    const q = b64({ code: 18, deviceId: 'dev', deviceType: 'Android', policyKey: 0xfbfbfbfb });
    const line = parseQuery(encodeURIComponent(q.replace(/\+/g, '-').replace(/\//g, '_')));
    expect(line.command).toBe('Ping');
    expect(line.policyKey).toBe(0xfbfbfbfb);
  });

  it.each([
    ['not base64 at all', '!!!', 'BadBase64'],
    ['truncated inside the device id', Buffer.from([141, 0, 9, 4, 10, 0x41]).toString('base64'), 'BadBase64'],
    ['a policy key length other than 0 or 4', Buffer.from([141, 0, 9, 4, 1, 0x41, 2, 1, 1, 1, 0x41]).toString('base64'), 'BadBase64'],
    ['an unknown command code', b64({ code: 99, deviceId: 'd', deviceType: 't' }), 'UnknownCommand'],
    ['an unknown version byte', b64({ version: 130, code: 0, deviceId: 'd', deviceType: 't' }), 'BadProtocolVersion'],
    ['an empty device id', b64({ code: 0, deviceId: '', deviceType: 't' }), 'MissingDeviceId'],
    ['a binary device id longer than 32 bytes', b64({ code: 0, deviceId: new Uint8Array(33).fill(0xff), deviceType: 't' }), 'BadDeviceId'],
  ])('refuses %s with HTTP 400', (_what, q, code) => {
    expect(errorCode(() => parseQuery(q))).toBe(code);
  });
});

describe('plain query (MS-ASHTTP 2.2.1.1.1.2)', () => {
  it('reads Cmd, User, DeviceId, DeviceType and command parameters', () => {
    const line = parsePlainQuery(
      '?Cmd=SmartForward&User=jdoe%40example.com&DeviceId=Appl1234&DeviceType=iPhone&CollectionId=7&ItemId=7%3A3&SaveInSent=T&Occurrence=x',
    );
    expect(line).toEqual({
      form: 'plain',
      command: 'SmartForward',
      user: 'jdoe@example.com',
      deviceId: 'Appl1234',
      deviceType: 'iPhone',
      params: { CollectionId: '7', ItemId: '7:3', SaveInSent: 'T', Occurrence: 'x' },
      saveInSent: true,
      acceptMultiPart: false,
    });
  });

  it('matches parameter names without regard to case', () => {
    const line = parsePlainQuery('cmd=FolderSync&deviceid=abc&devicetype=Android&collectionid=3');
    expect(line.command).toBe('FolderSync');
    expect(line.deviceId).toBe('abc');
    expect(line.params.CollectionId).toBe('3');
  });

  it.each([
    ['no Cmd', 'DeviceId=a&DeviceType=b', 'MissingCommand'],
    ['an empty query', '', 'MissingCommand'],
    ['an unknown command', 'Cmd=Frobnicate&DeviceId=a&DeviceType=b', 'UnknownCommand'],
    ['a lower-case command name', 'Cmd=sync&DeviceId=a&DeviceType=b', 'UnknownCommand'],
    ['no DeviceId', 'Cmd=Sync&DeviceType=b', 'MissingDeviceId'],
    ['a DeviceId with special characters', 'Cmd=Sync&DeviceId=a%2Fb&DeviceType=b', 'BadDeviceId'],
    ['a DeviceId over 64 characters', `Cmd=Sync&DeviceId=${'a'.repeat(65)}&DeviceType=b`, 'BadDeviceId'],
    ['no DeviceType', 'Cmd=Sync&DeviceId=a', 'MissingDeviceType'],
    ['SaveInSent other than T/F', 'Cmd=SendMail&DeviceId=a&DeviceType=b&SaveInSent=yes', 'BadParameter'],
  ])('refuses %s with HTTP 400', (_what, q, code) => {
    expect(errorCode(() => parseQuery(q))).toBe(code);
  });
});

describe('headers (MS-ASHTTP 2.2.1.1.2)', () => {
  it('reads MS-ASProtocolVersion and refuses versions we do not speak', () => {
    expect(readProtocolVersion({ 'ms-asprotocolversion': '14.1' })).toBe('14.1');
    expect(readProtocolVersion({})).toBeUndefined();
    expect(errorCode(() => readProtocolVersion({ 'ms-asprotocolversion': '13.0' }))).toBe('BadProtocolVersion');
  });

  it('reads X-MS-PolicyKey as an unsigned 32-bit integer', () => {
    expect(readPolicyKey({ 'x-ms-policykey': '0' })).toBe(0);
    expect(readPolicyKey({ 'x-ms-policykey': '4294967295' })).toBe(4294967295);
    expect(errorCode(() => readPolicyKey({ 'x-ms-policykey': '4294967296' }))).toBe('BadPolicyKey');
    expect(errorCode(() => readPolicyKey({ 'x-ms-policykey': '-1' }))).toBe('BadPolicyKey');
  });

  it('reads MS-ASAcceptMultiPart T as true and anything else as false', () => {
    expect(readAcceptMultiPart({ 'ms-asacceptmultipart': 'T' })).toBe(true);
    expect(readAcceptMultiPart({ 'ms-asacceptmultipart': 'F' })).toBe(false);
    expect(readAcceptMultiPart({})).toBe(false);
  });

  it('merges header fields into a plain request', () => {
    const req = parseEasRequest('Cmd=ItemOperations&User=u&DeviceId=d1&DeviceType=Android', {
      'ms-asprotocolversion': '12.1',
      'x-ms-policykey': '1234',
      'user-agent': 'Android/4.4-EAS-1.3',
      'ms-asacceptmultipart': 'T',
    });
    expect(req.protocolVersion).toBe('12.1');
    expect(req.policyKey).toBe(1234);
    expect(req.userAgent).toBe('Android/4.4-EAS-1.3');
    expect(req.acceptMultiPart).toBe(true);
    expect(req.params.AcceptMultiPart).toBe('T');
  });

  it('lets the base64 fields win over headers', () => {
    const q = b64({ version: 141, code: 0, deviceId: 'd', deviceType: 't', policyKey: 7 });
    const req = parseEasRequest(q, { 'ms-asprotocolversion': '12.1', 'x-ms-policykey': '9' });
    expect(req.protocolVersion).toBe('14.1');
    expect(req.policyKey).toBe(7);
  });
});

describe('OPTIONS headers (MS-ASHTTP 2.2.1.2)', () => {
  it('advertises every version and every command, comma-separated without spaces', () => {
    const h = buildOptionsHeaders({ serverVersion: '15.1' });
    expect(h['MS-ASProtocolVersions']).toBe('2.5,12.0,12.1,14.0,14.1,16.0,16.1');
    expect(h['MS-ASProtocolCommands']).toBe(
      'Sync,SendMail,SmartForward,SmartReply,GetAttachment,FolderSync,FolderCreate,FolderDelete,FolderUpdate,MoveItems,GetItemEstimate,MeetingResponse,Search,Settings,Ping,ItemOperations,Provision,ResolveRecipients,ValidateCert,Find',
    );
    expect(h['MS-Server-ActiveSync']).toBe('15.1');
    expect(h.Allow).toBe('OPTIONS,POST');
    expect(h.Public).toBe('OPTIONS,POST');
    expect(EAS_COMMAND_NAMES).toHaveLength(20);
  });

  it('lists only the commands it is given', () => {
    expect(buildOptionsHeaders({ commands: ['Sync', 'Ping'] })['MS-ASProtocolCommands']).toBe('Sync,Ping');
  });
});
