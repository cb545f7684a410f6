/**
 * The real server for the hostile-input tests (ARCHITECTURE rule 9): the
 * same wiring as server-setup.ts, plus the log lines kept in memory so a
 * test can check that a refusal was logged, and a snapshot of every table
 * so a test can check that a refusal changed no stored state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Stack } from '../../src/devstack/stack.ts';
import { EasClient, type EasClientOptions } from '../../src/client/index.ts';
import { buildConfig, type ConfigInput } from '../../src/config.ts';
import type { Db } from '../../src/state/db.ts';
import type { CommandRegistry } from '../../src/commands/registry.ts';
import { buildServer } from '../../src/server/build-server.ts';
import { createServices, type Services } from '../../src/server/services.ts';

/** One parsed JSON log line. */
export type LogLine = Record<string, unknown> & { event?: string; level?: number };

export interface HostileServer {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly services: Services;
  /** Every log line so far (info and above). */
  readonly logs: LogLine[];
  client(opts?: Partial<EasClientOptions>): EasClient;
  stop(): Promise<void>;
}

/** `commands`: a registry other than the full one (the 501 path for a command the server does not answer). */
export async function startHostileServer(stack: Stack, env: ConfigInput = {}, commands?: CommandRegistry): Promise<HostileServer> {
  const dir = mkdtempSync(join(tmpdir(), 'eas-hostile-'));
  const config = buildConfig({
    EAS_LISTEN: '127.0.0.1:0',
    EAS_IMAP_URL: stack.imap.url,
    EAS_SMTP_URL: stack.smtp.url,
    EAS_DB: join(dir, 'eas.db'),
    EAS_LOG_LEVEL: 'info',
    EAS_AUTH_MAX_DELAY_MS: 0,
    ...env,
  });
  const logs: LogLine[] = [];
  const log = pino(
    { level: 'info' },
    {
      write(s: string) {
        for (const line of s.split('\n')) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      },
    },
  );
  const services = createServices(config, { log });
  for (const u of stack.users) services.repos.mailboxes.setEnabled(u.name, true);
  const app = await buildServer(config, services, commands);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  let n = 0;
  return {
    app,
    url,
    services,
    logs,
    client(o = {}) {
      const user = stack.user(o.user);
      return new EasClient({ baseUrl: url, user: user.name, password: user.password, deviceId: `hostile${n++}`, deviceType: 'TestPhone', version: '14.1', ...o });
    },
    async stop() {
      await app.close();
      await services.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Every row of every table, as text. Two contact timestamps are left out:
 * `devices.last_seen` and `sync_requests.updated_at` record that the device
 * made contact, which a refused request may legitimately update; every
 * other column (the cached request itself included) must stay as it was.
 */
export function snapshotState(db: Db): Record<string, unknown[]> {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[];
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables) {
    const rows = db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[];
    out[name] = rows
      .map((r) => {
        const copy: Record<string, unknown> = { ...r };
        if (name === 'devices') delete copy.last_seen;
        if (name === 'sync_requests') delete copy.updated_at;
        return JSON.stringify(copy, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
      })
      .sort();
  }
  return out;
}

/** Log lines written since `from` (an index into `logs`). */
export function logsSince(server: HostileServer, from: number): LogLine[] {
  return server.logs.slice(from);
}
