/**
 * The ManageSieve client (backends/sieve/client.ts) against Dovecot's
 * Pigeonhole: STARTTLS when offered or required, login failures, and the
 * server's verdict on scripts.
 */
import { describe, expect, it } from 'vitest';
import { isBackendError } from '../../backends/errors.ts';
import { ManageSieveConnection, withManageSieve, type ManageSieveEndpoint } from '../../backends/sieve/client.ts';
import { useStack, type Stack } from '../harness/use-stack.ts';

const plain = useStack();
const tls = useStack({ tls: true });
const USER = 'alice@example.test';
const endpoint = (s: Stack, starttls: ManageSieveEndpoint['starttls']): ManageSieveEndpoint => ({ host: s.managesieve!.host, port: s.managesieve!.port, starttls, verifyTls: false, timeoutMs: 5000 });
const session = (s: Stack, password = s.user(USER).password) => ({ user: USER, password });

async function errorCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isBackendError(e) ? e.code : `not a BackendError: ${String(e)}`;
  }
}

describe('ManageSieve client (RFC 5804)', () => {
  it('takes STARTTLS when the server offers it, and logs in over TLS', async () => {
    const c = await ManageSieveConnection.open(endpoint(tls(), 'auto'), session(tls()));
    try {
      expect(c.secure).toBe(true);
      expect(c.capabilities.get('SIEVE')).toContain('vacation');
      expect(await c.listScripts()).toEqual([]);
    } finally {
      await c.logout();
    }
  });

  it('stays plain with starttls off, and refuses a server without STARTTLS when it is required', async () => {
    const c = await ManageSieveConnection.open(endpoint(tls(), 'off'), session(tls()));
    expect(c.secure).toBe(false);
    await c.logout();
    expect(await errorCode(ManageSieveConnection.open(endpoint(plain(), 'required'), session(plain())))).toBe('BackendUnavailable');
  });

  it('a wrong password is AuthFailed, a closed port BackendUnavailable', async () => {
    expect(await errorCode(ManageSieveConnection.open(endpoint(plain(), 'auto'), session(plain(), 'wrong')))).toBe('AuthFailed');
    expect(await errorCode(ManageSieveConnection.open({ ...endpoint(plain(), 'auto'), port: 1 }, session(plain())))).toBe('BackendUnavailable');
  });

  it('stores, reads back, activates and deletes scripts; a broken script is Invalid and not stored', async () => {
    const script = 'require ["fileinto"];\r\n# a "quoted" comment with {3}\r\nif header :contains "subject" "x" { fileinto "Archive"; }\r\n';
    await withManageSieve(endpoint(plain(), 'auto'), session(plain()), async (c) => {
      await c.putScript('rules', script);
      expect(await c.getScript('rules')).toBe(script);
      await c.setActive('rules');
      expect(await c.listScripts()).toEqual([{ name: 'rules', active: true }]);
      expect(await errorCode(c.putScript('broken', 'if true { keep;'))).toBe('Invalid');
      expect(await errorCode(c.checkScript('frobnicate;'))).toBe('Invalid');
      expect(await errorCode(c.getScript('broken'))).toBe('NotFound');
      expect(await errorCode(c.deleteScript('rules'))).toBe('Conflict');
      await c.setActive('');
      await c.deleteScript('rules');
      expect(await c.listScripts()).toEqual([]);
    });
  });
});
