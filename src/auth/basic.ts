/** Credentials from an HTTP Basic Authorization header (RFC 7617). */
export interface BasicCredentials {
  /** The name given to the IMAP server: `user` or `user@domain`; a `DOMAIN\` prefix is dropped. */
  readonly login: string;
  readonly password: string;
}

/**
 * Parses `Authorization: Basic base64(user:password)`. Exchange clients send
 * `DOMAIN\user` (Windows logon form), `user@domain` (UPN) or a bare `user`;
 * the domain part of the first form means nothing to an IMAP server and is
 * dropped. Returns undefined for anything that is not usable Basic auth.
 */
export function parseBasicAuth(header: string | undefined): BasicCredentials | undefined {
  if (!header) return undefined;
  const m = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  let login = decoded.slice(0, colon).trim();
  const password = decoded.slice(colon + 1);
  const backslash = login.lastIndexOf('\\');
  if (backslash >= 0) login = login.slice(backslash + 1);
  if (!login || login.length > 256 || /[\u0000-\u001f\s]/.test(login) || !password || password.length > 1024) return undefined;
  return { login, password };
}
