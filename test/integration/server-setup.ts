/**
 * Starts the EAS server against a running dev stack for integration tests:
 * a fresh SQLite file, the stack's IMAP/SMTP/DAV URLs, the given mailboxes
 * enabled, listening on a free loopback port. Other helpers' tests may use it.
 * Free of vitest so that the benchmarks can start servers with it too
 * (`useTestServer` in test/harness/use-test-server.ts is the vitest wrapper).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Stack } from '../../src/devstack/stack.ts';
import { EasClient, type EasClientOptions } from '../../src/client/index.ts';
import { buildConfig, type Config, type ConfigInput } from '../../src/config.ts';
import { buildServer } from '../../src/server/build-server.ts';
import { createServices, type Services } from '../../src/server/services.ts';

export interface TestServer {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly config: Config;
  readonly services: Services;
  readonly dbFile: string;
  /** A client for a stack user (default: the first), protocol 14.1 unless given. */
  client(opts?: Partial<EasClientOptions>): EasClient;
  /** Closes the server and its services; the database file stays until `cleanup`. */
  stop(): Promise<void>;
  /** Removes the database directory. */
  cleanup(): void;
}

export async function startTestServer(
  stack: Stack,
  opts: { env?: ConfigInput; enable?: readonly string[]; dbFile?: string } = {},
): Promise<TestServer> {
  const dir = opts.dbFile ? undefined : mkdtempSync(join(tmpdir(), 'eas-db-'));
  const dbFile = opts.dbFile ?? join(dir!, 'eas.db');
  const config = buildConfig({
    EAS_LISTEN: '127.0.0.1:0',
    EAS_IMAP_URL: stack.imap.url,
    EAS_SMTP_URL: stack.smtp.url,
    EAS_CALDAV_URL: stack.caldavUrl,
    EAS_CARDDAV_URL: stack.carddavUrl,
    EAS_DB: dbFile,
    EAS_LOG_LEVEL: process.env.EAS_TEST_LOG_LEVEL ?? 'silent',
    EAS_AUTH_MAX_DELAY_MS: 0,
    ...(opts.env ?? {}),
  });
  const services = createServices(config);
  for (const m of opts.enable ?? stack.users.map((u) => u.name)) services.repos.mailboxes.setEnabled(m, true);
  const app = await buildServer(config, services);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const url = `http://127.0.0.1:${port}`;
  let n = 0;
  return {
    app,
    url,
    config,
    services,
    dbFile,
    client(o = {}) {
      const user = stack.user(o.user);
      return new EasClient({
        baseUrl: url,
        user: user.name,
        password: user.password,
        deviceId: `dev${Date.now().toString(36)}${n++}`,
        deviceType: 'TestPhone',
        version: '14.1',
        ...o,
      });
    },
    async stop() {
      await app.close();
      await services.close();
    },
    cleanup() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
