/**
 * The admin API's bearer tokens (EAS_ADMIN_TOKENS_FILE): one per line,
 *
 *     TOKEN [label=NAME] [tenant=DOMAIN]
 *
 * with `#` comments and blank lines. `label` names the token in the audit
 * trail (`api:<label>`; default: the first 8 hex digits of its SHA-256), and
 * `tenant` limits it to the mailboxes of one mail domain (see
 * src/admin/operations.ts). The file is read again when its modification
 * time changes, so a control panel can rotate tokens without a restart; a
 * file that no longer parses keeps the previous set (and says why in the log).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { AdminPrincipal } from './operations.ts';

interface TokenEntry {
  readonly digest: Buffer;
  readonly principal: AdminPrincipal;
}

/** Shorter tokens are refused: they can be guessed over the network. */
export const MIN_TOKEN_LENGTH = 24;

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Parses the file's text; throws with the line number for anything it does not understand. */
export function parseTokens(text: string): TokenEntry[] {
  const out: TokenEntry[] = [];
  text.split(/\r?\n/u).forEach((raw, i) => {
    const line = raw.replace(/#.*$/u, '').trim();
    if (!line) return;
    const [token, ...attrs] = line.split(/\s+/u);
    if (token!.length < MIN_TOKEN_LENGTH) throw new Error(`line ${i + 1}: a token must be at least ${MIN_TOKEN_LENGTH} characters`);
    let label: string | undefined;
    let tenant: string | undefined;
    for (const a of attrs) {
      const m = /^(label|tenant)=(.+)$/u.exec(a);
      if (!m) throw new Error(`line ${i + 1}: expected label=NAME or tenant=DOMAIN, got ${JSON.stringify(a)}`);
      if (m[1] === 'label') label = m[2]!;
      else if (/^[a-z0-9.-]+$/iu.test(m[2]!)) tenant = m[2]!.toLowerCase();
      else throw new Error(`line ${i + 1}: tenant must be a mail domain`);
    }
    const digest = sha256(token!);
    out.push({ digest, principal: { actor: `api:${label ?? digest.toString('hex').slice(0, 8)}`, ...(tenant ? { tenant } : {}) } });
  });
  return out;
}

/** The token set of one file, re-read when the file changes. */
export class TokenFile {
  #entries: TokenEntry[] = [];
  #mtimeMs = -1;

  constructor(
    private readonly path: string,
    private readonly onReloadError: (message: string) => void,
  ) {
    this.#load(true);
  }

  /** The principal of `Authorization: Bearer TOKEN`, or undefined for a missing, malformed or unknown token. */
  authenticate(authorization: string | undefined): AdminPrincipal | undefined {
    const m = /^Bearer\s+(\S+)\s*$/iu.exec(authorization ?? '');
    if (!m) return undefined;
    this.#load(false);
    const digest = sha256(m[1]!);
    // Compare with every entry in constant time so the answer's timing tells nothing about which token was near.
    let found: AdminPrincipal | undefined;
    for (const e of this.#entries) if (timingSafeEqual(e.digest, digest) && !found) found = e.principal;
    return found;
  }

  #load(first: boolean): void {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.path).mtimeMs;
    } catch (e) {
      if (first) throw new Error(`${this.path}: ${(e as Error).message}`);
      return this.onReloadError(`${this.path}: ${(e as Error).message}; keeping the previous tokens`);
    }
    if (mtimeMs === this.#mtimeMs) return;
    try {
      this.#entries = parseTokens(readFileSync(this.path, 'utf8'));
      this.#mtimeMs = mtimeMs;
    } catch (e) {
      if (first) throw new Error(`${this.path}: ${(e as Error).message}`);
      this.#mtimeMs = mtimeMs;
      this.onReloadError(`${this.path}: ${(e as Error).message}; keeping the previous tokens`);
    }
  }
}
