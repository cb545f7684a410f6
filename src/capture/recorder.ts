/**
 * Records the EAS exchanges of the mailboxes and devices an operator chose
 * (eas-admin capture start, recordings.ts) into capture files
 * (src/capture/format.ts), one per device and day in EAS_CAPTURE_DIR.
 *
 * Four Fastify hooks, registered once for the whole app:
 * - onRequest decides. With nothing recorded that is one Map size check;
 *   otherwise the Basic login's mailbox, then the DeviceId of the query.
 * - preHandler keeps the raw body: the EAS route lets go of request.body
 *   before its handler runs (eas-route.ts prepareCommand), and by then it
 *   has been parsed and gunzipped.
 * - onSend sees the payload (a streamed one through a counting tap).
 * - onResponse hands the finished exchange with its status and duration to
 *   the capture thread (capture-worker.ts), started at the first one.
 * Decoding, redaction, XML and JSON happen there, and the files are written
 * through fs.promises (writer.ts): nothing of it runs on the event loop that
 * answers the phones, and a failure to write never fails a request. It
 * stops that recording instead, with one `capture.write-failed` warning and
 * an audit row.
 */
import { Worker } from 'node:worker_threads';
import { Transform, pipeline, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseQuery, type EasRequestLine } from '../../protocol/http/request-line.ts';
import { parseBasicAuth } from '../auth/basic.ts';
import type { Services } from '../server/services.ts';
import { mailboxKey } from '../state/mailboxes.ts';
import { keptRequestHeaders, type RawExchange } from './exchange.ts';
import type { Recording } from './recordings.ts';
import { deviceIdOf, type FinishedExchange } from './session-files.ts';
import type { CaptureReply, CaptureRequest, CaptureWorkerData } from './worker-messages.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The session recorder (tests wait on `capture.idle()` before reading files). */
    readonly capture: CaptureRecorder;
  }
}

const EAS_PATH = /^\/microsoft-server-activesync(?:\?|$)/i;
/**
 * Exchanges handed to the capture thread and not yet built, at most: past
 * either bound (a disk slower than the phone, a thread starved of CPU) new
 * exchanges are dropped with a warning, so memory stays bounded.
 */
const MAX_IN_FLIGHT = 1000;
const MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;
/** A streamed answer bigger than this is recorded by size only. */
const MAX_STREAMED_KEPT = 8 * 1024 * 1024;
const BOOT = new URL('./capture-worker-boot.mjs', import.meta.url);

/** What the hooks collect for one recorded request. */
interface InFlight {
  readonly rec: Recording;
  readonly at: number;
  readonly mailbox: string;
  readonly query: string;
  readonly line?: EasRequestLine;
  body?: Buffer;
  response?: RawExchange['responseBody'];
}

/** The recorder of one server: decides per request and hands finished exchanges to the capture thread. */
export class CaptureRecorder {
  readonly #svc: Services;
  readonly #inFlight = new WeakMap<FastifyRequest, InFlight>();
  /** Recordings whose file could not be written: their exchanges are no longer sent. */
  readonly #failed = new Set<number>();
  /** Recordings handed to the thread, for the failure report. */
  readonly #known = new Map<number, Recording>();
  /** Requests being recorded right now; at 0 the later hooks skip even the WeakMap lookup. */
  #recording = 0;
  #worker: Worker | undefined;
  /** Body bytes of each exchange posted to the thread and not yet acknowledged, oldest first (the thread answers in order). */
  #posted: number[] = [];
  #postedBytes = 0;
  #dropped = 0;
  #idleId = 0;
  readonly #idleWaiters = new Map<number, () => void>();

  constructor(svc: Services) {
    this.#svc = svc;
    svc.repos.captures.onExpired((r) => svc.log.info({ event: 'capture.expired', mailbox: r.mailbox, device: r.deviceId }, 'recording reached its --for limit'));
  }

  /** onRequest: is this request recorded? */
  begin(request: FastifyRequest): void {
    const recordings = this.#svc.repos.captures;
    const now = Date.now();
    if (recordings.snapshot(now).size === 0) return;
    if (request.method !== 'POST' && request.method !== 'OPTIONS') return;
    if (!EAS_PATH.test(request.url)) return;
    const creds = parseBasicAuth(request.headers.authorization);
    if (!creds) return;
    const mailbox = mailboxKey(creds.login);
    if (!recordings.snapshot(now).has(mailbox)) return;
    const q = request.url.indexOf('?');
    const query = q < 0 ? '' : request.url.slice(q + 1);
    let line: EasRequestLine | undefined;
    try {
      line = query ? parseQuery(query) : undefined;
    } catch {
      line = undefined;
    }
    const deviceId = deviceIdOf(line, query);
    // A POST whose query names no device has no file to go to; an OPTIONS may join the next one.
    if (deviceId === undefined && request.method !== 'OPTIONS') return;
    const rec = recordings.active(mailbox, deviceId, now) ?? (deviceId === undefined ? anyRecording(recordings.snapshot(now).get(mailbox)) : undefined);
    if (!rec || this.#failed.has(rec.id)) return;
    this.#inFlight.set(request, { rec, at: now, mailbox, query, ...(line ? { line } : {}) });
    this.#recording++;
  }

  /** preHandler: the body as received (gunzipped), before the route drops it. */
  keepBody(request: FastifyRequest): void {
    if (this.#recording === 0) return;
    const f = this.#inFlight.get(request);
    if (f && Buffer.isBuffer(request.body)) f.body = request.body;
  }

  /** onSend: the payload, or a tap on it when it is a stream. */
  seePayload(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
    if (this.#recording === 0) return payload;
    const f = this.#inFlight.get(request);
    if (!f) return payload;
    if (Buffer.isBuffer(payload)) f.response = payload;
    else if (typeof payload === 'string') f.response = Buffer.from(payload);
    else if (payload && typeof (payload as Readable).pipe === 'function') return this.#tap(f, payload as Readable, String(reply.getHeader('content-type') ?? ''));
    return payload;
  }

  /** onResponse: the exchange is complete; hand it to the capture thread. */
  finish(request: FastifyRequest, reply: FastifyReply): void {
    if (this.#recording === 0) return;
    const f = this.#inFlight.get(request);
    if (!f) return;
    this.#inFlight.delete(request);
    // A request that never finishes (its socket died before onResponse) leaves this above 0: only the fast path is lost.
    this.#recording--;
    if (this.#failed.has(f.rec.id)) return;
    const bytes = (f.body?.length ?? 0) + (Buffer.isBuffer(f.response) ? f.response.length : (f.response?.kept?.length ?? 0));
    if (this.#posted.length >= MAX_IN_FLIGHT || this.#postedBytes + bytes > MAX_IN_FLIGHT_BYTES) {
      if (this.#dropped++ === 0) this.#svc.log.warn({ event: 'capture.dropped', mailbox: f.mailbox }, 'capture thread behind; exchanges are dropped until it catches up');
      return;
    }
    this.#known.set(f.rec.id, f.rec);
    const item: FinishedExchange = {
      rec: { id: f.rec.id, bodies: f.rec.bodies },
      mailbox: f.mailbox,
      raw: {
        at: f.at,
        method: request.method as 'POST' | 'OPTIONS',
        query: f.query,
        ...(f.line ? { line: f.line } : {}),
        requestHeaders: keptRequestHeaders(request.headers),
        ...(f.body ? { requestBody: f.body } : {}),
        status: reply.statusCode,
        responseHeaders: reply.getHeaders(),
        ...(f.response ? { responseBody: f.response } : {}),
        durationMs: reply.elapsedTime,
      },
    };
    this.#post({ type: 'exchange', item, bytes });
    this.#posted.push(bytes);
    this.#postedBytes += bytes;
  }

  /** Resolves when every exchange finished so far is in its file (or has failed). */
  idle(): Promise<void> {
    if (!this.#worker) return Promise.resolve();
    const id = ++this.#idleId;
    return new Promise((resolve) => {
      this.#idleWaiters.set(id, resolve);
      this.#post({ type: 'idle', id });
    });
  }

  /** Waits for the writes, then ends the thread (app close). */
  async close(): Promise<void> {
    await this.idle();
    const w = this.#worker;
    this.#worker = undefined;
    if (w) await w.terminate();
  }

  #tap(f: InFlight, source: Readable, contentType: string): Transform {
    const keep = /^\s*application\/vnd\.ms-sync\.wbxml/i.test(contentType) || f.rec.bodies;
    const chunks: Buffer[] = [];
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (keep && size <= MAX_STREAMED_KEPT) chunks.push(chunk);
        cb(null, chunk);
      },
      flush(cb) {
        f.response = { streamedBytes: size, ...(keep && size <= MAX_STREAMED_KEPT ? { kept: Buffer.concat(chunks) } : {}) };
        cb();
      },
    });
    // An error of the source destroys the tap, which Fastify then handles as it would the source's.
    pipeline(source, tap, () => undefined);
    return tap;
  }

  #post(m: CaptureRequest): void {
    (this.#worker ??= this.#spawn()).postMessage(m);
  }

  #spawn(): Worker {
    const data: CaptureWorkerData = { dir: this.#svc.config.captureDir };
    const w = new Worker(BOOT, { workerData: data, name: 'eas-capture' });
    // An idle capture thread must not keep the process alive (tests, CLI tools).
    w.unref();
    w.on('message', (m: CaptureReply) => this.#onReply(m));
    const gone = (): void => {
      if (this.#worker !== w) return;
      this.#worker = undefined;
      this.#posted = [];
      this.#postedBytes = 0;
      for (const resolve of this.#idleWaiters.values()) resolve();
      this.#idleWaiters.clear();
    };
    w.on('error', (err) => {
      this.#svc.log.error({ event: 'capture.thread-error', err }, 'capture thread failed; its queued exchanges are lost');
      gone();
    });
    w.on('exit', gone);
    return w;
  }

  #onReply(m: CaptureReply): void {
    if (m.type === 'done') {
      this.#postedBytes -= this.#posted.shift() ?? 0;
      if (this.#posted.length === 0) this.#dropped = 0;
    } else if (m.type === 'idle') {
      this.#idleWaiters.get(m.id)?.();
      this.#idleWaiters.delete(m.id);
    } else if (m.type === 'build-failed') {
      this.#svc.log.warn({ event: 'capture.build-failed', mailbox: m.mailbox, err: m.message }, 'could not record an exchange');
    } else this.#writeFailed(m.owners, m.file, m.code, m.message);
  }

  #writeFailed(owners: readonly number[], file: string, code: string | undefined, message: string): void {
    const { repos, db, log } = this.#svc;
    for (const id of owners) {
      if (this.#failed.has(id)) continue;
      this.#failed.add(id);
      const rec = this.#known.get(id);
      db.transaction(() => {
        if (repos.captures.stopById(id) && rec) {
          repos.audit.record({ actor: 'server', action: 'capture.stop', mailbox: rec.mailbox, ...(rec.deviceId ? { deviceId: rec.deviceId } : {}), detail: { reason: 'write-failed', code: code ?? 'unknown' } });
        }
      })();
      log.warn({ event: 'capture.write-failed', mailbox: rec?.mailbox, device: rec?.deviceId ?? null, file, code, err: message }, 'capture file could not be written; the recording is stopped');
    }
  }
}

/** The mailbox-wide recording, else any one of the mailbox (for an OPTIONS that names no device). */
function anyRecording(m: { all?: Recording; devices: ReadonlyMap<string, Recording> } | undefined): Recording | undefined {
  return m?.all ?? m?.devices.values().next().value;
}

/** Registers the recorder's hooks on the app (build-server.ts); its writes are awaited when the app closes. */
export function registerCapture(app: FastifyInstance, svc: Services): CaptureRecorder {
  const recorder = new CaptureRecorder(svc);
  app.decorate('capture', recorder);
  app.addHook('onRequest', (request, _reply, done) => {
    recorder.begin(request);
    done();
  });
  app.addHook('preHandler', (request, _reply, done) => {
    recorder.keepBody(request);
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    done(null, recorder.seePayload(request, reply, payload));
  });
  app.addHook('onResponse', (request, reply, done) => {
    recorder.finish(request, reply);
    done();
  });
  app.addHook('onClose', async () => recorder.close());
  return recorder;
}
