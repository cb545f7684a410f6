/**
 * A minimal LMTP client (RFC 2033) for delivering test mail into Dovecot.
 * LMTP answers DATA once per accepted recipient, so each recipient gets its
 * own result: one unknown user never hides the delivery to the others.
 */
import net from 'node:net';

export interface LmtpTarget {
  readonly host: string;
  readonly port: number;
}

export interface LmtpResult {
  readonly recipient: string;
  readonly ok: boolean;
  /** Last server reply for this recipient (RCPT refusal or DATA answer). */
  readonly reply: string;
}

export interface LmtpMessage {
  /** Envelope sender; '' for the null sender `<>`. */
  readonly from?: string;
  readonly recipients: readonly string[];
  readonly raw: string | Buffer;
}

/** Line endings normalised to CRLF and a final CRLF, as SMTP DATA requires. */
export function toCrlf(raw: string | Buffer): Buffer {
  const text = Buffer.isBuffer(raw) ? raw.toString('latin1') : Buffer.from(raw, 'utf8').toString('latin1');
  let out = text.replace(/\r?\n/g, '\r\n').replace(/\r(?!\n)/g, '\r\n');
  if (!out.endsWith('\r\n')) out += '\r\n';
  return Buffer.from(out, 'latin1');
}

/** Dot-stuffing (RFC 5321 4.5.2) plus the terminating `.` line. */
function dataPayload(raw: string | Buffer): Buffer {
  const crlf = toCrlf(raw).toString('latin1');
  const stuffed = crlf.replace(/^\./, '..').replace(/\r\n\./g, '\r\n..');
  return Buffer.from(`${stuffed}.\r\n`, 'latin1');
}

/** Reads complete (possibly multi-line) replies from a socket. */
class ReplyReader {
  private buf = '';
  private lines: string[] = [];
  private waiters: { resolve: (r: string) => void; reject: (e: Error) => void }[] = [];
  private replies: string[] = [];
  private failed: Error | undefined;

  constructor(sock: net.Socket) {
    sock.on('data', (d: Buffer) => this.feed(d.toString('latin1')));
    const fail = (e: Error): void => {
      this.failed = e;
      for (const w of this.waiters.splice(0)) w.reject(e);
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('LMTP connection closed')));
  }

  private feed(s: string): void {
    this.buf += s;
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i).replace(/\r$/, '');
      this.buf = this.buf.slice(i + 1);
      this.lines.push(line);
      // "250-..." continues, "250 ..." (or a bare code) ends the reply.
      if (line.length < 4 || line[3] !== '-') {
        const reply = this.lines.join('\n');
        this.lines = [];
        const w = this.waiters.shift();
        if (w) w.resolve(reply);
        else this.replies.push(reply);
      }
    }
  }

  next(): Promise<string> {
    const r = this.replies.shift();
    if (r !== undefined) return Promise.resolve(r);
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
}

function expect(reply: string, code: string, what: string): void {
  if (!reply.startsWith(code)) throw new Error(`LMTP ${what} refused: ${reply}`);
}

/** Delivers one message to each recipient; throws only when the session itself fails. */
export async function lmtpDeliver(target: LmtpTarget, msg: LmtpMessage, timeoutMs = 30_000): Promise<LmtpResult[]> {
  const sock = net.connect({ host: target.host, port: target.port });
  sock.setTimeout(timeoutMs, () => sock.destroy(new Error('LMTP timeout')));
  const rd = new ReplyReader(sock);
  const send = (line: string): void => {
    sock.write(`${line}\r\n`, 'latin1');
  };
  try {
    expect(await rd.next(), '220', 'greeting');
    send('LHLO devstack');
    expect(await rd.next(), '250', 'LHLO');
    send(`MAIL FROM:<${msg.from ?? ''}>`);
    expect(await rd.next(), '250', 'MAIL FROM');
    const results = new Map<string, LmtpResult>();
    const accepted: string[] = [];
    for (const r of msg.recipients) {
      send(`RCPT TO:<${r}>`);
      const reply = await rd.next();
      if (reply.startsWith('250')) accepted.push(r);
      else results.set(r, { recipient: r, ok: false, reply });
    }
    if (accepted.length > 0) {
      send('DATA');
      expect(await rd.next(), '354', 'DATA');
      sock.write(dataPayload(msg.raw));
      for (const r of accepted) {
        const reply = await rd.next();
        results.set(r, { recipient: r, ok: reply.startsWith('250'), reply });
      }
    }
    send('QUIT');
    return msg.recipients.map((r) => results.get(r) ?? { recipient: r, ok: false, reply: 'no reply' });
  } finally {
    sock.end();
    sock.destroy();
  }
}
