/**
 * The one user list shared by every dev-stack server (Dovecot passwd-file,
 * Radicale htpasswd, SMTP AUTH): a user created once can log in everywhere.
 */

/** A mailbox account of the dev stack; `name` is the IMAP/DAV/SMTP login. */
export interface StackUser {
  readonly name: string;
  readonly password: string;
}

// passwd-file and htpasswd are colon-separated, one user per line; Dovecot
// expands %u into the home path, so '/' would escape the mail directory.
const FORBIDDEN = /[:\r\n\t\/\\ ]/;

/** Throws for names or passwords the user files cannot represent. */
export function checkUser(u: StackUser): void {
  if (!u.name || FORBIDDEN.test(u.name) || u.name.startsWith('.')) {
    throw new Error(`invalid dev-stack user name ${JSON.stringify(u.name)}`);
  }
  if (!u.password || /[:\r\n]/.test(u.password)) {
    throw new Error(`invalid password for ${u.name}: must be non-empty, without ':' or line breaks`);
  }
}

/** Dovecot passwd-file lines (plain passwords; uid, gid and home come from default_fields). */
export function passwdFile(users: Iterable<StackUser>): string {
  return [...users].map((u) => `${u.name}:{PLAIN}${u.password}::::::\n`).join('');
}

/** Radicale htpasswd lines for `htpasswd_encryption = plain`. */
export function htpasswdFile(users: Iterable<StackUser>): string {
  return [...users].map((u) => `${u.name}:${u.password}\n`).join('');
}

/**
 * Maps an envelope address to a local user: the exact login, or the local
 * part when the login has no domain (`alice@example.test` -> `alice`).
 */
export function localUserFor(address: string, users: Iterable<StackUser>): StackUser | undefined {
  const a = address.toLowerCase();
  const local = a.includes('@') ? a.slice(0, a.lastIndexOf('@')) : a;
  let byLocal: StackUser | undefined;
  for (const u of users) {
    const n = u.name.toLowerCase();
    if (n === a) return u;
    if (!n.includes('@') && n === local) byLocal = u;
  }
  return byLocal;
}
