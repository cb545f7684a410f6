/**
 * The EAS server for push tests: like test/integration/server-setup.ts, but
 * with push settings shortened (STATUS polling, watcher linger, reconnect
 * backoff) and heartbeat bounds small enough to see expiry in a test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { EasClient, type ClientFolder } from '../../src/client/index.ts';
import type { Stack } from '../../src/devstack/stack.ts';
import { buildConfig, type ConfigInput } from '../../src/config.ts';
import type { PushConfig } from '../../src/push/config.ts';
import { buildServer } from '../../src/server/build-server.ts';
import { createServices, type Services } from '../../src/server/services.ts';

export interface PushTestServer {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly services: Services;
  client(user: string, deviceId: string): EasClient;
  stop(): Promise<void>;
}

export const PUSH_TEST_ENV: ConfigInput = {
  EAS_PING_MIN_HEARTBEAT: 1,
  EAS_PING_MAX_HEARTBEAT: 120,
  EAS_PING_MAX_FOLDERS: 3,
  EAS_POLICY_ENFORCE: false,
};

export async function startPushServer(stack: Stack, push: Partial<PushConfig> = {}, env: ConfigInput = {}): Promise<PushTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'eas-push-'));
  const config = buildConfig({
    EAS_LISTEN: '127.0.0.1:0',
    EAS_IMAP_URL: stack.imap.url,
    EAS_SMTP_URL: stack.smtp.url,
    EAS_DB: join(dir, 'eas.db'),
    EAS_LOG_LEVEL: process.env.EAS_TEST_LOG_LEVEL ?? 'silent',
    EAS_AUTH_MAX_DELAY_MS: 0,
    ...PUSH_TEST_ENV,
    ...env,
  });
  const services = createServices(config, { push: { statusPollMs: 300, watcherLingerMs: 500, reconnectMinMs: 100, reconnectMaxMs: 1_000, ...push } });
  for (const u of stack.users) services.repos.mailboxes.setEnabled(u.name, true);
  const app = await buildServer(config, services);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    app,
    url,
    services,
    client(user, deviceId) {
      const u = stack.user(user);
      return new EasClient({ baseUrl: url, user: u.name, password: u.password, deviceId, deviceType: 'TestPhone', version: '14.1', timeoutMs: 150_000 });
    },
    async stop() {
      await app.close();
      await services.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** FolderSync from scratch; returns the folders by display name. */
export async function folderSync(c: EasClient): Promise<Map<string, ClientFolder>> {
  const fs = await c.folderSync('0');
  if (fs.status !== 1) throw new Error(`FolderSync status ${fs.status}`);
  return new Map(fs.adds.map((f) => [f.displayName, f]));
}

/** Waits until `cond()` holds, polling every 20 ms; throws after `ms`. */
export async function until(cond: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
