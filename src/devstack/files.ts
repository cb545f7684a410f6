/** Small filesystem helpers for the dev stack. */
import { writeFileSync, renameSync, readFileSync, utimesSync } from 'node:fs';

/**
 * Replaces a file atomically (write + rename). A server that re-reads the file
 * (Dovecot passwd-file, Radicale htpasswd) sees the old or the new content,
 * never half of it, and the new inode defeats mtime-granularity caching.
 */
export function writeAtomic(path: string, content: string, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  // Dovecot notices a changed passwd-file by mtime (whole seconds) or size:
  // a strictly later mtime makes even a same-size rewrite visible.
  const prev = lastMtime.get(path) ?? 0;
  const mtime = Math.max(Math.floor(Date.now() / 1000), prev + 1);
  lastMtime.set(path, mtime);
  utimesSync(tmp, mtime, mtime);
  renameSync(tmp, path);
}

const lastMtime = new Map<string, number>();

/**
 * Resolves once the wall clock is in a later second than when it was called.
 * Dovecot's passwd-file driver stats the file at most once per second
 * (db-passwd-file.c, last_sync_time == ioloop_time), so a user written now
 * is visible to every lookup made after this resolves.
 */
export function nextSecond(): Promise<void> {
  const now = Date.now();
  const wait = 1000 - (now % 1000) + 5;
  return new Promise((r) => setTimeout(r, wait));
}

/** uid and gid of a system account from /etc/passwd, or undefined. */
export function systemAccount(name: string): { uid: number; gid: number } | undefined {
  let text: string;
  try {
    text = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 4) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

/** Name of the group with this gid from /etc/group, or undefined. */
export function groupName(gid: number): string | undefined {
  let text: string;
  try {
    text = readFileSync('/etc/group', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && Number(f[2]) === gid) return f[0];
  }
  return undefined;
}
