/**
 * The body of one item worker thread (src/sync/item-workers.ts starts it
 * through item-worker-boot.mjs). It owns IMAP connections of its own and
 * runs `buildNewItems` for the jobs it is sent, so that parsing FETCH
 * responses and building items never occupy the server's event loop, which
 * holds every Ping and answers every other request.
 *
 * Replies move each item's encoded bytes to the main thread (transferred,
 * not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { isBackendError } from '../../backends/errors.ts';
import { ImapMailStore, type ImapEndpoint } from '../../backends/imap/index.ts';
import { buildNewItems, type NewItemsJob } from './new-items.ts';
import type { WorkerReply, WorkerRequest } from './item-worker-messages.ts';

export interface ItemWorkerData {
  readonly endpoint: ImapEndpoint;
  readonly maxPerUser: number;
  readonly maxTotal: number;
  readonly idleTimeoutMs: number;
  readonly logLevel: string;
}

const port = parentPort;
if (!port) throw new Error('item-worker.ts runs only as a worker thread');
const data = workerData as ItemWorkerData;
const send = (m: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

// Log lines go to the main thread, which writes them with its own logger (one stream, one format).
const log = pino({ level: data.logLevel }, { write: (line: string) => send({ type: 'log', line }) });
const store = new ImapMailStore({
  endpoint: data.endpoint,
  maxPerUser: data.maxPerUser,
  maxTotal: data.maxTotal,
  idleTimeoutMs: data.idleTimeoutMs,
  log: log.child({ component: 'imap', thread: 'item-worker' }),
});

async function build(id: number, job: NewItemsJob): Promise<void> {
  try {
    const items = await buildNewItems(store, job);
    // Each item's bytes own their buffer (encodeElement): moved to the main thread, not copied.
    send({ type: 'built', id, items }, items.map((i) => i.applicationData.bytes.buffer as ArrayBuffer));
  } catch (err) {
    const e = err as Error;
    send({ type: 'failed', id, error: { name: e.name ?? 'Error', message: e.message ?? String(err), ...(isBackendError(err) ? { code: err.code } : {}) } });
  }
}

port.on('message', (m: WorkerRequest) => {
  if (m.type === 'build') void build(m.id, m.job);
  else if (m.type === 'close') {
    void store.close().finally(() => {
      send({ type: 'closed' });
      port.close();
    });
  }
});
