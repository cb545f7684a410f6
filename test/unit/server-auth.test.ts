import { describe, expect, it } from 'vitest';
import type { Authenticator } from '../../backends/types.ts';
import { BackendError } from '../../backends/errors.ts';
import { parseBasicAuth } from '../../src/auth/basic.ts';
import { AuthService } from '../../src/auth/service.ts';

const b64 = (s: string): string => `Basic ${Buffer.from(s).toString('base64')}`;

describe('parseBasicAuth', () => {
  it.each([
    ['alice:pw', 'alice'],
    ['CORP\\alice:pw', 'alice'],
    ['alice@example.org:pw', 'alice@example.org'],
    ['alice:pw:with:colons', 'alice'],
  ])('%s → login %s', (raw, login) => {
    expect(parseBasicAuth(b64(raw))?.login).toBe(login);
  });

  it('keeps the password verbatim, colons included', () => {
    expect(parseBasicAuth(b64('alice:pw:with:colons'))?.password).toBe('pw:with:colons');
  });

  it.each([undefined, '', 'Bearer abc', 'Basic !!!', b64('nocolon'), b64(':pw'), b64('alice:'), b64('al ice:pw')])('refuses %j', (h) => {
    expect(parseBasicAuth(h)).toBeUndefined();
  });
});

function fakeAuthenticator(good: Record<string, string>, calls: string[]): Authenticator {
  return {
    async verify(user, password) {
      calls.push(user);
      if (user === 'down') throw new BackendError('BackendUnavailable', 'down');
      return good[user] === password;
    },
  };
}

const CONFIG = { cacheTtlMs: 60_000, maxFailures: 3, failureWindowMs: 600_000, baseDelayMs: 100, maxDelayMs: 400 };

describe('AuthService', () => {
  it('caches a success: the next check does not ask the mail server', async () => {
    const calls: string[] = [];
    const auth = new AuthService(fakeAuthenticator({ alice: 'pw' }, calls), CONFIG, () => 0, async () => {});
    expect(await auth.check('alice', 'pw', '10.0.0.1')).toEqual({ ok: true, cached: false });
    expect(await auth.check('alice', 'pw', '10.0.0.1')).toEqual({ ok: true, cached: true });
    expect(calls).toEqual(['alice']);
  });

  it('a different password is not served from the cache', async () => {
    const calls: string[] = [];
    const auth = new AuthService(fakeAuthenticator({ alice: 'pw' }, calls), CONFIG, () => 0, async () => {});
    await auth.check('alice', 'pw', 'a');
    expect(await auth.check('alice', 'other', 'a')).toEqual({ ok: false, reason: 'invalid' });
    expect(calls).toEqual(['alice', 'alice']);
  });

  it('the cache expires', async () => {
    let now = 0;
    const calls: string[] = [];
    const auth = new AuthService(fakeAuthenticator({ alice: 'pw' }, calls), CONFIG, () => now, async () => {});
    await auth.check('alice', 'pw', 'a');
    now = 61_000;
    expect(await auth.check('alice', 'pw', 'a')).toEqual({ ok: true, cached: false });
  });

  it('failures wait longer each time, up to the maximum', async () => {
    const delays: number[] = [];
    const auth = new AuthService(fakeAuthenticator({}, []), { ...CONFIG, maxFailures: 10 }, () => 0, async (ms) => void delays.push(ms));
    for (let i = 0; i < 4; i++) await auth.check('mallory', 'x', 'a');
    expect(delays).toEqual([100, 200, 400, 400]);
  });

  it('after maxFailures for a user, checks are throttled without asking the mail server, even with the right password', async () => {
    const calls: string[] = [];
    const auth = new AuthService(fakeAuthenticator({ alice: 'pw' }, calls), CONFIG, () => 0, async () => {});
    for (let i = 0; i < 3; i++) await auth.check('alice', 'bad', `10.0.0.${i}`);
    const r = await auth.check('alice', 'pw', '10.0.0.9');
    expect(r).toMatchObject({ ok: false, reason: 'throttled' });
    expect(calls.length).toBe(3);
  });

  it('after maxFailures from one address, other users from it are throttled too', async () => {
    const auth = new AuthService(fakeAuthenticator({ bob: 'pw' }, []), CONFIG, () => 0, async () => {});
    for (const u of ['u1', 'u2', 'u3']) await auth.check(u, 'bad', '192.0.2.7');
    expect(await auth.check('bob', 'pw', '192.0.2.7')).toMatchObject({ reason: 'throttled' });
    expect(await auth.check('bob', 'pw', '192.0.2.8')).toEqual({ ok: true, cached: false });
  });

  it('throttling ends with the window', async () => {
    let now = 0;
    const auth = new AuthService(fakeAuthenticator({ alice: 'pw' }, []), CONFIG, () => now, async () => {});
    for (let i = 0; i < 3; i++) await auth.check('alice', 'bad', 'a');
    expect(await auth.check('alice', 'pw', 'b')).toMatchObject({ reason: 'throttled', retryAfterSeconds: 600 });
    now = 600_001;
    expect(await auth.check('alice', 'pw', 'b')).toEqual({ ok: true, cached: false });
  });

  it('a mail server outage is an error, not a failed login', async () => {
    const auth = new AuthService(fakeAuthenticator({}, []), CONFIG, () => 0, async () => {});
    await expect(auth.check('down', 'pw', 'a')).rejects.toMatchObject({ code: 'BackendUnavailable' });
    for (let i = 0; i < 5; i++) await auth.check('down', 'pw', 'a').catch(() => {});
    await expect(auth.check('down', 'pw', 'a')).rejects.toMatchObject({ code: 'BackendUnavailable' });
  });
});
