import { BackendError } from '../errors.ts';

/** The fields of a nodemailer error we read; nodemailer sets them as plain properties. */
interface SmtpFailure {
  readonly code?: string;
  readonly responseCode?: number;
  readonly response?: string;
  readonly command?: string;
  readonly message?: string;
}

/** Connection-level nodemailer codes: nothing reached the server's verdict, so a retry may succeed. */
const UNAVAILABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROXY', 'EPROTOCOL', 'EMAXLIMIT']);

/**
 * Turns whatever nodemailer threw into a BackendError with a stable code, so
 * that `src/commands/errors.ts` can map it to the command's EAS status in one
 * place (STYLE habit 7).
 *
 * RFC 5321 4.2.2 / RFC 3463: 552 and enhanced status x.3.4 mean "message too
 * big"; 535 (RFC 4954 6) is a refused AUTH; any other 5yz is a permanent
 * refusal of the envelope or content; 4yz replies are transient.
 */
export function mapSmtpError(e: unknown): BackendError {
  if (e instanceof BackendError) return e;
  const f = (typeof e === 'object' && e !== null ? e : {}) as SmtpFailure;
  const text = `${f.response ?? ''} ${f.message ?? ''}`;
  const message = `SMTP ${f.command ?? 'submission'} failed: ${f.response ?? f.message ?? String(e)}`;
  const opts = { cause: e };
  if (f.responseCode === 552 || /\b[45]\.3\.4\b/.test(text) || /size larger than allowed/i.test(text)) {
    return new BackendError('TooLarge', message, opts);
  }
  if (f.code === 'EAUTH' || f.code === 'ENOAUTH' || f.responseCode === 535 || f.responseCode === 534) {
    return new BackendError('AuthFailed', message, opts);
  }
  if (f.code && UNAVAILABLE_CODES.has(f.code)) return new BackendError('BackendUnavailable', message, opts);
  if (f.responseCode !== undefined && f.responseCode >= 400 && f.responseCode < 500) {
    return new BackendError('BackendUnavailable', message, opts);
  }
  if (f.responseCode !== undefined && f.responseCode >= 500) return new BackendError('Invalid', message, opts);
  if (f.code === 'EENVELOPE' || f.code === 'EMESSAGE') return new BackendError('Invalid', message, opts);
  return new BackendError('BackendUnavailable', message, opts);
}
