/**
 * The capture thread: decoding, redacting, rendering and writing recorded
 * exchanges (session-files.ts) costs more CPU than some of the requests it
 * records (a Sync window of 512 mails is ~15 ms), so it runs beside the
 * event loop that answers the phones, not on it, at low priority, and
 * after a pause in the recorded traffic (pause-queue.ts, bench/capture.bench.ts).
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { PauseQueue } from './pause-queue.ts';
import { SessionFiles, type FinishedExchange } from './session-files.ts';
import type { CaptureReply, CaptureRequest, CaptureWorkerData } from './worker-messages.ts';

// On Linux a nice value belongs to the thread (setpriority(2) with who 0, NOTES), so this thread gets
// the CPU the server leaves idle and a busy server pays little for a recording; the recorder bounds
// what may wait meanwhile. Elsewhere it would lower the whole server's priority: left alone.
if (process.platform === 'linux') {
  try {
    setPriority(19);
  } catch {
    // Not allowed in this container or sandbox: record at normal priority.
  }
}

const port = parentPort;
if (!port) throw new Error('capture-worker.ts runs as a worker thread');
const send = (m: CaptureReply): void => port.postMessage(m);
const files = new SessionFiles((workerData as CaptureWorkerData).dir, (owners, file, err) =>
  send({ type: 'write-failed', owners, file, ...(err.code ? { code: err.code } : {}), message: err.message }),
);

/** Builds one exchange and hands it to its file; the recorder counts it done either way. */
function record(item: FinishedExchange): void {
  // Structured clone turns Buffers into plain Uint8Arrays.
  const asBuffer = (b: unknown): Buffer | undefined => (b instanceof Uint8Array ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : undefined);
  const rb = item.raw.responseBody as unknown;
  const responseBody =
    rb instanceof Uint8Array ? asBuffer(rb) : rb && typeof rb === 'object' ? { ...(rb as { streamedBytes: number }), ...((rb as { kept?: Uint8Array }).kept ? { kept: asBuffer((rb as { kept: Uint8Array }).kept) } : {}) } : undefined;
  const requestBody = asBuffer(item.raw.requestBody);
  try {
    files.record({ ...item, raw: { ...item.raw, ...(requestBody ? { requestBody } : {}), ...(responseBody ? { responseBody } : {}) } as typeof item.raw });
  } catch (err) {
    send({ type: 'build-failed', mailbox: item.mailbox, message: (err as Error).message });
  }
  send({ type: 'done' });
}

const waiting = new PauseQueue<FinishedExchange>(record);

port.on('message', (m: CaptureRequest) => {
  if (m.type === 'idle') {
    waiting.flush();
    void files.idle().then(() => send({ type: 'idle', id: m.id }));
    return;
  }
  waiting.push(m.item, m.bytes);
});
