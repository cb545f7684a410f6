import { chownSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemAccount } from './files.ts';

/**
 * Writes messages straight into a devstack user's Maildir (Dovecot's
 * `maildir:~/Maildir`, maildir++ folders `.Name`), for tests and benches
 * that need ten thousand messages: APPEND of 10,000 takes most of a minute,
 * files take a second. Dovecot picks them up at the next SELECT or STATUS
 * (the folder's mtime changed) and numbers them in file order; INTERNALDATE
 * is the file's mtime (Dovecot's maildir received date), set to `date`.
 *
 * Only for the devstack's own Dovecot: the files belong to the `mail` user
 * when running as root, as Dovecot runs (first_valid_uid).
 */
export interface MaildirMessage {
  readonly raw: string | Buffer;
  readonly date: Date;
  /** IMAP system flags: \Seen, \Flagged, \Answered, \Draft, \Deleted. */
  readonly flags?: readonly string[];
}

const FLAG_LETTERS: Readonly<Record<string, string>> = { '\\Draft': 'D', '\\Flagged': 'F', '\\Answered': 'R', '\\Seen': 'S', '\\Deleted': 'T' };

let serial = 0;

/** Writes `msgs` into `folder` (INBOX or a top-level folder name) of `user` under the stack's data dir `stackDir`. */
export function seedMaildir(stackDir: string, user: string, folder: string, msgs: readonly MaildirMessage[]): void {
  const owner = process.getuid?.() === 0 ? systemAccount('mail') : undefined;
  const own = (p: string): void => {
    if (owner) chownSync(p, owner.uid, owner.gid);
  };
  const home = join(stackDir, 'mail', user);
  const root = join(home, 'Maildir');
  const dir = folder.toUpperCase() === 'INBOX' ? root : join(root, `.${folder}`);
  for (const p of [home, root, dir, join(dir, 'cur'), join(dir, 'new'), join(dir, 'tmp')]) {
    mkdirSync(p, { recursive: true });
    own(p);
  }
  if (dir !== root) {
    // maildir++: a folder exists for Dovecot once it holds a maildirfolder file.
    writeFileSync(join(dir, 'maildirfolder'), '');
    own(join(dir, 'maildirfolder'));
  }
  for (const m of msgs) {
    const raw = typeof m.raw === 'string' ? Buffer.from(m.raw) : m.raw;
    const letters = [...new Set((m.flags ?? []).map((f) => FLAG_LETTERS[f]).filter((x): x is string => !!x))].sort().join('');
    const secs = Math.floor(m.date.getTime() / 1000);
    const file = join(dir, 'cur', `${secs}.M${serial++}P${process.pid}.devstack,S=${raw.length}:2,${letters}`);
    writeFileSync(file, raw);
    own(file);
    utimesSync(file, m.date, m.date);
  }
}
