/**
 * Load generator of the push benchmark (bench/push.bench.ts), run as its own
 * process so that its sockets and parsing do not count in the server's RSS
 * or CPU. Speaks EAS over HTTP on loopback only; driven over the fork IPC
 * channel:
 *
 *   → { type: 'prime', url, devices, concurrency }   FolderSync + Sync the INBOX of each device
 *   ← { type: 'primed', ok, failed, ms, firstError? }
 *   → { type: 'hold', heartbeatSec, perSecond }       sends one Ping per device at that rate and keeps it open
 *   ← { type: 'sent', n }                             every Ping is on the wire
 *   ← { type: 'answer', user, deviceId, status, t }   a Ping answered (t = epoch ms, sub-ms precision)
 *   → { type: 'stop' }
 */
import http from 'node:http';
import { encodeWbxml, decodeWbxml, el, child, childrenNamed, textOf, type WbxmlElement } from '../protocol/wbxml/index.ts';

export interface LoadDevice {
  readonly user: string;
  readonly password: string;
  readonly deviceId: string;
}

type InMsg =
  | { type: 'prime'; url: string; devices: LoadDevice[]; concurrency: number }
  | { type: 'hold'; heartbeatSec: number; perSecond: number }
  | { type: 'stop' };

const VERSION = '14.1';
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 100_000 });
let baseUrl = '';
let devices: LoadDevice[] = [];
/** INBOX folder id per user, from FolderSync. */
const inboxOf = new Map<string, string>();

/** Wall-clock time with sub-millisecond precision, comparable across processes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function post(d: LoadDevice, cmd: string, body: WbxmlElement | undefined): Promise<{ status: number; root: WbxmlElement | undefined }> {
  const url = new URL(baseUrl);
  const q = new URLSearchParams({ Cmd: cmd, User: d.user, DeviceId: d.deviceId, DeviceType: 'BenchPhone' });
  const bytes = body ? Buffer.from(encodeWbxml(body, { version: VERSION })) : Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: `/Microsoft-Server-ActiveSync?${q}`,
        agent,
        headers: {
          authorization: 'Basic ' + Buffer.from(`${d.user}:${d.password}`).toString('base64'),
          'ms-asprotocolversion': VERSION,
          'content-type': 'application/vnd.ms-sync.wbxml',
          'content-length': bytes.length,
          'user-agent': 'eas-bench/1',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          try {
            resolve({ status: res.statusCode ?? 0, root: buf.length ? decodeWbxml(buf) : undefined });
          } catch (e) {
            reject(e);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(bytes);
  });
}

function text(e: WbxmlElement | undefined, name: string): string | undefined {
  const c = e && child(e, name);
  return c ? textOf(c) : undefined;
}

async function primeOne(d: LoadDevice): Promise<void> {
  const fs = await post(d, 'FolderSync', el('FolderHierarchy', 'FolderSync', [el('FolderHierarchy', 'SyncKey', '0')]));
  if (fs.status !== 200 || !fs.root) throw new Error(`FolderSync HTTP ${fs.status}`);
  const adds = childrenNamed(child(fs.root, 'Changes') ?? fs.root, 'Add');
  const inbox = adds.find((a) => text(a, 'Type') === '2');
  const inboxId = inbox && text(inbox, 'ServerId');
  if (!inboxId) throw new Error('FolderSync listed no INBOX');
  inboxOf.set(d.user, inboxId);
  let key = '0';
  for (let round = 0; round < 20; round++) {
    const s = await post(
      d,
      'Sync',
      el('AirSync', 'Sync', [el('AirSync', 'Collections', [el('AirSync', 'Collection', [el('AirSync', 'SyncKey', key), el('AirSync', 'CollectionId', inboxId), ...(key === '0' ? [] : [el('AirSync', 'WindowSize', 512)])])])]),
    );
    if (s.status !== 200) throw new Error(`Sync HTTP ${s.status}`);
    // An empty 200 body means "no changes" (MS-ASCMD 2.2.1.21): primed.
    if (!s.root) return;
    const col = child(child(s.root, 'Collections') ?? s.root, 'Collection');
    const status = text(col, 'Status') ?? text(s.root, 'Status');
    if (status !== '1') throw new Error(`Sync Status ${status}`);
    key = text(col, 'SyncKey') ?? key;
    // The initial Sync (key 0) creates the device's state, which is all a
    // Ping's changes check needs; the bench mailboxes start empty, so there
    // is nothing to fetch (two round trips per device instead of three).
    if (!child(col!, 'MoreAvailable')) return;
  }
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

function deviceIndex(d: LoadDevice): number {
  const m = /d(\d+)$/.exec(d.deviceId);
  return m ? Number(m[1]) : 0;
}

async function prime(msg: Extract<InMsg, { type: 'prime' }>): Promise<void> {
  baseUrl = msg.url;
  devices = msg.devices;
  const t0 = Date.now();
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  // Device 0 of every mailbox first, then device 1, ...: concurrent requests
  // spread over mailboxes instead of queueing on one user's IMAP connections.
  const order = [...devices].sort((a, b) => deviceIndex(a) - deviceIndex(b));
  await pool(order, msg.concurrency, async (d) => {
    try {
      await primeOne(d);
      ok++;
    } catch (e) {
      failed++;
      firstError ??= `${d.user}/${d.deviceId}: ${(e as Error).message}`;
    }
  });
  process.send!({ type: 'primed', ok, failed, ms: Date.now() - t0, firstError });
}

async function hold(msg: Extract<InMsg, { type: 'hold' }>): Promise<void> {
  let sent = 0;
  const t0 = Date.now();
  const ping = (d: LoadDevice, inboxId: string, attempt: number): void => {
    const body = el('Ping', 'Ping', [el('Ping', 'HeartbeatInterval', msg.heartbeatSec), el('Ping', 'Folders', [el('Ping', 'Folder', [el('Ping', 'Id', inboxId), el('Ping', 'Class', 'Email')])])]);
    post(d, 'Ping', body).then(
      (r) => {
        const status = r.root ? Number(text(r.root, 'Status')) : -r.status;
        process.send!({ type: 'answer', user: d.user, deviceId: d.deviceId, status, t: nowMs() });
      },
      (e: Error) => {
        // As a phone does: a refused or reset connection is retried a little later.
        if (attempt < 5) setTimeout(() => ping(d, inboxId, attempt + 1), 1_000 + Math.random() * 1_000);
        else process.send!({ type: 'answer', user: d.user, deviceId: d.deviceId, status: -1, t: nowMs(), error: e.message });
      },
    );
  };
  for (const d of devices) {
    const inboxId = inboxOf.get(d.user);
    if (!inboxId) continue;
    ping(d, inboxId, 0);
    sent++;
    // Paced at msg.perSecond, in steps of 10 ms.
    const due = t0 + (sent / msg.perSecond) * 1000;
    const wait = due - Date.now();
    if (wait >= 10) await new Promise((r) => setTimeout(r, wait));
  }
  process.send!({ type: 'sent', n: sent });
}

process.on('message', (m: InMsg) => {
  if (m.type === 'prime') void prime(m);
  else if (m.type === 'hold') void hold(m);
  else if (m.type === 'stop') {
    agent.destroy();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
