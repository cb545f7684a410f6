/**
 * From finished exchanges to capture files: builds each exchange
 * (exchange.ts, redacted unless the recording keeps bodies), picks its
 * file (one per device and day: `DAY_MAILBOX_DEVICE[_bodies].json`, the
 * mailbox hashed unless bodies are kept) and hands it to the writer. Runs
 * in the recorder's thread (capture-worker.ts), away from the requests.
 */
import { join } from 'node:path';
import type { EasRequestLine } from '../../protocol/http/request-line.ts';
import { buildExchange, type RawExchange } from './exchange.ts';
import { CAPTURE_FORMAT, type CaptureExchange } from './format.ts';
import { hashLogin } from './redact.ts';
import { CaptureWriter, type WriteFailure } from './writer.ts';

/** An OPTIONS without DeviceId waits this long for the device's next request to join its file. */
const OPTIONS_WAIT_MS = 10 * 60_000;

/** What the recording of one exchange needs to know of its recording. */
export interface RecordingRef {
  readonly id: number;
  readonly bodies: boolean;
}

/** One finished exchange of a recorded device. */
export interface FinishedExchange {
  readonly rec: RecordingRef;
  /** mailboxKey of the Basic login. */
  readonly mailbox: string;
  readonly raw: RawExchange;
}

export class SessionFiles {
  readonly #writer: CaptureWriter;
  /** OPTIONS that named no device, by mailbox, until a request of a recorded device of that mailbox. */
  readonly #options = new Map<string, { rec: RecordingRef; ex: CaptureExchange }>();

  constructor(
    private readonly dir: string,
    onFailure: WriteFailure,
  ) {
    this.#writer = new CaptureWriter(onFailure);
  }

  /** Builds the exchange and queues it for its file; throws only for an exchange that cannot be built. */
  record({ rec, mailbox, raw }: FinishedExchange): void {
    const ex = buildExchange(raw, rec.bodies);
    const deviceId = deviceIdOf(raw.line, raw.query);
    if (deviceId === undefined) {
      this.#options.set(mailbox, { rec, ex });
      return;
    }
    const deviceType = raw.line?.deviceType ?? 'unknown';
    const who = rec.bodies ? mailbox : hashLogin(mailbox);
    const day = ex.at.slice(0, 10);
    const file = join(this.dir, `${day}_${safeName(who)}_${safeName(deviceId)}${rec.bodies ? '_bodies' : ''}.json`);
    const header = {
      format: CAPTURE_FORMAT,
      source: 'recorded by eas-server',
      description: `Session of device ${deviceId} (${deviceType}) on ${day}, recorded ${rec.bodies ? 'with bodies' : 'redacted'}`,
      mailbox: who,
      deviceId,
      deviceType,
      redaction: { bodies: rec.bodies, addresses: rec.bodies ? 'kept' : 'hashed' },
    };
    const waiting = this.#options.get(mailbox);
    if (waiting) {
      this.#options.delete(mailbox);
      if (waiting.rec.bodies === rec.bodies && raw.at - Date.parse(waiting.ex.at) < OPTIONS_WAIT_MS) this.#writer.append(file, header, JSON.stringify(waiting.ex), waiting.rec.id);
    }
    this.#writer.append(file, header, JSON.stringify(ex), rec.id);
  }

  /** Resolves once everything recorded so far is written (or has failed). */
  idle(): Promise<void> {
    return this.#writer.idle();
  }
}

/** The DeviceId of the request: parsed, or for a plain query that parseQuery refused (unknown command, bad parameter) read leniently. */
export function deviceIdOf(line: EasRequestLine | undefined, query: string): string | undefined {
  if (line) return line.deviceId;
  if (!query.includes('=')) return undefined;
  for (const [k, v] of new URLSearchParams(query)) if (k.toLowerCase() === 'deviceid' && /^[A-Za-z0-9_-]{1,64}$/.test(v)) return v;
  return undefined;
}

const safeName = (s: string): string => s.replace(/[^A-Za-z0-9@._-]/g, '_');
