/**
 * An SMTP submission server (RFC 6409) for tests and the demo: AUTH PLAIN/LOGIN
 * against the stack's users, every accepted message recorded in memory, and
 * delivered over LMTP into Dovecot for each recipient who is a local user.
 * Other recipients are accepted and only recorded (it is a sink, not a relay).
 * With `relayPort` a second listener takes mail without AUTH, as a local MTA's
 * port 25 would: Dovecot's Sieve vacation replies arrive there
 * (`submission_host` cannot authenticate), recorded with `user` ''.
 */
import { EventEmitter } from 'node:events';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { lmtpDeliver, type LmtpResult, type LmtpTarget } from './lmtp.ts';
import { LOOPBACK } from './net.ts';
import { localUserFor, type StackUser } from './users.ts';

/** One message accepted by the sink. */
export interface SinkMessage {
  /** Login that submitted it. */
  readonly user: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: Buffer;
  readonly receivedAt: Date;
  /** LMTP result per local recipient (non-local recipients have none). */
  readonly deliveries: readonly LmtpResult[];
}

export interface SmtpSinkOptions {
  readonly port: number;
  readonly users: () => Iterable<StackUser>;
  readonly lmtp: LmtpTarget;
  /** Messages larger than this are refused with 552 (SIZE, RFC 1870). Default 50 MB. */
  readonly maxSize?: number;
  /** Also listen here without AUTH (see module comment). */
  readonly relayPort?: number;
}

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** The no-AUTH listener of `relayPort`, if started. */
  readonly relay?: { readonly host: string; readonly port: number };
  /** Every accepted message, oldest first. Tests may clear it with `messages.length = 0`. */
  readonly messages: SinkMessage[];
  /** Resolves with the first recorded (or next) message matching `match`. */
  waitForMessage(match?: (m: SinkMessage) => boolean, timeoutMs?: number): Promise<SinkMessage>;
  /** Makes the next DATA commands fail with this SMTP reply until cleared with null (error-path tests). */
  setFailure(failure: { code: number; message: string } | null): void;
  stop(): Promise<void>;
}

function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** Starts the sink on 127.0.0.1:`port`. */
export async function startSmtpSink(opts: SmtpSinkOptions): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const events = new EventEmitter();
  let failure: { code: number; message: string } | null = null;
  const maxSize = opts.maxSize ?? 50 * 1024 * 1024;

  async function accept(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const raw = await readAll(stream);
    if (stream.sizeExceeded) throw smtpError(552, `message exceeds fixed maximum message size ${maxSize}`);
    if (failure) throw smtpError(failure.code, failure.message);
    const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const to = session.envelope.rcptTo.map((a) => a.address);
    const locals = [...new Set(to.map((a) => localUserFor(a, opts.users())?.name).filter((n): n is string => !!n))];
    const deliveries = locals.length ? await lmtpDeliver(opts.lmtp, { from, recipients: locals, raw }) : [];
    const msg: SinkMessage = { user: String(session.user ?? ''), from, to, raw, receivedAt: new Date(), deliveries };
    messages.push(msg);
    events.emit('message', msg);
  }

  const makeServer = (authOptional: boolean): SMTPServer => new SMTPServer({
    name: 'devstack.example.test',
    logger: false,
    secure: false,
    disabledCommands: authOptional ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional,
    authMethods: ['PLAIN', 'LOGIN'],
    size: maxSize,
    // Tests stop the stack with pooled client connections still open: do not wait 30 s for them.
    closeTimeout: 500,
    onAuth(auth, _session, cb) {
      const u = [...opts.users()].find((x) => x.name === auth.username);
      if (u && u.password === auth.password) cb(null, { user: u.name });
      else cb(smtpError(535, 'Authentication credentials invalid'));
    },
    onData(stream, session, cb) {
      accept(stream, session).then(
        () => cb(),
        (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
      );
    },
  });
  const listen = async (srv: SMTPServer, port: number): Promise<void> => {
    srv.on('error', () => {
      // Per-connection errors (client resets) are normal in tests; nothing to do.
    });
    await new Promise<void>((resolve, reject) => {
      srv.server.once('error', reject);
      srv.listen(port, LOOPBACK, () => resolve());
    });
  };
  const close = (srv: SMTPServer): Promise<void> => new Promise<void>((resolve) => srv.close(() => resolve()));
  const server = makeServer(false);
  await listen(server, opts.port);
  const relay = opts.relayPort !== undefined ? makeServer(true) : undefined;
  if (relay) {
    try {
      await listen(relay, opts.relayPort!);
    } catch (e) {
      await close(server);
      throw e;
    }
  }

  return {
    host: LOOPBACK,
    port: opts.port,
    url: `smtp://${LOOPBACK}:${opts.port}`,
    ...(relay ? { relay: { host: LOOPBACK, port: opts.relayPort! } } : {}),
    messages,
    setFailure: (f) => {
      failure = f;
    },
    waitForMessage(match = () => true, timeoutMs = 10_000) {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const onMsg = (m: SinkMessage): void => {
          if (!match(m)) return;
          clearTimeout(t);
          events.off('message', onMsg);
          resolve(m);
        };
        const t = setTimeout(() => {
          events.off('message', onMsg);
          reject(new Error(`no matching message within ${timeoutMs} ms (${messages.length} recorded)`));
        }, timeoutMs);
        events.on('message', onMsg);
      });
    },
    stop: async () => {
      await Promise.all([close(server), ...(relay ? [close(relay)] : [])]);
    },
  };
}
