import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { request, type RequestOptions } from 'node:http';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { folderSyncRequest } from '../../src/client/requests.ts';
import { MOBILESYNC_SCHEMA, OUTLOOK_SCHEMA } from '../../src/server/autodiscover.ts';
import { useStack } from '../harness/use-stack.ts';
import { useTestServer } from '../harness/use-test-server.ts';

const stack = useStack({
  users: [
    { name: 'alice@example.test', password: 'alice-secret' },
    { name: 'bob@example.test', password: 'bob-secret' },
    { name: 'carol@example.test', password: 'carol-secret' },
  ],
});
// bob exists on IMAP but is not enabled for ActiveSync.
const server = useTestServer(stack, { enable: ['alice@example.test', 'carol@example.test'], env: { EAS_MAX_BODY_BYTES: 64 * 1024, EAS_AUTH_MAX_FAILURES: 3 } });
const ALICE_AUTH = `Basic ${Buffer.from('alice@example.test:alice-secret').toString('base64')}`;

/** HTTP status of one raw request, for what EasClient does not send (other paths, broken query strings). */
function rawStatus(url: string, opts: RequestOptions, body?: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const r = request(url, opts, (x) => {
      x.resume();
      resolve(x.statusCode ?? 0);
    });
    r.on('error', reject);
    r.end(body);
  });
}

/** Row counts of every state table: malformed requests must leave them unchanged. */
function counts(): Record<string, number> {
  const db = server().services.db;
  const out: Record<string, number> = {};
  for (const t of ['mailboxes', 'devices', 'folders', 'folder_sync_states']) out[t] = (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  return out;
}

describe.each(['12.1', '14.1', '16.1'] as const)('HTTP surface, protocol %s', (version) => {
  it('OPTIONS lists every version and the implemented commands', async () => {
    const res = await server().client({ version }).options();
    expect(res.status).toBe(200);
    expect(res.headers['ms-asprotocolversions']).toBe('2.5,12.0,12.1,14.0,14.1,16.0,16.1');
    const commands = String(res.headers['ms-asprotocolcommands']).split(',');
    expect(commands).toEqual(expect.arrayContaining(['Provision', 'FolderSync', 'FolderCreate', 'FolderUpdate', 'FolderDelete', 'Settings']));
    expect([...commands].sort()).toEqual([...server().app.eas.registry.keys()].sort());
    expect(res.headers['ms-server-activesync']).toMatch(/^\d+\.\d+/);
    expect(res.headers.allow).toContain('POST');
  });

  it('a wrong password gets 401 with a Basic challenge and stores nothing', async () => {
    const before = counts();
    const res = await server().client({ version, user: 'carol@example.test', password: 'wrong' }).folderSync('0');
    expect(res.response.status).toBe(401);
    expect(res.response.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(counts()).toEqual(before);
  });

  it('a mailbox that is not enabled gets 403 after a correct password', async () => {
    const before = counts();
    const res = await server().client({ version, user: 'bob@example.test' }).options();
    expect(res.status).toBe(403);
    expect(counts()).toEqual(before);
  });
});

describe('authentication', () => {
  it('accepts DOMAIN\\user and the base64 query form', async () => {
    const c = server().client({ queryForm: 'base64' });
    const res = await c.options({ auth: { user: 'EXAMPLE\\alice@example.test', password: 'alice-secret' } });
    expect(res.status).toBe(200);
    const p = await c.provision();
    expect(p.policyKey).toBeGreaterThan(0);
  });

  it('no credentials: 401 challenge', async () => {
    const res = await server().client().options({ auth: false });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Basic');
  });

  it('repeated failures for one user are throttled with 429 and Retry-After, even with the right password', async () => {
    const c = server().client({ user: 'carol@example.test' });
    // 3 wrong passwords were sent by the per-version tests above (EAS_AUTH_MAX_FAILURES=3).
    for (let i = 0; i < 3; i++) await c.options({ auth: { user: 'carol@example.test', password: `nope${i}` } });
    const res = await c.options({ auth: { user: 'carol@example.test', password: 'carol-secret' } });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('Autodiscover', () => {
  it.each(['/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml'])('answers the mobilesync schema at %s with the EAS URL', async (path) => {
    const res = await server().client().autodiscover('alice@example.test', MOBILESYNC_SCHEMA, path);
    expect(res.status).toBe(200);
    const xml = res.raw.toString();
    expect(xml).toContain(`<Response xmlns="${MOBILESYNC_SCHEMA}">`);
    expect(xml).toContain('<Type>MobileSync</Type>');
    expect(xml).toContain(`<Url>${server().url}/Microsoft-Server-ActiveSync</Url>`);
    expect(xml).toContain('<EMailAddress>alice@example.test</EMailAddress>');
  });

  it('answers the Outlook schema with a MobileSync protocol entry', async () => {
    const res = await server().client().autodiscover('alice@example.test', OUTLOOK_SCHEMA);
    expect(res.status).toBe(200);
    const xml = res.raw.toString();
    expect(xml).toContain(`<Response xmlns="${OUTLOOK_SCHEMA}">`);
    expect(xml).toContain(`<Server>${server().url}/Microsoft-Server-ActiveSync</Server>`);
  });

  it('requires credentials', async () => {
    const res = await rawStatus(`${server().url}/autodiscover/autodiscover.xml`, { method: 'POST', headers: { 'Content-Type': 'text/xml' } }, '<Autodiscover/>');
    expect(res).toBe(401);
  });
});

describe('bad requests change nothing and crash nothing', () => {
  it('the endpoint path is matched case-insensitively', async () => {
    const c = server().client();
    const res = await c.options();
    expect(res.status).toBe(200);
    const lower = await rawStatus(`${server().url}/microsoft-server-activesync`, { method: 'OPTIONS', headers: { Authorization: ALICE_AUTH } });
    expect(lower).toBe(200);
  });

  it('malformed WBXML: 400', async () => {
    const c = server().client();
    await c.provision();
    const before = counts();
    const res = await c.command('FolderSync', undefined, { rawBody: Uint8Array.from([0x03, 0x01, 0x6a, 0x00, 0x45, 0x99, 0x99]) });
    expect(res.status).toBe(400);
    expect(counts()).toEqual(before);
  });

  it('a well-formed body of the wrong command gets the command status, not a crash', async () => {
    const c = server().client();
    await c.provision();
    const res = await c.command('FolderSync', { ns: 'Ping', name: 'Ping' });
    expect(res.status).toBe(200);
    expect(res.body?.children?.find((e) => e.name === 'Status')?.text).toBe('10');
  });

  it('unknown command: 400, nothing stored', async () => {
    const before = counts();
    const res = await rawStatus(`${server().url}/Microsoft-Server-ActiveSync?Cmd=Frobnicate&User=alice&DeviceId=X1&DeviceType=T`, {
      method: 'POST',
      headers: { Authorization: ALICE_AUTH, 'MS-ASProtocolVersion': '14.1', 'Content-Length': '0' },
    });
    expect(res).toBe(400);
    expect(counts()).toEqual(before);
  });

  it('missing DeviceId: 400, nothing stored', async () => {
    const before = counts();
    const res = await rawStatus(`${server().url}/Microsoft-Server-ActiveSync?Cmd=FolderSync&User=alice&DeviceType=T`, {
      method: 'POST',
      headers: { Authorization: ALICE_AUTH, 'MS-ASProtocolVersion': '14.1', 'Content-Length': '0' },
    });
    expect(res).toBe(400);
    expect(counts()).toEqual(before);
  });

  it('a body over the limit: 413, nothing stored', async () => {
    const c = server().client();
    const before = counts();
    const res = await c.command('FolderSync', undefined, { rawBody: new Uint8Array(200 * 1024) });
    expect(res.status).toBe(413);
    expect(counts()).toEqual(before);
  });

  it('a gzip body that inflates past the limit: 413', async () => {
    const c = server().client();
    const bomb = new Uint8Array(gzipSync(Buffer.alloc(1024 * 1024)));
    const res = await c.command('FolderSync', undefined, { rawBody: bomb, headers: { 'Content-Encoding': 'gzip' } });
    expect(res.status).toBe(413);
  });

  it('a gzip-encoded request body is accepted', async () => {
    const c = server().client();
    await c.provision();
    const res = await c.command('FolderSync', undefined, { rawBody: encodeWbxml(folderSyncRequest('0'), { version: '14.1' }), gzip: true });
    expect(res.status).toBe(200);
    expect(res.body?.name).toBe('FolderSync');
  });

  it('the server still answers after all of the above', async () => {
    const res = await rawStatus(`${server().url}/healthz`, {});
    expect(res).toBe(200);
  });
});
