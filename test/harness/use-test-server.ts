/**
 * vitest wrapper around startTestServer: one EAS server per test file, kept
 * apart from server-setup.ts because importing vitest outside its runner
 * throws, and the benchmarks start servers with server-setup.ts.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Stack } from '../../src/devstack/stack.ts';
import { startTestServer, type TestServer } from '../integration/server-setup.ts';

/**
 * One server for a test file, on the file's stack: started before its tests,
 * stopped and its database removed after them. Call at module level after
 * `useStack`, like it; the getter is for use inside tests and hooks.
 */
export function useTestServer(stack: () => Stack, opts?: Parameters<typeof startTestServer>[1]): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(stack(), opts);
  });
  afterAll(async () => {
    await server?.stop();
    server?.cleanup();
  });
  return () => {
    if (!server) throw new Error('useTestServer(): the server is not running (use it inside tests or hooks)');
    return server;
  };
}
