import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Authenticator } from '../../backends/types.ts';
import type { AuthConfig } from '../config.ts';

/** The outcome of one credential check. */
export type AuthOutcome =
  | { readonly ok: true; readonly cached: boolean }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAfterSeconds: number };

interface CacheEntry {
  readonly mac: Buffer;
  readonly expires: number;
}

interface FailureEntry {
  count: number;
  first: number;
}

/**
 * Why an HMAC and not a slow password hash: the cache only speeds up a check
 * the IMAP server already accepted, it never decides on its own. Its entries
 * live in this process's memory only, keyed with 32 random bytes drawn at
 * start-up that never leave the process, so a leaked MAC cannot be attacked
 * offline without also reading the key out of the same memory (which then
 * holds passwords in flight anyway). A wrong password simply misses the cache
 * and goes to IMAP, under the failure throttling below. A slow hash (scrypt
 * cost ~2 ms per request) bought nothing here and cost CPU on every command.
 * The MAC binds the login too, so one user's entry cannot match another's.
 */
const MAC_KEY = randomBytes(32);

function macOf(login: string, password: string): Buffer {
  return createHmac('sha256', MAC_KEY).update(login).update('\0').update(password).digest();
}

/**
 * Credential checks against the mail server with a short success cache and
 * throttling of failures (issue 3 item 4). Successes are cached as HMAC-SHA256
 * values under a random per-process key for `cacheTtlMs` (never the password). Failures are counted per login and per
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
    if (cached && cached.expires > now && timingSafeEqual(cached.mac, macOf(userKey, password))) {
      return { ok: true, cached: true };
    }
    const blocked = Math.max(this.blockedFor(userKey, now), this.blockedFor(ipKey, now));
    if (blocked > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: Math.ceil(blocked / 1000) };

    const good = await this.authenticator.verify(login, password);
    if (good) {
      this.failures.delete(userKey);
      if (this.config.cacheTtlMs > 0) {
        this.cache.set(userKey, { mac: macOf(userKey, password), expires: now + this.config.cacheTtlMs });
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
