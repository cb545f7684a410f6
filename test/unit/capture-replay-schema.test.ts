/**
 * The capture format's JSON Schema (captures/capture.schema.json) and the
 * checker replay reads files with: every corpus file and a file shaped as
 * the recorder writes it are valid; broken files are refused with the place.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { el } from '../../protocol/wbxml/tree.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { buildExchange } from '../../src/capture/exchange.ts';
import { CAPTURE_FORMAT } from '../../src/capture/format.ts';
import { hashLogin } from '../../src/capture/redact.ts';
import { captureProblems, CAPTURE_SCHEMA_PATH, CaptureInputError, parseCapture } from '../../src/capture/replay/load.ts';
import { checkSchema } from '../../src/capture/replay/schema-check.ts';
import { corpusFiles } from '../integration/capture-replay-setup.ts';

/** A file as the recorder writes one: exchanges built by its own buildExchange, default redaction. */
function recordedLike(): unknown {
  const folderSync = encodeWbxml(el('FolderHierarchy', 'FolderSync', [el('FolderHierarchy', 'SyncKey', '0')]), { version: '14.1' });
  const answer = encodeWbxml(el('FolderHierarchy', 'FolderSync', [el('FolderHierarchy', 'Status', 1), el('FolderHierarchy', 'SyncKey', '1')]), { version: '14.1' });
  const sendMail = encodeWbxml(el('ComposeMail', 'SendMail', [el('ComposeMail', 'ClientId', 'c1'), el('ComposeMail', 'Mime', 'From: bob@example.test\r\n\r\nhi')]), { version: '14.1' });
  const query = 'Cmd=FolderSync&User=bob%40example.test&DeviceId=abc123&DeviceType=iPhone';
  const line = { form: 'plain' as const, command: 'FolderSync' as const, user: 'bob@example.test', deviceId: 'abc123', deviceType: 'iPhone', params: {}, saveInSent: false, acceptMultiPart: false };
  const headers = { 'ms-asprotocolversion': '14.1', 'user-agent': 'Apple-iPhone14C2/2006.75', authorization: 'Basic Ym9iOnNlY3JldA==', 'content-type': 'application/vnd.ms-sync.wbxml' };
  return {
    format: CAPTURE_FORMAT,
    source: 'recorded by eas-server',
    mailbox: hashLogin('bob@example.test'),
    deviceId: 'abc123',
    deviceType: 'iPhone',
    redaction: { bodies: false, addresses: 'hashed' },
    exchanges: [
      buildExchange({ at: Date.now(), method: 'OPTIONS', query: '', requestHeaders: {}, status: 200, responseHeaders: { 'ms-asprotocolversions': '14.1' }, durationMs: 1.25 }, false),
      buildExchange({ at: Date.now(), method: 'POST', query, line, requestHeaders: headers, requestBody: Buffer.from(folderSync), status: 200, responseHeaders: { 'content-type': 'application/vnd.ms-sync.wbxml' }, responseBody: Buffer.from(answer), durationMs: 12 }, false),
      buildExchange({ at: Date.now(), method: 'POST', query: query.replace('FolderSync', 'SendMail'), line: { ...line, command: 'SendMail' as const }, requestHeaders: headers, requestBody: Buffer.from(sendMail), status: 200, responseHeaders: {}, durationMs: 40 }, false),
      buildExchange({ at: Date.now(), method: 'POST', query, line, requestHeaders: headers, requestBody: Buffer.from([3, 1, 106, 0, 0x45]), status: 200, responseHeaders: {}, responseBody: { streamedBytes: 5000 }, durationMs: 3 }, false),
    ],
  };
}

describe('capture schema', () => {
  it.each(corpusFiles().map((f) => [f.split('/').pop()!, f]))('corpus file %s is valid', (_name, path) => {
    expect(captureProblems(JSON.parse(readFileSync(path, 'utf8')))).toEqual([]);
  });

  it('a file as the recorder writes it is valid, and holds no password or Authorization', () => {
    const file = recordedLike();
    expect(captureProblems(file)).toEqual([]);
    const text = JSON.stringify(file);
    expect(text).not.toContain('Ym9iOnNlY3JldA');
    expect(text).not.toContain('bob@example.test');
  });

  it('a broken file is refused with the place of each problem', () => {
    const file = recordedLike() as { exchanges: Record<string, unknown>[]; deviceId: string };
    file.deviceId = 'has space';
    delete (file.exchanges[1]!.response as Record<string, unknown>).status;
    file.exchanges[2]!.method = 'PUT';
    expect(captureProblems(file)).toEqual([
      '$.deviceId: "has space" does not match ^[A-Za-z0-9_-]{1,64}$',
      '$.exchanges[1].response: missing status',
      '$.exchanges[2].method: must be one of "POST", "OPTIONS", "GET", found "PUT"',
    ]);
  });

  it('a truncated file reads as an input error, not a crash', () => {
    const text = JSON.stringify(recordedLike(), null, 2);
    expect(() => parseCapture(text.slice(0, text.length / 2), 'cut.json')).toThrow(CaptureInputError);
    expect(() => parseCapture(text.slice(0, text.length / 2), 'cut.json')).toThrow(/cut\.json: not JSON .*truncated/);
    expect(() => parseCapture('{"format":"eas-capture/9"}', 'new.json')).toThrow(/format "eas-capture\/9" is not eas-capture\/1/);
  });

  it('the checker refuses schema keywords it does not implement, so the schema cannot outgrow it', () => {
    expect(() => checkSchema({ type: 'object', oneOf: [] } as never, {})).toThrow(/oneOf/);
    const schema = JSON.parse(readFileSync(CAPTURE_SCHEMA_PATH, 'utf8'));
    expect(() => checkSchema(schema, {})).not.toThrow();
  });
});
