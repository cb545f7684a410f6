import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { BackendError } from '../errors.ts';
import type { MailSubmitter, UserSession } from '../types.ts';
import { mapSmtpError } from './errors.ts';

/** Where and how to submit: an RFC 6409 submission server that accepts the users' IMAP credentials. */
export interface SmtpSubmitterOptions {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465). Otherwise STARTTLS when offered, or required with `requireTLS`. */
  readonly secure?: boolean;
  readonly requireTLS?: boolean;
  /** false only for test servers with self-signed certificates. */
  readonly rejectUnauthorized?: boolean;
  /** Largest message we submit, in bytes; bigger ones fail with TooLarge before any connection is made. */
  readonly maxMessageBytes: number;
  readonly connectionTimeoutMs?: number;
  /** Submission login for a mailbox; defaults to the mailbox name itself (same credentials as IMAP). */
  readonly authUser?: (user: string) => string;
  /** Keep one pooled connection per user open for this long after the last message; 0 disables pooling. */
  readonly idleMs?: number;
}

interface PooledTransport {
  readonly transport: Transporter;
  readonly password: string;
  timer?: NodeJS.Timeout;
}

/**
 * MailSubmitter over nodemailer (MS-ASCMD 2.2.1.17 SendMail, 2.2.1.19
 * SmartForward, 2.2.1.20 SmartReply): every message is submitted with SMTP
 * AUTH as the device's user, so the submission server applies its own sender
 * checks and quotas. The raw bytes are sent unchanged with an explicit
 * envelope, which is how a Bcc reaches its recipient without appearing in
 * the headers.
 */
export class SmtpSubmitter implements MailSubmitter {
  readonly #opts: SmtpSubmitterOptions;
  readonly #pool = new Map<string, PooledTransport>();

  constructor(opts: SmtpSubmitterOptions) {
    this.#opts = Object.freeze({ ...opts });
  }

  /** The configured size limit, so that callers can refuse before composing a forward. */
  get maxMessageBytes(): number {
    return this.#opts.maxMessageBytes;
  }

  async submit(
    session: UserSession,
    message: { from: string; to: readonly string[]; raw: Buffer },
  ): Promise<{ messageId?: string; accepted: string[]; rejected: string[] }> {
    if (message.raw.length > this.#opts.maxMessageBytes) {
      throw new BackendError('TooLarge', `message of ${message.raw.length} bytes exceeds the limit of ${this.#opts.maxMessageBytes}`);
    }
    if (message.to.length === 0) throw new BackendError('Invalid', 'message has no recipients');
    const pooled = this.#transportFor(session);
    try {
      const info = await pooled.transport.sendMail({
        envelope: { from: message.from, to: [...message.to] },
        raw: message.raw,
      });
      return {
        messageId: typeof info.messageId === 'string' ? info.messageId : undefined,
        accepted: (info.accepted ?? []).map(String),
        rejected: (info.rejected ?? []).map(String),
      };
    } catch (e) {
      const err = mapSmtpError(e);
      // A refused login or a dropped connection poisons the pooled transport; start afresh next time.
      if (err.code === 'AuthFailed' || err.code === 'BackendUnavailable') this.#drop(session.user);
      throw err;
    } finally {
      this.#armIdle(session.user, pooled);
    }
  }

  /** Closes every pooled connection (server shutdown, tests). */
  async close(): Promise<void> {
    for (const user of [...this.#pool.keys()]) this.#drop(user);
  }

  #transportFor(session: UserSession): PooledTransport {
    const existing = this.#pool.get(session.user);
    if (existing && existing.password === session.password) {
      clearTimeout(existing.timer);
      return existing;
    }
    if (existing) this.#drop(session.user);
    const o = this.#opts;
    const pooling = (o.idleMs ?? 30_000) > 0;
    const base = {
      host: o.host,
      port: o.port,
      secure: o.secure ?? false,
      requireTLS: o.requireTLS ?? false,
      tls: { rejectUnauthorized: o.rejectUnauthorized ?? true },
      connectionTimeout: o.connectionTimeoutMs ?? 10_000,
      greetingTimeout: o.connectionTimeoutMs ?? 10_000,
      socketTimeout: 60_000,
      auth: { user: o.authUser ? o.authUser(session.user) : session.user, pass: session.password },
    };
    const transport = pooling
      ? nodemailer.createTransport({ ...base, pool: true as const, maxConnections: 1 })
      : nodemailer.createTransport(base);
    const entry: PooledTransport = { transport, password: session.password };
    if (pooling) this.#pool.set(session.user, entry);
    return entry;
  }

  #armIdle(user: string, entry: PooledTransport): void {
    const idleMs = this.#opts.idleMs ?? 30_000;
    if (idleMs <= 0 || this.#pool.get(user) !== entry) {
      if (this.#pool.get(user) !== entry) entry.transport.close();
      return;
    }
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.#drop(user), idleMs);
    entry.timer.unref();
  }

  #drop(user: string): void {
    const entry = this.#pool.get(user);
    if (!entry) return;
    this.#pool.delete(user);
    clearTimeout(entry.timer);
    entry.transport.close();
  }
}

/**
 * Options from a submission URL: `smtps://host:465` is implicit TLS,
 * `smtp://host:587` upgrades with STARTTLS when the server offers it.
 */
export function smtpOptionsFromUrl(url: string, rest: Omit<SmtpSubmitterOptions, 'host' | 'port' | 'secure'>): SmtpSubmitterOptions {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  if (!secure && u.protocol !== 'smtp:') throw new BackendError('Invalid', `not an smtp:// or smtps:// URL: ${url}`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { ...rest, host, port: u.port ? Number(u.port) : secure ? 465 : 587, secure };
}
