/**
 * Issue 12 item 4: named policy sets assigned to a mailbox or one device
 * (the global EAS_POLICY_* stay the default), and a protocol ceiling per
 * device type (EAS_MAX_VERSION_BY_TYPE), on the real stack with the
 * project's EAS client, eas-admin and the admin API on the same database.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminApi } from '../../src/admin/http-api.ts';
import { adminMain } from '../../src/cli/admin.ts';
import type { EasClient } from '../../src/client/index.ts';
import { buildConfig } from '../../src/config.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { useStack } from '../harness/use-stack.ts';
import { startTestServer, type TestServer } from './server-setup.ts';

const stack = useStack();
const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
let server: TestServer;
/** Enough configuration for buildConfig to accept; nothing listens there. */
const MINIMAL = { EAS_IMAP_URL: 'imap://127.0.0.1:1', EAS_SMTP_URL: 'smtp://127.0.0.1:1' };

beforeAll(async () => {
  server = await startTestServer(stack(), { env: { EAS_MAX_VERSION_BY_TYPE: 'PinnedPhone=14.1, Old*=12.1' } });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

function admin(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = adminMain(['--db', server.dbFile, ...argv], (s) => (out += `${s}\n`), (s) => (err += `${s}\n`));
  return { code, out, err };
}

let n = 0;
function phone(user: string, version: ProtocolVersion = '14.1', deviceType = 'TestPhone'): EasClient {
  return server.client({ user, version, deviceType, deviceId: `pol${n++}${deviceType.toLowerCase()}` });
}

/** The first element named `name` anywhere under `e`. */
function find(e: WbxmlElement | undefined, name: string): WbxmlElement | undefined {
  if (!e) return undefined;
  if (e.name === name) return e;
  for (const c of e.children ?? []) {
    const hit = find(c, name);
    if (hit) return hit;
  }
  return undefined;
}

/** The policy a Provision handed out: the EASProvisionDoc's password fields. */
async function provisionedPolicy(c: EasClient): Promise<{ passwordEnabled: string | undefined; minLength: string | undefined }> {
  const r = await c.provision();
  const doc = find(r.responses[0]!.body, 'EASProvisionDoc');
  expect(doc).toBeDefined();
  return { passwordEnabled: find(doc, 'DevicePasswordEnabled')?.text, minLength: find(doc, 'MinDevicePasswordLength')?.text };
}

describe('policy sets', () => {
  it('a set assigned to a mailbox makes its provisioned devices provision again and hands them its settings; other mailboxes keep the global policy', async () => {
    const a = phone(ALICE);
    const b = phone(BOB);
    expect(await provisionedPolicy(a)).toEqual({ passwordEnabled: '0', minLength: '4' });
    await provisionedPolicy(b);
    expect((await a.folderSync('0')).status).toBe(1);

    expect(admin('policy', 'set', 'strict', 'PASSWORD_REQUIRED=true', 'password_min_length=6').code).toBe(0);
    const assigned = admin('policy', 'assign', 'strict', ALICE);
    expect(assigned).toMatchObject({ code: 0, out: `${ALICE}: strict\n` });

    // MS-ASCMD 2.2.2: 143 = the policy changed, provision again (the common status from 14.0).
    expect((await a.folderSync('0')).status).toBe(143);
    expect(await provisionedPolicy(a)).toEqual({ passwordEnabled: '1', minLength: '6' });
    expect((await a.folderSync('0')).status).toBe(1);
    expect((await b.folderSync('0')).status).toBe(1);
    expect(JSON.parse(admin('--json', 'device', 'show', ALICE, a.opts.deviceId).out).policySet).toBe('strict');
    expect(JSON.parse(admin('--json', 'device', 'show', BOB, b.opts.deviceId).out).policySet).toBeNull();

    // Changing the set's settings is a policy change too.
    admin('policy', 'set', 'strict', 'PASSWORD_REQUIRED=true', 'PASSWORD_MIN_LENGTH=8');
    expect((await a.folderSync('0')).status).toBe(143);
    expect((await provisionedPolicy(a)).minLength).toBe('8');

    // A set in use cannot be deleted; once unassigned it can, and the device is back on the global policy.
    expect(admin('policy', 'remove', 'strict')).toMatchObject({ code: 2 });
    expect(admin('policy', 'unassign', ALICE).code).toBe(0);
    expect((await a.folderSync('0')).status).toBe(143);
    expect(await provisionedPolicy(a)).toEqual({ passwordEnabled: '0', minLength: '4' });
    expect(admin('policy', 'remove', 'strict').code).toBe(0);
    const audit = admin('--json', 'audit', '--mailbox', ALICE).out;
    expect(JSON.parse(audit).map((r: { action: string }) => r.action)).toEqual(expect.arrayContaining(['policy.assign', 'policy.unassign']));
  });

  it("a device's own set wins over its mailbox's; unassigning it falls back to the mailbox's", async () => {
    admin('policy', 'set', 'lax', 'PASSWORD_REQUIRED=false');
    admin('policy', 'set', 'pin', 'PASSWORD_REQUIRED=true', 'PASSWORD_MIN_LENGTH=5');
    const one = phone(ALICE);
    const other = phone(ALICE);
    await one.provision();
    await other.provision();
    expect(admin('policy', 'assign', 'pin', ALICE).code).toBe(0);
    expect(admin('policy', 'assign', 'lax', ALICE, one.opts.deviceId)).toMatchObject({ code: 0, out: `${ALICE}/${one.opts.deviceId}: lax\n` });
    expect((await provisionedPolicy(one)).passwordEnabled).toBe('0');
    expect(await provisionedPolicy(other)).toEqual({ passwordEnabled: '1', minLength: '5' });
    expect(admin('policy', 'unassign', ALICE, one.opts.deviceId).out).toBe(`${ALICE}/${one.opts.deviceId}: pin\n`);
    expect((await one.folderSync('0')).status).toBe(143);
    expect((await provisionedPolicy(one)).minLength).toBe('5');
    const sets = JSON.parse(admin('--json', 'policy', 'list').out) as { name: string; assignedTo: unknown[] }[];
    expect(sets.find((s) => s.name === 'pin')!.assignedTo).toEqual([{ mailbox: ALICE }]);
    admin('policy', 'unassign', ALICE);
  });

  it('a set with ENFORCE=false lets its device sync without provisioning; the others still must', async () => {
    admin('policy', 'set', 'noprov', 'ENFORCE=false');
    const free = phone(ALICE);
    const held = phone(ALICE);
    expect((await held.folderSync('0')).status).toBe(142);
    expect((await free.folderSync('0')).status).toBe(142);
    // The device must be known before it can be assigned: its first request recorded it.
    expect(admin('policy', 'assign', 'noprov', ALICE, free.opts.deviceId).code).toBe(0);
    expect((await free.folderSync('0')).status).toBe(1);
    expect((await held.folderSync('0')).status).toBe(142);
    admin('policy', 'unassign', ALICE, free.opts.deviceId);
    expect((await free.folderSync('0')).status).toBe(142);
  });

  it('refuses unknown settings, out-of-range values, unknown sets and unknown devices without changing anything', async () => {
    expect(admin('policy', 'set', 'bad', 'NO_SUCH_SETTING=1')).toMatchObject({ code: 2, err: expect.stringContaining('unknown policy setting') });
    expect(admin('policy', 'set', 'bad', 'PASSWORD_MIN_LENGTH=99')).toMatchObject({ code: 2, err: expect.stringContaining('from 1 to 16') });
    expect(admin('policy', 'set', 'bad', 'PASSWORD_REQUIRED=maybe').code).toBe(2);
    expect(admin('policy', 'set', '../x', 'PASSWORD_REQUIRED=true').code).toBe(2);
    expect(admin('policy', 'assign', 'nosuchset', ALICE)).toMatchObject({ code: 2, err: expect.stringContaining('no policy set nosuchset') });
    expect(admin('policy', 'assign', 'pin', ALICE, 'NoSuchDevice')).toMatchObject({ code: 2, err: expect.stringContaining('no device') });
    const names = (JSON.parse(admin('--json', 'policy', 'list').out) as { name: string }[]).map((s) => s.name);
    expect(names).not.toContain('bad');
  });

  it('the admin API manages sets (unscoped tokens) and assigns them within a tenant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eas-policy-api-'));
    const tokens = join(dir, 'tokens');
    writeFileSync(tokens, `${'r'.repeat(32)} label=root\n${'t'.repeat(32)} label=panel tenant=example.test\n${'o'.repeat(32)} label=other tenant=other.test\n`);
    const config = buildConfig({ ...MINIMAL, EAS_ADMIN_LISTEN: '127.0.0.1:0', EAS_ADMIN_TOKENS_FILE: tokens });
    const api: FastifyInstance = buildAdminApi(config, { db: server.services.db, repos: server.services.repos, log: server.services.log });
    try {
      const call = (token: string, method: string, path: string, body?: unknown) =>
        api.inject({ method: method as 'GET', url: path, headers: { authorization: `Bearer ${token.repeat(32)}` }, ...(body !== undefined ? { payload: body as object } : {}) });
      expect((await call('t', 'PUT', '/v1/policies/tenantset', { settings: { PASSWORD_REQUIRED: true } })).statusCode).toBe(403);
      const put = await call('r', 'PUT', '/v1/policies/apiset', { settings: { PASSWORD_REQUIRED: true, PASSWORD_MIN_LENGTH: 7 } });
      expect(put.statusCode).toBe(200);
      expect(put.json().settings).toEqual({ devicePasswordEnabled: true, minDevicePasswordLength: 7 });
      expect((await call('r', 'PUT', '/v1/policies/apiset2', { settings: { PASSWORD_MIN_LENGTH: 0 } })).statusCode).toBe(400);

      const c = phone(BOB);
      await c.provision();
      expect((await call('o', 'PUT', `/v1/mailboxes/${BOB}/devices/${c.opts.deviceId}/policy`, { policySet: 'apiset' })).statusCode).toBe(404);
      const assign = await call('t', 'PUT', `/v1/mailboxes/${BOB}/devices/${c.opts.deviceId}/policy`, { policySet: 'apiset' });
      expect(assign.statusCode).toBe(200);
      expect(assign.json()).toMatchObject({ mailbox: BOB, deviceId: c.opts.deviceId, effective: 'apiset' });
      expect(await provisionedPolicy(c)).toEqual({ passwordEnabled: '1', minLength: '7' });
      expect((await call('r', 'DELETE', '/v1/policies/apiset')).statusCode).toBe(409);

      const list = await call('o', 'GET', '/v1/policies');
      expect(list.json().sets.find((s: { name: string }) => s.name === 'apiset').assignedTo).toEqual([]);
      const mine = await call('t', 'GET', '/v1/policies');
      expect(mine.json().sets.find((s: { name: string }) => s.name === 'apiset').assignedTo).toEqual([{ mailbox: BOB, deviceId: c.opts.deviceId }]);
      expect((await call('t', 'PUT', `/v1/mailboxes/${BOB}/devices/${c.opts.deviceId}/policy`, { policySet: null })).json().effective).toBeNull();
      expect((await call('r', 'DELETE', '/v1/policies/apiset')).statusCode).toBe(200);
    } finally {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('EAS_MAX_VERSION_BY_TYPE', () => {
  const optionsVersions = async (query: string): Promise<string | null> => {
    const user = stack().user(ALICE);
    const r = await fetch(`${server.url}/Microsoft-Server-ActiveSync${query}`, {
      method: 'OPTIONS',
      headers: { authorization: `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}` },
    });
    expect(r.status).toBe(200);
    return r.headers.get('ms-asprotocolversions');
  };

  it('OPTIONS offers a pinned device type no version above its ceiling, and every version to others', async () => {
    expect(await optionsVersions('?User=alice&DeviceId=p1&DeviceType=PinnedPhone')).toBe('2.5,12.0,12.1,14.0,14.1');
    expect(await optionsVersions('?User=alice&DeviceId=p1&DeviceType=OldThing')).toBe('2.5,12.0,12.1');
    expect(await optionsVersions('?User=alice&DeviceId=p1&DeviceType=iPhone')).toBe('2.5,12.0,12.1,14.0,14.1,16.0,16.1');
    expect(await optionsVersions('')).toBe('2.5,12.0,12.1,14.0,14.1,16.0,16.1');
  });

  it('a request above the ceiling gets HTTP 400 with the versions it may use and is not recorded; at the ceiling it works', async () => {
    const high = phone(ALICE, '16.1', 'PinnedPhone');
    const r = await high.command('Provision', undefined);
    expect(r.status).toBe(400);
    expect(r.headers['ms-asprotocolversions']).toBe('2.5,12.0,12.1,14.0,14.1');
    expect(server.services.repos.devices.get(ALICE, high.opts.deviceId)).toBeUndefined();

    const ok = phone(ALICE, '14.1', 'PinnedPhone');
    await ok.provision();
    expect((await ok.folderSync('0')).status).toBe(1);
    expect((await phone(ALICE, '16.1', 'iPhone').command('Provision', undefined)).status).toBe(200);
  });

  it('a malformed ceiling is a configuration error', () => {
    expect(() => buildConfig({ ...MINIMAL, EAS_MAX_VERSION_BY_TYPE: 'PinnedPhone=15.0' })).toThrow(/EAS_MAX_VERSION_BY_TYPE/);
    expect(() => buildConfig({ ...MINIMAL, EAS_MAX_VERSION_BY_TYPE: 'justatype' })).toThrow(/DEVICETYPE=VERSION/);
  });
});
