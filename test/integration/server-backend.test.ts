import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { useStack } from '../harness/use-stack.ts';
import { startTestServer } from './server-setup.ts';
import { useTestServer } from '../harness/use-test-server.ts';

const stack = useStack();
const server = useTestServer(stack);

describe('IMAP outages and reconnects', () => {
  it('a pooled connection dropped by a Dovecot restart is replaced transparently', async () => {
    const c = server().client();
    await c.provision();
    const first = await c.folderSync('0');
    expect(first.status).toBe(1);
    await stack().restartDovecot();
    const again = await c.folderSync('0');
    expect(again.status).toBe(1);
    expect(again.adds).toEqual(first.adds);
  });

  it('IMAP down: 503 with Retry-After and the device state untouched; back up: works again', async () => {
    // bob has no pooled connection yet (Provision does not touch IMAP) and a cached login,
    // so the outage shows at the pool: Dovecot keeps already-open sessions alive when stopped.
    const c = server().client({ user: 'bob@example.test' });
    await c.provision();
    await stack().stopDovecot();
    try {
      const res = await c.folderSync('0');
      expect(res.response.status).toBe(503);
      expect(Number(res.response.headers['retry-after'])).toBeGreaterThan(0);
      expect(server().services.repos.folderSync.get('bob@example.test', c.opts.deviceId)).toBeUndefined();
      expect(server().services.repos.folders.listAll('bob@example.test')).toEqual([]);
    } finally {
      await stack().startDovecot();
    }
    const after = await c.folderSync('0');
    expect(after.status).toBe(1);
    expect(after.adds.length).toBeGreaterThan(0);
  });
});

describe('HTTPS', () => {
  it('serves over TLS with the configured certificate and key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eas-tls-'));
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', algorithm: 'sha256' });
    writeFileSync(join(dir, 'cert.pem'), pems.cert);
    writeFileSync(join(dir, 'key.pem'), pems.private);
    const tls = await startTestServer(stack(), { env: { EAS_TLS_CERT: join(dir, 'cert.pem'), EAS_TLS_KEY: join(dir, 'key.pem') } });
    try {
      const c = tls.client({ baseUrl: tls.url.replace('http:', 'https:'), insecureTls: true });
      expect((await c.options()).status).toBe(200);
      await expect(tls.client({ baseUrl: tls.url.replace('http:', 'https:') }).options()).rejects.toThrow(/self[- ]signed|certificate/i);
    } finally {
      await tls.stop();
      tls.cleanup();
    }
  });
});
