/**
 * Issue 12 items 5 and 8: the request counters behind /metrics (duration
 * histograms per command, answers by status, auth failures, backend
 * errors, Sync items) and `eas-admin top` read back from a real terminal
 * (tmux), against a server on the real stack.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialSync } from '../../src/client/sync-session.ts';
import { simpleMessage, useStack } from '../harness/use-stack.ts';
import { folderIds } from './mail-ops-helpers.ts';
import { startTestServer, type TestServer } from './server-setup.ts';

const stack = useStack();
const USER = 'alice@example.test';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer(stack());
  for (let i = 0; i < 3; i++) await stack().appendMessage(USER, 'INBOX', simpleMessage({ subject: `Live ${i}` }));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

async function metrics(): Promise<string> {
  const r = await fetch(`${server.url}/metrics`);
  return r.text();
}

/** The value of one sample line, e.g. `eas_requests_total{command="FolderSync",http="200",eas="1"}`. */
function sample(text: string, prefix: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('request metrics', () => {
  it('counts answers by command and status, durations in histogram buckets, Sync items and auth failures', async () => {
    const c = server.client({ user: USER, version: '14.1', deviceId: 'metrics1' });
    await c.provision();
    const { byType } = await folderIds(c);
    const synced = await initialSync(c, byType.get(2)!);
    expect(synced.changes.length).toBeGreaterThanOrEqual(3);
    const wrong = server.client({ user: USER, password: 'wrong', version: '14.1', deviceId: 'metrics2' });
    expect((await wrong.folderSync('0')).response.status).toBe(401);

    const text = await metrics();
    expect(text).toContain('# TYPE eas_request_duration_seconds histogram');
    expect(sample(text, 'eas_requests_total{command="FolderSync",http="200",eas="1"}')).toBeGreaterThanOrEqual(1);
    const count = sample(text, 'eas_request_duration_seconds_count{command="FolderSync"}')!;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'eas_request_duration_seconds_bucket{command="FolderSync",le="+Inf"}')).toBe(count);
    expect(sample(text, 'eas_request_duration_seconds_bucket{command="FolderSync",le="3600"}')).toBe(count);
    expect(sample(text, 'eas_sync_items_total')).toBeGreaterThanOrEqual(synced.changes.length);
    expect(sample(text, 'eas_auth_failures_total')).toBeGreaterThanOrEqual(1);
    const live = (await (await fetch(`${server.url}/metrics.json`)).json()) as { errors: { http: number; device?: string }[]; slowest: { command: string }[] };
    expect(live.errors.some((e) => e.http === 401)).toBe(true);
    expect(live.slowest.length).toBeGreaterThan(0);
  });
});

describe('the sample Grafana dashboard', () => {
  it('charts only metric families the server exports, with labels they carry', async () => {
    const text = await metrics();
    const dashboard = JSON.parse(readFileSync(new URL('../../src/server/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(8);
    const families = new Set([...text.matchAll(/^# TYPE (\w+) /gmu)].map((m) => m[1]));
    for (const e of exprs) {
      for (const [, name] of e.matchAll(/\b(eas_\w+)/gu)) {
        const family = name!.replace(/_(bucket|sum|count)$/u, '');
        expect(families.has(family), `${name} in ${e}`).toBe(true);
        // Every label the expression groups or filters by appears on that family's samples.
        for (const [, labels] of e.matchAll(/by \(([^)]*)\)/gu)) {
          for (const l of labels!.split(',').map((x) => x.trim()).filter((x) => x !== 'le')) {
            if (e.includes(name!)) expect(text.split('\n').some((line) => line.startsWith(family) && line.includes(`${l}="`)), `${l} on ${family}`).toBe(true);
          }
        }
      }
    }
  });
});

describe('eas-admin top in a terminal', () => {
  it('shows held requests, commands, devices and errors, refreshes, and quits on q', async () => {
    const c = server.client({ user: USER, version: '14.1', deviceId: 'topphone1' });
    await c.provision();
    await c.folderSync('0');
    const session = `eastop${process.pid}`;
    const cmd = `${process.execPath} bin/eas-admin.mjs --db ${server.dbFile} top --url ${server.url}`;
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '160', '-y', '50', cmd]);
    try {
      const screen = async (want: RegExp): Promise<string> => {
        let text = '';
        for (let i = 0; i < 50; i++) {
          text = (await promisify(execFile)('tmux', ['capture-pane', '-p', '-t', session])).stdout;
          if (want.test(text)) return text;
          await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error(`screen never showed ${want}:\n${text}`);
      };
      const first = await screen(/eas-server top/u);
      expect(first).toMatch(/held: \d+ \(Ping \d+, Sync \d+\)/u);
      expect(first).toMatch(/FolderSync\s+\d+/u);
      expect(first).toContain('topphone1');
      // A request made now shows up at a later refresh.
      await server.client({ user: USER, version: '14.1', deviceId: 'topphone2' }).provision();
      await screen(/topphone2/u);
      execFileSync('tmux', ['send-keys', '-t', session, 'q']);
      for (let i = 0; i < 50; i++) {
        try {
          execFileSync('tmux', ['has-session', '-t', session], { stdio: 'ignore' });
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('eas-admin top did not quit on q');
    } finally {
      try {
        execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  }, 30_000);

  it('--json prints one reading with the counters and the devices', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/eas-admin.mjs', '--db', server.dbFile, '--json', 'top', '--url', server.url]);
    const j = JSON.parse(stdout) as { metrics: Record<string, unknown>; devices: { deviceId: string }[] };
    expect(Object.keys(j.metrics)).toEqual(expect.arrayContaining(['eas_requests_total', 'eas_push_held_requests', 'eas_imap_pool_connections']));
    expect(j.devices.map((d) => d.deviceId)).toContain('topphone1');
  });
});
