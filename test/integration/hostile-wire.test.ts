/**
 * Hostile input on the wire (ARCHITECTURE rule 9; MS-ASHTTP 2.2.1, MS-ASWBXML):
 * malformed WBXML, unknown code pages and tokens, bodies over the limit,
 * a gzip bomb, unknown commands, a missing or hostile DeviceId, hostile
 * user names. Each gets a clear HTTP error and a log line, changes no stored
 * state, and the server answers a good request right after.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EasClient } from '../../src/client/index.ts';
import { folderSyncRequest } from '../../src/client/requests.ts';
import { createRegistry } from '../../src/commands/registry.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { useStack } from '../harness/use-stack.ts';
import { snapshotState, startHostileServer, type HostileServer, type LogLine } from './hostile-setup.ts';

const stack = useStack();
const USER = 'alice@example.test';
const MAX_BODY = 1024 * 1024;
let server: HostileServer;
let phone: EasClient;
let hierarchyKey: string;

beforeAll(async () => {
  // Every command of the protocol is implemented; this server is built without Find to reach the 501 path.
  const withoutFind = new Map([...createRegistry()].filter(([name]) => name !== 'Find'));
  server = await startHostileServer(stack(), { EAS_MAX_BODY_BYTES: MAX_BODY, EAS_AUTH_MAX_FAILURES: 1000 }, withoutFind);
  phone = server.client({ user: USER, deviceId: 'wirephone' });
  await phone.provision();
  const fs = await phone.folderSync('0');
  expect(fs.status).toBe(1);
  hierarchyKey = fs.syncKey!;
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

/** Runs a hostile request; checks that it changed no table, that it was logged, and that a good request still works. */
async function refused(send: () => Promise<{ status: number }>, expectHttp: number, expectEvent?: string | RegExp): Promise<LogLine[]> {
  const before = snapshotState(server.services.db);
  const from = server.logs.length;
  const res = await send();
  expect(res.status).toBe(expectHttp);
  expect(snapshotState(server.services.db)).toEqual(before);
  // The request log line is written once the response is out; give it a tick.
  await new Promise((r) => setTimeout(r, 20));
  const lines = server.logs.slice(from);
  const events = lines.map((l) => l.event);
  if (expectEvent !== undefined) {
    expect(events.some((e) => (typeof expectEvent === 'string' ? e === expectEvent : expectEvent.test(e ?? ''))), JSON.stringify(events)).toBe(true);
  }
  expect(lines.some((l) => l.event === 'request' && l.http === expectHttp)).toBe(true);
  expect(lines.filter((l) => l.event === 'server.error')).toEqual([]);
  const good = await phone.folderSync(hierarchyKey);
  expect(good.status).toBe(1);
  return lines;
}

const WBXML_HEADER = [0x03, 0x01, 0x6a, 0x00];

describe('malformed WBXML bodies get HTTP 400 and change nothing', () => {
  it('a truncated body', async () => {
    const ok = encodeWbxml(folderSyncRequest(hierarchyKey), { version: '14.1' });
    await refused(() => phone.command('FolderSync', undefined, { rawBody: ok.subarray(0, ok.length - 3) }), 400, 'wbxml.Truncated');
  });

  it('a switch to a code page that does not exist', async () => {
    const body = Uint8Array.from([...WBXML_HEADER, 0x00, 0x63, 0x45, 0x01]);
    await refused(() => phone.command('FolderSync', undefined, { rawBody: body }), 400, 'wbxml.UnknownCodePage');
  });

  it('a token that its code page does not define', async () => {
    // FolderHierarchy (page 7) defines tokens up to 0x1e only.
    const body = Uint8Array.from([...WBXML_HEADER, 0x00, 0x07, 0x7f, 0x01]);
    await refused(() => phone.command('FolderSync', undefined, { rawBody: body }), 400, 'wbxml.UnknownToken');
  });

  it('nesting 10 000 elements deep', async () => {
    // AirSync (page 0) Sync = 0x05, with content = 0x45; never closed.
    const body = Uint8Array.from([...WBXML_HEADER, ...new Array<number>(10_000).fill(0x45)]);
    await refused(() => phone.command('Sync', undefined, { rawBody: body }), 400, 'wbxml.TooDeep');
  });

  it('600 000 empty elements in one document', async () => {
    const body = Uint8Array.from([...WBXML_HEADER, 0x45, ...new Array<number>(600_000).fill(0x05), 0x01]);
    await refused(() => phone.command('Sync', undefined, { rawBody: body }), 400, 'wbxml.TooManyElements');
  });

  it('an opaque block that claims 2 GB', async () => {
    const body = Uint8Array.from([...WBXML_HEADER, 0x45, 0xc3, 0x87, 0xff, 0xff, 0xff, 0x7f, 0x41, 0x01]);
    await refused(() => phone.command('Sync', undefined, { rawBody: body }), 400, /^wbxml\.(TooLarge|Truncated)$/);
  });

  it('bytes that are not WBXML at all on a WBXML-only command', async () => {
    await refused(() => phone.command('Sync', undefined, { rawBody: Buffer.from('<Sync><Collections/></Sync>') }), 400, /^wbxml\./);
  });

  it('a well-formed document of the wrong command (FolderSync body posted as Sync)', async () => {
    const body = encodeWbxml(folderSyncRequest(hierarchyKey), { version: '14.1' });
    const from = server.logs.length;
    const before = snapshotState(server.services.db);
    const res = await phone.command('Sync', undefined, { rawBody: body });
    // MS-ASCMD 2.2.3.177.17: Status 4 protocol error (a status body) or HTTP 400; never a success or a 500.
    expect([200, 400]).toContain(res.status);
    if (res.status === 200) expect(res.body?.children?.find((c) => c.name === 'Status')?.text).toBe('4');
    expect(snapshotState(server.services.db)).toEqual(before);
    expect(server.logs.slice(from).filter((l) => l.event === 'server.error')).toEqual([]);
    expect((await phone.folderSync(hierarchyKey)).status).toBe(1);
  });
});

describe('bodies over the size limit get HTTP 413', () => {
  it('a body larger than EAS_MAX_BODY_BYTES', async () => {
    const big = Buffer.alloc(MAX_BODY + 4096, 0x41);
    big.set(WBXML_HEADER, 0);
    await refused(
      () => server.app.inject({ method: 'POST', url: '/Microsoft-Server-ActiveSync?Cmd=Sync&User=alice&DeviceId=wirephone&DeviceType=TestPhone', headers: authHeaders(), payload: big }).then((r) => ({ status: r.statusCode })),
      413,
      'request.rejected',
    );
  });

  it('a small gzip body that inflates past the limit (gzip bomb) is cut off at the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(MAX_BODY / 4);
    await refused(
      () =>
        server.app
          .inject({
            method: 'POST',
            url: '/Microsoft-Server-ActiveSync?Cmd=Sync&User=alice&DeviceId=wirephone&DeviceType=TestPhone',
            headers: { ...authHeaders(), 'content-encoding': 'gzip' },
            payload: bomb,
          })
          .then((r) => ({ status: r.statusCode })),
      413,
      'request.rejected',
    );
  });

  it('a gzip body that is not gzip gets HTTP 400', async () => {
    await refused(() => phone.command('FolderSync', undefined, { rawBody: Buffer.from('not gzip at all'), headers: { 'Content-Encoding': 'gzip' } }), 400, 'request.rejected');
  });
});

function authHeaders(user = USER, password = stack().user(USER).password): Record<string, string> {
  return {
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    'ms-asprotocolversion': '14.1',
    'x-ms-policykey': String(phone.policyKey),
    'content-type': 'application/vnd.ms-sync.wbxml',
  };
}

async function rawPost(query: string, body?: Uint8Array, headers: Record<string, string> = authHeaders()): Promise<{ status: number }> {
  const res = await fetch(`${server.url}/Microsoft-Server-ActiveSync?${query}`, { method: 'POST', headers, ...(body ? { body: Buffer.from(body) } : {}) });
  await res.arrayBuffer();
  return { status: res.status };
}

describe('bad request lines get HTTP 400 or 501', () => {
  const body = (): Uint8Array => encodeWbxml(folderSyncRequest('0'), { version: '14.1' });

  it('an unknown command', async () => {
    await refused(() => rawPost('Cmd=DropAllTables&User=alice&DeviceId=wirephone&DeviceType=TestPhone', body()), 400, 'request.UnknownCommand');
  });

  it('a command of the protocol that the server does not implement', async () => {
    await refused(() => rawPost('Cmd=Find&User=alice&DeviceId=wirephone&DeviceType=TestPhone', body()), 501, 'request.unsupported-command');
  });

  it('a base64 query that does not decode', async () => {
    await refused(() => rawPost('jAkJBBAAA*!', body()), 400, /^request\./);
  });

  it('a base64 query whose lengths run past its end', async () => {
    // version 141, command 0 (Sync), locale, device id length 200 with 3 bytes after it.
    const q = Buffer.from([141, 0, 0x09, 0x04, 200, 0x41, 0x42, 0x43]).toString('base64');
    await refused(() => rawPost(q, body()), 400, 'request.BadBase64');
  });

  it('a missing DeviceId', async () => {
    await refused(() => rawPost('Cmd=FolderSync&User=alice&DeviceType=TestPhone', body()), 400, 'request.MissingDeviceId');
  });

  it.each([
    ['SQL quotes', "x'); DROP TABLE devices;--"],
    ['a 10 KB string', 'A'.repeat(10 * 1024)],
    ['unicode', 'téléphone📱'],
    ['a NUL byte', 'abc\u0000def'],
  ])('a DeviceId with %s', async (_what, deviceId) => {
    const c = new EasClient({ ...phone.opts, deviceId });
    c.policyKey = phone.policyKey;
    await refused(() => c.command('FolderSync', folderSyncRequest('0')), 400, 'request.BadDeviceId');
  });

  // Logins the Basic parser cannot use (spaces, over 256 characters) are refused before IMAP is asked; the rest by IMAP.
  it.each([
    ['SQL quotes', "alice@example.test' OR '1'='1", undefined],
    ['a 3 KB string', `${'a'.repeat(3 * 1024)}@example.test`, undefined],
    ['unicode', 'ålice@exämple.test', 'auth.failed'],
    ['a DOMAIN\\ prefix and quotes', 'EVIL\\"--\'@example.test', 'auth.failed'],
    ["another user's name with this user's password", 'bob@example.test', 'auth.failed'],
  ])('a login name with %s is answered 401', async (_what, user, event) => {
    const c = new EasClient({ ...phone.opts, user, password: stack().user(USER).password });
    await refused(() => c.command('FolderSync', folderSyncRequest('0')), 401, event);
  });

  it('an Authorization header past the HTTP header limit is answered 431 before reaching the app', async () => {
    const before = snapshotState(server.services.db);
    const headers = { ...authHeaders(`${'a'.repeat(20 * 1024)}@example.test`) };
    // fetch has its own connection pool: the refused connection is closed by the server, the client's keep-alive pool must not reuse it.
    const res = await rawPost('Cmd=FolderSync&User=a&DeviceId=wirephone&DeviceType=TestPhone', encodeWbxml(folderSyncRequest('0'), { version: '14.1' }), headers);
    expect(res.status).toBe(431);
    expect(snapshotState(server.services.db)).toEqual(before);
    expect((await phone.folderSync(hierarchyKey)).status).toBe(1);
  });
});

describe('the User parameter never selects another mailbox', () => {
  it("alice's credentials with User=bob act on alice's mailbox only", async () => {
    const c = new EasClient({ ...phone.opts, deviceId: 'userparam' });
    await c.provision();
    // The query says User=bob; the Basic credentials are alice's.
    const q = 'Cmd=FolderSync&User=bob%40example.test&DeviceId=userparam&DeviceType=TestPhone';
    const r = await fetch(`${server.url}/Microsoft-Server-ActiveSync?${q}`, {
      method: 'POST',
      headers: { ...authHeaders(), 'x-ms-policykey': String(c.policyKey) },
      body: Buffer.from(encodeWbxml(folderSyncRequest('0'), { version: '14.1' })),
    });
    await r.arrayBuffer();
    expect(r.status).toBe(200);
    const db = server.services.db;
    expect(db.prepare(`SELECT mailbox FROM folder_sync_states WHERE device_id = 'userparam'`).all()).toEqual([{ mailbox: USER }]);
    expect(db.prepare(`SELECT DISTINCT mailbox FROM devices`).all()).toEqual([{ mailbox: USER }]);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM folders WHERE mailbox LIKE 'bob%'`).get()).toEqual({ n: 0 });
  });
});
