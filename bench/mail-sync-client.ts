/**
 * The load side of bench/mail-sync.bench.ts, run in a process of its own so
 * that neither the phone's WBXML work nor the baseline's parsing shares the
 * EAS server's event loop (a real phone is another machine; a real IMAP
 * client is another process). Forked by the bench with one JSON job on the
 * command line; answers one `{ type: 'result', ... }` or `{ type: 'error' }`
 * message over IPC and exits.
 *
 *   eas:      provision + FolderSync, then the initial INBOX download over
 *             HTTP on loopback (SyncKey 0, windows until MoreAvailable stops),
 *             then `incrementalRounds` no-change Syncs, timed one by one.
 *   baseline: imapflow straight to Dovecot fetching the same messages and
 *             parts (structure, envelope, flags, then the body part cut at
 *             the truncation size), per window of the same size.
 */
import { ImapFlow } from 'imapflow';
import { EasClient } from '../src/client/index.ts';
import { child, childText, hasChild } from '../protocol/wbxml/tree.ts';
import { setUpPhone, syncOne, bodyOptions } from '../test/integration/sync-helpers.ts';

/** What the bench asks this process to do. */
export type ClientJob =
  | { readonly mode: 'eas'; readonly url: string; readonly user: string; readonly password: string; readonly deviceId: string; readonly window: number; readonly truncation: number; readonly incrementalRounds: number }
  | { readonly mode: 'baseline'; readonly host: string; readonly port: number; readonly user: string; readonly password: string; readonly window: number; readonly truncation: number };

/** What this process answers. */
export type ClientResult =
  | { readonly mode: 'eas'; readonly ms: number; readonly cpuMs: number; readonly items: number; readonly rounds: number; readonly incrementalMs: number[] }
  | { readonly mode: 'baseline'; readonly ms: number; readonly cpuMs: number; readonly messages: number; readonly bodyBytes: number };

/** CPU time (user + system) of this process since `from`, in ms. */
function cpuSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

interface Node {
  part?: string;
  type: string;
  disposition?: string;
  parameters?: Record<string, string>;
  dispositionParameters?: Record<string, string>;
  childNodes?: Node[];
}

/** The part a reader shows as HTML: first inline text/html, else first inline text/plain (what the engine picks too). */
function bodyPart(root: Node): string | undefined {
  let html: string | undefined;
  let text: string | undefined;
  const walk = (n: Node): void => {
    if (n.childNodes) return n.childNodes.forEach(walk);
    const attached = n.disposition === 'attachment' || !!n.dispositionParameters?.['filename'] || !!n.parameters?.['name'];
    if (attached) return;
    const part = n.part ?? '1';
    if (n.type === 'text/html' && !html) html = part;
    if (n.type === 'text/plain' && !text) text = part;
  };
  walk(root);
  return html ?? text;
}

/** What a hand-written imapflow client fetches for the same result. */
async function baseline(job: Extract<ClientJob, { mode: 'baseline' }>): Promise<ClientResult> {
  const c = new ImapFlow({ host: job.host, port: job.port, secure: false, auth: { user: job.user, pass: job.password }, logger: false });
  await c.connect();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let messages = 0;
  let bodyBytes = 0;
  const lock = await c.getMailboxLock('INBOX');
  try {
    const all: { uid: number; part?: string }[] = [];
    for await (const m of c.fetch('1:*', { uid: true, flags: true, internalDate: true, size: true, envelope: true, bodyStructure: true, headers: ['references', 'importance', 'x-priority'] }, { uid: true })) {
      all.push({ uid: m.uid, ...(m.bodyStructure ? { part: bodyPart(m.bodyStructure as Node) } : {}) });
    }
    all.sort((a, b) => b.uid - a.uid);
    for (let i = 0; i < all.length; i += job.window) {
      const groups = new Map<string, number[]>();
      for (const m of all.slice(i, i + job.window)) {
        messages++;
        if (!m.part) continue;
        groups.set(m.part, [...(groups.get(m.part) ?? []), m.uid]);
      }
      for (const [part, uids] of groups) {
        for await (const m of c.fetch(uids.join(','), { uid: true, bodyParts: [{ key: part, maxLength: job.truncation }] }, { uid: true, binary: true })) {
          for (const b of m.bodyParts?.values() ?? []) bodyBytes += b.length;
        }
      }
    }
  } finally {
    lock.release();
  }
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(cpu0);
  await c.logout();
  return { mode: 'baseline', ms, cpuMs, messages, bodyBytes };
}

/**
 * What a phone does for the initial download, minus building item objects
 * (a phone's own parsing is not the server's cost): SyncKey 0, then windows
 * until MoreAvailable stops, counting the Adds in each decoded response.
 */
async function eas(job: Extract<ClientJob, { mode: 'eas' }>): Promise<ClientResult> {
  const c = new EasClient({ baseUrl: job.url, user: job.user, password: job.password, deviceId: job.deviceId, deviceType: 'BenchPhone', version: '14.1' });
  const { byType } = await setUpPhone(c);
  const collectionId = byType.get(2)!;
  const options = bodyOptions(2, job.truncation);
  const one = async (syncKey: string) => {
    const res = await c.sync({ collections: [{ syncKey, collectionId, windowSize: job.window, options, commands: [] }] });
    const col = res.body && child(child(res.body, 'Collections', 'AirSync') ?? res.body, 'Collection', 'AirSync');
    if (!col || childText(col, 'Status', 'AirSync') !== '1') throw new Error(`Sync failed: HTTP ${res.status}`);
    const adds = (child(col, 'Commands', 'AirSync')?.children ?? []).filter((x) => x.name === 'Add').length;
    return { key: childText(col, 'SyncKey', 'AirSync')!, adds, more: hasChild(col, 'MoreAvailable', 'AirSync') };
  };
  // The bench reads the server's CPU time between these two marks.
  process.send!({ type: 'mark', phase: 'start' });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let { key } = await one('0');
  let items = 0;
  let rounds = 0;
  for (;;) {
    const r = await one(key);
    rounds++;
    items += r.adds;
    key = r.key;
    if (!r.more) break;
  }
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(cpu0);
  process.send!({ type: 'mark', phase: 'end' });
  const incrementalMs: number[] = [];
  for (let i = 0; i < job.incrementalRounds; i++) {
    const t = performance.now();
    const r = await syncOne(c, { collectionId, syncKey: key });
    incrementalMs.push(performance.now() - t);
    if (r.changes.length || r.status !== 1) throw new Error('incremental sync found changes');
  }
  return { mode: 'eas', ms, cpuMs, items, rounds, incrementalMs };
}

const job = JSON.parse(process.argv[2] ?? '{}') as ClientJob;
try {
  const result = job.mode === 'eas' ? await eas(job) : await baseline(job);
  process.send!({ type: 'result', result });
} catch (e) {
  process.send!({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) });
}
process.disconnect();
