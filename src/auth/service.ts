import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Authenticator } from '../../backends/types.ts';
import type { AuthConfig } from '../config.ts';

/** The outcome of one credential check. */
export type AuthOutcome =
  | { readonly ok: true; readonly cached: boolean }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAfterSeconds: number };

interface CacheEntry {
  readonly salt: Buffer;
  readonly hash: Buffer;
  readonly expires: number;
}

interface FailureEntry {
  count: number;
  first: number;
}

/** Hashing cost for the cache: cheap enough per request, and the plain password is never kept. */
const SCRYPT = { N: 1024, r: 8, p: 1 } as const;

function hashPassword(password: string, salt: Buffer): Buffer {
  return scryptSync(password, salt, 32, SCRYPT);
}

/**
 * Credential checks against the mail server with a short success cache and
 * throttling of failures (issue 3 item 4). Successes are cached as salted
 * scrypt hashes for `cacheTtlMs`. Failures are counted per login and per
 * client address within `failureWindowMs`: each failure answers after a
 * delay that doubles up to `maxDelayMs`, and past `maxFailures` the check is
 * refused as `throttled` without asking the mail server, so that a password
 * guesser can neither hammer IMAP nor lock it out for the real user's IP.
 */
export class AuthService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly failures = new Map<string, FailureEntry>();

  constructor(
    private readonly authenticator: Authenticator,
    private readonly config: AuthConfig,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Checks `login`/`password` for a request from `clientAddress`. Throws BackendError(BackendUnavailable) when IMAP cannot tell. */
  async check(login: string, password: string, clientAddress: string): Promise<AuthOutcome> {
    const now = this.now();
    const userKey = `u:${login.toLowerCase()}`;
    const ipKey = `a:${clientAddress}`;
    const cached = this.cache.get(userKey);
    if (cached && cached.expires > now && timingSafeEqual(cached.hash, hashPassword(password, cached.salt))) {
      return { ok: true, cached: true };
    }
    const blocked = Math.max(this.blockedFor(userKey, now), this.blockedFor(ipKey, now));
    if (blocked > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: Math.ceil(blocked / 1000) };

    const good = await this.authenticator.verify(login, password);
    if (good) {
      this.failures.delete(userKey);
      if (this.config.cacheTtlMs > 0) {
        const salt = randomBytes(16);
        this.cache.set(userKey, { salt, hash: hashPassword(password, salt), expires: now + this.config.cacheTtlMs });
      }
      this.prune(now);
      return { ok: true, cached: false };
    }
    this.cache.delete(userKey);
    const n = Math.max(this.recordFailure(userKey, now), this.recordFailure(ipKey, now));
    const delay = Math.min(this.config.baseDelayMs * 2 ** (n - 1), this.config.maxDelayMs);
    if (delay > 0) await this.sleep(delay);
    return { ok: false, reason: 'invalid' };
  }

  /** Forgets a cached success (e.g. after the backend refused the cached password). */
  forget(login: string): void {
    this.cache.delete(`u:${login.toLowerCase()}`);
  }

  private blockedFor(key: string, now: number): number {
    const f = this.failures.get(key);
    if (!f) return 0;
    if (now - f.first >= this.config.failureWindowMs) {
      this.failures.delete(key);
      return 0;
    }
    return f.count >= this.config.maxFailures ? f.first + this.config.failureWindowMs - now : 0;
  }

  private recordFailure(key: string, now: number): number {
    const f = this.failures.get(key);
    if (!f || now - f.first >= this.config.failureWindowMs) {
      this.failures.set(key, { count: 1, first: now });
      return 1;
    }
    f.count++;
    return f.count;
  }

  /** Keeps the maps bounded without a timer. */
  private prune(now: number): void {
    if (this.cache.size + this.failures.size < 10_000) return;
    for (const [k, v] of this.cache) if (v.expires <= now) this.cache.delete(k);
    for (const [k, v] of this.failures) if (now - v.first >= this.config.failureWindowMs) this.failures.delete(k);
  }
}
