import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError, loadConfig } from '../../src/config.ts';

const REQUIRED = { EAS_IMAP_URL: 'imaps://mail.example.org', EAS_SMTP_URL: 'smtp://mail.example.org:587' };

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('fills defaults and parses the IMAP URL into host, port and TLS', () => {
    const c = buildConfig(REQUIRED);
    expect(c.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(c.imap).toEqual({ host: 'mail.example.org', port: 993, secure: true, verifyTls: true });
    expect(c.tls).toBeUndefined();
    expect(c.policy.enforce).toBe(true);
    expect(c.syncWorkers).toEqual({ threads: 2, imapPerUser: 2 });
    expect(c.syncBudgetMs).toBe(5000);
    expect(buildConfig({ ...REQUIRED, EAS_SYNC_WORKERS: '0' }).syncWorkers.threads).toBe(0);
    expect(buildConfig({ ...REQUIRED, EAS_IMAP_URL: 'imap://[::1]:1143' }).imap).toMatchObject({ host: '::1', port: 1143, secure: false });
  });

  it('is frozen all the way down', () => {
    const c = buildConfig(REQUIRED);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.policy)).toBe(true);
    expect(() => {
      (c.listen as { port: number }).port = 1;
    }).toThrow();
  });

  it.each([
    [{}, 'EAS_IMAP_URL', /missing/],
    [{ EAS_IMAP_URL: 'imaps://x' }, 'EAS_SMTP_URL', /missing/],
    [{ ...REQUIRED, EAS_IMAP_URL: 'http://mail' }, 'EAS_IMAP_URL', /imap:\/\/ or imaps:\/\//],
    [{ ...REQUIRED, EAS_LISTEN: '8443' }, 'EAS_LISTEN', /host:port/],
    [{ ...REQUIRED, EAS_LISTEN: '0.0.0.0:70000' }, 'EAS_LISTEN', /host:port/],
    [{ ...REQUIRED, EAS_LOG_LEVEL: 'loud' }, 'EAS_LOG_LEVEL', /one of/],
    [{ ...REQUIRED, EAS_POLICY_ENFORCE: 'maybe' }, 'EAS_POLICY_ENFORCE', /true or false/],
    [{ ...REQUIRED, EAS_MAX_BODY_BYTES: '10k' }, 'EAS_MAX_BODY_BYTES', /whole number/],
    [{ ...REQUIRED, EAS_TLS_CERT: '/nonexistent.pem' }, 'EAS_TLS_KEY', /go together/],
    [{ ...REQUIRED, EAS_TLS_CERT: '/nonexistent.pem', EAS_TLS_KEY: '/nonexistent.key' }, 'EAS_TLS_CERT', /cannot read/],
    [{ ...REQUIRED, EAS_PUBLIC_URL: 'mail.example.org' }, 'EAS_PUBLIC_URL', /not a URL/],
    [{ ...REQUIRED, EAS_PING_MIN_HEARTBEAT: 600, EAS_PING_MAX_HEARTBEAT: 300 }, 'EAS_PING_MAX_HEARTBEAT', /not be below/],
    [{ ...REQUIRED, EAS_TRUST_PROXY: 'everyone' }, 'EAS_TRUST_PROXY', /hop count/],
    [{ ...REQUIRED, EAS_IMAP_HOST: 'x' }, 'EAS_IMAP_HOST', /unknown setting/],
    [{ ...REQUIRED, EAS_SYNC_WORKERS: 17 }, 'EAS_SYNC_WORKERS', /from 0 to 16/],
    [{ ...REQUIRED, EAS_SYNC_WORKER_IMAP_PER_USER: 0 }, 'EAS_SYNC_WORKER_IMAP_PER_USER', /from 1 to 10/],
    [{ ...REQUIRED, EAS_SYNC_TIME_BUDGET_MS: 50 }, 'EAS_SYNC_TIME_BUDGET_MS', /from 100 to 60000/],
  ])('refuses %j naming %s in one line', (input, key, why) => {
    const e = errorOf(() => buildConfig(input as Record<string, string>));
    expect(e.key).toBe(key);
    expect(e.message).toMatch(why);
    expect(e.message).toContain(key);
    expect(e.message).not.toContain('\n');
  });

  it('reads a JSON file and lets the environment override it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ ...REQUIRED, EAS_LISTEN: '127.0.0.1:9000', EAS_POLICY_ENFORCE: false, EAS_MAX_BODY_BYTES: 4096 }));
    const c = loadConfig({ file, env: { EAS_LISTEN: '127.0.0.1:9001', PATH: '/bin' } });
    expect(c.listen.port).toBe(9001);
    expect(c.policy.enforce).toBe(false);
    expect(c.limits.maxBodyBytes).toBe(4096);
  });

  it('refuses an unknown key in the file and an unreadable file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ ...REQUIRED, EAS_IMAP_PORT: 993 }));
    expect(errorOf(() => loadConfig({ file, env: {} })).key).toBe('EAS_IMAP_PORT');
    expect(errorOf(() => loadConfig({ file: join(dir, 'missing.json'), env: {} })).key).toBe('--config');
    writeFileSync(file, '[1,2]');
    expect(errorOf(() => loadConfig({ file, env: {} })).key).toBe('--config');
  });

  it('EAS_MANAGESIEVE_URL: sieve://host[:port], STARTTLS mode and verification; unset means no Out of Office', () => {
    expect(buildConfig(REQUIRED).managesieve).toBeUndefined();
    expect(buildConfig(REQUIRED, { EAS_MANAGESIEVE_URL: 'sieve://mail.example.org' }).managesieve).toEqual({ host: 'mail.example.org', port: 4190, starttls: 'auto', verifyTls: true });
    expect(buildConfig(REQUIRED, { EAS_MANAGESIEVE_URL: 'sieve://[::1]:2000', EAS_MANAGESIEVE_STARTTLS: 'required', EAS_MANAGESIEVE_TLS_VERIFY: 'false' }).managesieve).toEqual({ host: '::1', port: 2000, starttls: 'required', verifyTls: false });
    expect(errorOf(() => buildConfig(REQUIRED, { EAS_MANAGESIEVE_URL: 'imap://mail.example.org' })).key).toBe('EAS_MANAGESIEVE_URL');
    expect(errorOf(() => buildConfig(REQUIRED, { EAS_MANAGESIEVE_URL: 'sieve://mail.example.org', EAS_MANAGESIEVE_STARTTLS: 'maybe' })).key).toBe('EAS_MANAGESIEVE_STARTTLS');
  });

  it('trust proxy accepts booleans, hop counts and address lists', () => {
    expect(buildConfig({ ...REQUIRED, EAS_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(buildConfig({ ...REQUIRED, EAS_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(buildConfig({ ...REQUIRED, EAS_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe('10.0.0.0/8, 127.0.0.1');
  });
});
