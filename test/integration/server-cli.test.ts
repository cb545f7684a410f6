import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EasClient } from '../../src/client/index.ts';
import { freePorts } from '../../src/devstack/net.ts';
import { useStack } from '../harness/use-stack.ts';

const stack = useStack();
const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'eas-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function admin(db: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/eas-admin.mjs'), '--db', db, ...args], { encoding: 'utf8', cwd: root });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('eas-server and eas-admin', () => {
  it('eas-server refuses a bad setting with one line naming it', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin/eas-server.mjs')], { encoding: 'utf8', cwd: root, env: { PATH: process.env.PATH, EAS_IMAP_URL: 'ftp://x', EAS_SMTP_URL: 'smtp://x' } });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('EAS_IMAP_URL');
  });

  it('serves, is administered on the same database while running, and stops cleanly on SIGTERM', async () => {
    const s = stack();
    const db = join(dir, 'eas.db');
    const [port] = await freePorts(1);
    const child = spawn(process.execPath, [join(root, 'bin/eas-server.mjs')], {
      cwd: root,
      env: { PATH: process.env.PATH, EAS_LISTEN: `127.0.0.1:${port}`, EAS_IMAP_URL: s.imap.url, EAS_SMTP_URL: s.smtp.url, EAS_DB: db, EAS_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      for (let i = 0; i < 250 && !out.includes('server.listening'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('server.listening');

      const user = s.user();
      const c = new EasClient({ baseUrl: `http://127.0.0.1:${port}`, user: user.name, password: user.password, deviceId: 'CLI1', deviceType: 'TestPhone', version: '14.1' });
      expect((await c.options()).status).toBe(403);
      expect(admin(db, 'mailbox', 'enable', user.name).status).toBe(0);
      expect((await c.options()).status).toBe(200);
      await c.provision();
      expect((await c.folderSync('0')).status).toBe(1);

      const list = admin(db, 'devices', 'list', '--mailbox', user.name);
      expect(list.stdout).toContain('CLI1');
      const show = admin(db, '--json', 'device', 'show', user.name, 'CLI1');
      expect(JSON.parse(show.stdout)).toMatchObject({ deviceId: 'CLI1', deviceType: 'TestPhone', protocolVersion: '14.1' });
      expect(admin(db, 'mailbox', 'list').stdout).toMatch(new RegExp(`${user.name}\\s+enabled`));
      expect(admin(db, 'mailbox', 'disable', user.name).status).toBe(0);
      expect((await c.options()).status).toBe(403);
      expect(out).toContain('auth.mailbox-not-enabled');
      // Log lines reach us through a pipe, asynchronously: wait (bounded) for the FolderSync request line.
      const findLine = (): string | undefined => out.split('\n').find((l) => l.includes('"event":"request"') && l.includes('"cmd":"FolderSync"') && l.trimEnd().endsWith('}'));
      for (let i = 0; i < 50 && !findLine(); i++) await new Promise((r) => setTimeout(r, 100));
      const line = findLine();
      expect(JSON.parse(line!)).toMatchObject({ mailbox: user.name, device: 'CLI1', cmd: 'FolderSync', v: '14.1', http: 200, eas: 1 });
      expect(JSON.parse(line!).ms).toBeTypeOf('number');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('server.stopped');
  }, 60_000);

  it('eas-admin names an unknown device and an unknown command', () => {
    const db = join(dir, 'other.db');
    const r = admin(db, 'device', 'show', 'nobody', 'X');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no device X');
    expect(admin(db, 'frob').status).toBe(2);
  });
});
