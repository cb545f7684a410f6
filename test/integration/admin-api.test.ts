/**
 * Issue 12 item 6: the admin HTTP API on its own listener, against a server
 * on the real stack driven by the project's EAS client: tokens (missing,
 * wrong, rotated), the operations reaching the phone, tenant scoping that
 * never shows another tenant's mailboxes, devices or audit rows, and bad
 * input answered 400 without a change.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES, buildAdminApi } from '../../src/admin/http-api.ts';
import { buildConfig, ConfigError } from '../../src/config.ts';
import { liveView } from '../../src/server/metrics.ts';
import { useStack } from '../harness/use-stack.ts';
import { startTestServer, type TestServer } from './server-setup.ts';
import openapi from '../../src/admin/openapi.json' with { type: 'json' };

const stack = useStack();
const ALICE = 'alice@example.test';
const CAROL = 'carol@other.test';
const FULL = 'full-operator-token-0123456789abcdef';
const EXAMPLE = 'tenant-example-token-0123456789abcdef';
const OTHER = 'tenant-other-token-0123456789abcdef';
let dir: string;
let tokensFile: string;
let server: TestServer;
let api: FastifyInstance;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eas-admin-api-'));
  tokensFile = join(dir, 'tokens');
  writeFileSync(tokensFile, `# operators\n${FULL} label=ops\n${EXAMPLE} label=panel-example tenant=example.test\n${OTHER} label=panel-other tenant=OTHER.test\n`);
  await stack().addUser(CAROL, 'carol-secret');
  server = await startTestServer(stack(), { enable: [ALICE, CAROL], env: { EAS_ADMIN_LISTEN: '127.0.0.1:0', EAS_ADMIN_TOKENS_FILE: tokensFile } });
  const s = server.services;
  api = buildAdminApi(server.config, { db: s.db, repos: s.repos, log: s.log, live: liveView(s) });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const addr = api.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}, 60_000);

afterAll(async () => {
  await api?.close();
  await server?.stop();
  server?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function call(token: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; headers: Headers }> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : undefined, headers: r.headers };
}

let n = 0;
async function provisioned(user: string, version: '14.1' | '16.1' = '14.1') {
  const c = server.client({ user, version, deviceId: `api${n++}` });
  await c.provision();
  return c;
}

describe('admin API tokens', () => {
  it('refuses a missing, malformed or wrong token with 401 and says nothing else, even for unknown paths', async () => {
    for (const [token, path] of [[undefined, '/v1/devices'], ['wrong-token-0123456789abcdefgh', '/v1/devices'], [undefined, '/no/such/path']] as const) {
      const r = await call(token, 'GET', path);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/u);
      expect(JSON.stringify(r.json)).not.toContain(ALICE);
    }
    const basic = await fetch(`${base}/v1/devices`, { headers: { authorization: `Basic ${Buffer.from(`${ALICE}:alice-secret`).toString('base64')}` } });
    expect(basic.status).toBe(401);
    expect((await call(FULL, 'GET', '/no/such/path')).status).toBe(404);
  });

  it('reads the token file again when it changes: a removed token is refused, a new one accepted', async () => {
    const NEW = 'rotated-token-0123456789abcdefghij';
    expect((await call(NEW, 'GET', '/v1/mailboxes')).status).toBe(401);
    writeFileSync(tokensFile, `${FULL} label=ops\n${EXAMPLE} label=panel-example tenant=example.test\n${OTHER} label=panel-other tenant=other.test\n${NEW} label=new\n`);
    utimesSync(tokensFile, new Date(), new Date(Date.now() + 5000));
    expect((await call(NEW, 'GET', '/v1/mailboxes')).status).toBe(200);
    // A file that no longer parses keeps the previous tokens.
    writeFileSync(tokensFile, 'short\n');
    utimesSync(tokensFile, new Date(), new Date(Date.now() + 10_000));
    expect((await call(NEW, 'GET', '/v1/mailboxes')).status).toBe(200);
    writeFileSync(tokensFile, `${FULL} label=ops\n${EXAMPLE} label=panel-example tenant=example.test\n${OTHER} label=panel-other tenant=other.test\n`);
    utimesSync(tokensFile, new Date(), new Date(Date.now() + 15_000));
    expect((await call(NEW, 'GET', '/v1/mailboxes')).status).toBe(401);
    expect((await call(FULL, 'GET', '/v1/mailboxes')).status).toBe(200);
  });

  it('an admin listener without a token file is a configuration error', () => {
    expect(() => buildConfig({ EAS_IMAP_URL: 'imap://127.0.0.1:1', EAS_SMTP_URL: 'smtp://127.0.0.1:1', EAS_ADMIN_LISTEN: '127.0.0.1:9999' })).toThrow(ConfigError);
  });
});

describe('admin API operations reach the phone', () => {
  it('block, allow, wipe and resync a device; each change audited with the token label', async () => {
    const c = await provisioned(ALICE);
    const path = `/v1/mailboxes/${encodeURIComponent(ALICE)}/devices/${c.opts.deviceId}`;
    const fs = await c.folderSync('0');
    expect(fs.status).toBe(1);

    expect((await call(FULL, 'PUT', `${path}/access`, { access: 'block' })).json).toMatchObject({ access: 'blocked', accessBy: 'operator' });
    expect((await c.folderSync('0')).status).toBe(129);
    expect((await call(FULL, 'DELETE', `${path}/access`)).json).toMatchObject({ access: 'allowed', accessBy: 'default' });
    const again = await c.folderSync('0');
    expect(again.status).toBe(1);

    expect((await call(FULL, 'POST', `${path}/resync`, {})).json).toEqual({ mailbox: ALICE, deviceId: c.opts.deviceId, folder: null });
    expect((await c.folderSync(again.syncKey!)).status).toBe(9);

    expect((await call(FULL, 'POST', `${path}/wipe`, { accountOnly: false })).json).toMatchObject({ wipe: 'pending' });
    expect((await c.provision()).remoteWipe).toBe(true);
    expect((await call(FULL, 'GET', path)).json).toMatchObject({ wipe: 'sent' });

    const trail = (await call(FULL, 'GET', `/v1/audit?mailbox=${encodeURIComponent(ALICE)}&limit=20`)).json.filter((r: { deviceId: string }) => r.deviceId === c.opts.deviceId);
    expect(trail.map((r: { action: string }) => r.action).reverse()).toEqual(['device.block', 'device.reset-access', 'device.resync', 'wipe.order', 'wipe.sent']);
    expect(trail.find((r: { action: string }) => r.action === 'device.block').actor).toBe('api:ops');

    expect((await call(FULL, 'DELETE', path)).json).toMatchObject({ removed: true });
    expect((await call(FULL, 'GET', path)).status).toBe(404);
  });

  it('rules and the default: add, list, remove; the phone sees a block rule', async () => {
    const c = server.client({ user: ALICE, deviceType: 'ApiBlocked', deviceId: 'apirule1' });
    const added = await call(FULL, 'POST', '/v1/rules', { field: 'deviceType', pattern: 'ApiBlock*', access: 'block' });
    expect(added.status).toBe(200);
    expect((await call(FULL, 'GET', '/v1/rules')).json.rules).toContainEqual(expect.objectContaining({ id: added.json.id, pattern: 'ApiBlock*' }));
    expect((await c.folderSync('0')).status).toBe(129);
    expect((await call(FULL, 'DELETE', `/v1/rules/${added.json.id}`)).status).toBe(200);
    expect((await call(FULL, 'DELETE', `/v1/rules/${added.json.id}`)).status).toBe(404);
    expect((await call(FULL, 'PUT', '/v1/rules/default', { access: 'allow' })).json).toEqual({ default: 'allowed' });
  });

  it('bad input gets 400 with a reason and changes nothing', async () => {
    const c = await provisioned(ALICE);
    const path = `/v1/mailboxes/${encodeURIComponent(ALICE)}/devices/${c.opts.deviceId}`;
    const before = (await call(FULL, 'GET', path)).json;
    const rulesBefore = (await call(FULL, 'GET', '/v1/rules')).json;
    const cases: [string, string, unknown][] = [
      ['PUT', `${path}/access`, { access: 'obliterate' }],
      ['PUT', `${path}/access`, {}],
      ['PUT', `${path}/access`, '{not json'],
      ['PUT', `${path}/access`, [1, 2]],
      ['POST', `${path}/wipe`, { accountOnly: 'yes' }],
      ['POST', `${path}/resync`, { folder: '../../etc' }],
      ['POST', '/v1/rules', { field: 'colour', pattern: 'x', access: 'block' }],
      ['POST', '/v1/rules', { field: 'deviceType', pattern: 'x'.repeat(300), access: 'block' }],
      ['DELETE', '/v1/rules/abc', undefined],
      ['PUT', '/v1/mailboxes/x', { enabled: 'true' }],
      ['GET', '/v1/audit?limit=-1', undefined],
    ];
    for (const [method, p, body] of cases) {
      const r = await call(FULL, method, p, body);
      expect(r.status, `${method} ${p} ${JSON.stringify(body)}`).toBe(400);
      expect(r.json.message).toBeTruthy();
    }
    expect((await call(FULL, 'GET', path)).json).toEqual(before);
    expect((await call(FULL, 'GET', '/v1/rules')).json).toEqual(rulesBefore);
    expect((await call(FULL, 'GET', '/v1/mailboxes')).json.map((m: { name: string }) => m.name)).not.toContain('x');
  });

  it('/v1/live gives the live counters to an unscoped token', async () => {
    const live = await call(FULL, 'GET', '/v1/live');
    expect(live.status).toBe(200);
    expect(live.json.metrics.eas_requests_total.length).toBeGreaterThan(0);
  });
});

describe('tenant scoping', () => {
  it("a scoped token never lists, shows, changes or audits another tenant's mailboxes and devices", async () => {
    const a = await provisioned(ALICE);
    const c = await provisioned(CAROL);
    expect((await call(OTHER, 'PUT', `/v1/mailboxes/${encodeURIComponent(CAROL)}/devices/${c.opts.deviceId}/access`, { access: 'quarantine' })).status).toBe(200);

    const names = async (t: string) => (await call(t, 'GET', '/v1/mailboxes')).json.map((m: { name: string }) => m.name);
    expect(await names(OTHER)).toEqual([CAROL]);
    expect(await names(EXAMPLE)).toContain(ALICE);
    expect(await names(EXAMPLE)).not.toContain(CAROL);
    expect(await names(FULL)).toEqual(expect.arrayContaining([ALICE, CAROL]));

    const devices = async (t: string, q = '') => (await call(t, 'GET', `/v1/devices${q}`)).json.map((d: { mailbox: string }) => d.mailbox);
    expect(new Set(await devices(OTHER))).toEqual(new Set([CAROL]));
    expect(await devices(EXAMPLE)).not.toContain(CAROL);
    expect((await call(EXAMPLE, 'GET', `/v1/devices?mailbox=${encodeURIComponent(CAROL)}`)).status).toBe(404);

    // Another tenant's device is "not found", whatever is asked of it, and stays as it was.
    const carolPath = `/v1/mailboxes/${encodeURIComponent(CAROL)}/devices/${c.opts.deviceId}`;
    for (const [method, suffix, body] of [['GET', '', undefined], ['PUT', '/access', { access: 'allow' }], ['POST', '/wipe', {}], ['POST', '/resync', {}], ['DELETE', '', undefined]] as const) {
      const r = await call(EXAMPLE, method, `${carolPath}${suffix}`, body);
      expect(r.status, `${method} ${suffix}`).toBe(404);
      expect(JSON.stringify(r.json)).not.toContain(c.opts.deviceId.slice(3) + 'x');
    }
    expect((await call(FULL, 'GET', carolPath)).json).toMatchObject({ access: 'quarantined', wipe: 'none' });
    expect((await call(OTHER, 'GET', `/v1/mailboxes/${encodeURIComponent(ALICE)}/devices/${a.opts.deviceId}`)).status).toBe(404);

    // Mailboxes: not another domain's, and not by giving an address of one's own domain.
    expect((await call(EXAMPLE, 'PUT', `/v1/mailboxes/${encodeURIComponent(CAROL)}`, { enabled: false })).status).toBe(403);
    expect((await call(OTHER, 'PUT', `/v1/mailboxes/${encodeURIComponent(ALICE)}`, { enabled: true, email: 'x@other.test' })).status).toBe(403);
    expect((await call(EXAMPLE, 'PUT', `/v1/mailboxes/${encodeURIComponent('dave@example.test')}`, { enabled: true, email: 'dave@other.test' })).status).toBe(403);
    expect((await call(FULL, 'GET', '/v1/mailboxes')).json.find((m: { name: string }) => m.name === CAROL).enabled).toBe(true);

    // Organisation-wide things: rules readable, not changeable; the live view not at all.
    expect((await call(OTHER, 'GET', '/v1/rules')).status).toBe(200);
    expect((await call(OTHER, 'POST', '/v1/rules', { field: 'user', pattern: '*', access: 'block' })).status).toBe(403);
    expect((await call(OTHER, 'PUT', '/v1/rules/default', { access: 'block' })).status).toBe(403);
    expect((await call(OTHER, 'GET', '/v1/rules')).json.rules).not.toContainEqual(expect.objectContaining({ field: 'user', pattern: '*' }));
    expect((await call(OTHER, 'GET', '/v1/live')).status).toBe(403);

    // Audit: only one's own mailboxes' rows.
    const audit = async (t: string, q = '') => (await call(t, 'GET', `/v1/audit${q}`)).json as { mailbox: string | null; actor: string }[];
    const otherRows = await audit(OTHER);
    expect(otherRows.length).toBeGreaterThan(0);
    expect(otherRows.every((r) => r.mailbox === CAROL)).toBe(true);
    expect((await audit(EXAMPLE)).some((r) => r.mailbox === CAROL)).toBe(false);
    expect((await call(EXAMPLE, 'GET', `/v1/audit?mailbox=${encodeURIComponent(CAROL)}`)).status).toBe(404);
    expect((await audit(FULL)).some((r) => r.mailbox === CAROL && r.actor === 'api:panel-other')).toBe(true);
  });
});

describe('the OpenAPI file', () => {
  it('describes exactly the routes the API serves', () => {
    const documented = Object.entries(openapi.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const served = [...ADMIN_ROUTES.map((r) => `${r.method} ${r.path}`), 'GET /v1/live'];
    expect(documented.sort()).toEqual(served.sort());
  });
});
