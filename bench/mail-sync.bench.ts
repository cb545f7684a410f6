/**
 * Initial mail sync of an INBOX of 10,000 varied messages end to end
 * through the server (EAS client -> HTTP -> WBXML -> sync engine -> imapflow
 * -> Dovecot), WindowSize 512, BodyPreference HTML truncated at 5 KB; and,
 * in the same run against the same Dovecot, imapflow fetching the same
 * messages and parts directly as the baseline. Then the median latency of
 * an incremental Sync that finds no changes.
 *
 * Goals (issue 4): EAS initial sync <= 1.5x the baseline; no-change
 * incremental Sync < 10 ms at the median.
 */
import { ImapFlow } from 'imapflow';
import { generateMessages } from '../src/devstack/seed.ts';
import { startStack } from '../src/devstack/stack.ts';
import { startTestServer } from '../test/integration/server-setup.ts';
import type { EasClient } from '../src/client/index.ts';
import { child, childText, hasChild } from '../protocol/wbxml/tree.ts';
import { setUpPhone, syncOne, bodyOptions } from '../test/integration/sync-helpers.ts';

export const name = 'mail-sync';

const COUNT = Number(process.env.BENCH_MAIL_COUNT ?? 10_000);
const WINDOW = 512;
const TRUNCATION = 5 * 1024;
const GOAL_RATIO = 1.5;
const GOAL_INCREMENTAL_MS = 10;

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

/** What a hand-written imapflow client fetches for the same result: structure, envelope, flags, then the body part cut at 5 KB. */
async function baseline(host: string, port: number, user: string, pass: string): Promise<{ ms: number; messages: number; bodyBytes: number }> {
  const c = new ImapFlow({ host, port, secure: false, auth: { user, pass }, logger: false });
  await c.connect();
  const t0 = performance.now();
  let messages = 0;
  let bodyBytes = 0;
  const lock = await c.getMailboxLock('INBOX');
  try {
    const all: { uid: number; part?: string }[] = [];
    for await (const m of c.fetch('1:*', { uid: true, flags: true, internalDate: true, size: true, envelope: true, bodyStructure: true, headers: ['references', 'importance', 'x-priority'] }, { uid: true })) {
      all.push({ uid: m.uid, ...(m.bodyStructure ? { part: bodyPart(m.bodyStructure as Node) } : {}) });
    }
    all.sort((a, b) => b.uid - a.uid);
    for (let i = 0; i < all.length; i += WINDOW) {
      const groups = new Map<string, number[]>();
      for (const m of all.slice(i, i + WINDOW)) {
        messages++;
        if (!m.part) continue;
        groups.set(m.part, [...(groups.get(m.part) ?? []), m.uid]);
      }
      for (const [part, uids] of groups) {
        for await (const m of c.fetch(uids.join(','), { uid: true, bodyParts: [{ key: part, maxLength: TRUNCATION }] }, { uid: true, binary: true })) {
          for (const b of m.bodyParts?.values() ?? []) bodyBytes += b.length;
        }
      }
    }
  } finally {
    lock.release();
  }
  const ms = performance.now() - t0;
  await c.logout();
  return { ms, messages, bodyBytes };
}

/**
 * What a phone does for the initial download, minus building item objects
 * (a phone's own parsing is not the server's cost): SyncKey 0, then windows
 * until MoreAvailable stops, counting the Adds in each decoded response.
 */
async function download(c: EasClient, collectionId: string): Promise<{ items: number; rounds: number; syncKey: string }> {
  const options = bodyOptions(2, TRUNCATION);
  const one = async (syncKey: string) => {
    const res = await c.sync({ collections: [{ syncKey, collectionId, windowSize: WINDOW, options, commands: [] }] });
    const col = res.body && child(child(res.body, 'Collections', 'AirSync') ?? res.body, 'Collection', 'AirSync');
    if (!col || childText(col, 'Status', 'AirSync') !== '1') throw new Error(`Sync failed: HTTP ${res.status}`);
    const adds = (child(col, 'Commands', 'AirSync')?.children ?? []).filter((x) => x.name === 'Add').length;
    return { key: childText(col, 'SyncKey', 'AirSync')!, adds, more: hasChild(col, 'MoreAvailable', 'AirSync') };
  };
  let { key } = await one('0');
  let items = 0;
  let rounds = 0;
  for (;;) {
    const r = await one(key);
    rounds++;
    items += r.adds;
    key = r.key;
    if (!r.more) return { items, rounds, syncKey: key };
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<Record<string, unknown>> {
  const stack = await startStack();
  try {
    const user = stack.user();
    const msgs = generateMessages({ count: COUNT, seed: 7, owner: user.name });
    const t0 = performance.now();
    // Four connections append in parallel: seeding is not what is measured.
    const clients = await Promise.all([0, 1, 2, 3].map(() => stack.imapClient(user)));
    await Promise.all(clients.map(async (c, k) => {
      for (let i = k; i < msgs.length; i += clients.length) await c.append('INBOX', msgs[i]!.raw, [...msgs[i]!.flags], msgs[i]!.date);
    }));
    await Promise.all(clients.map((c) => c.logout()));
    const seedMs = performance.now() - t0;

    const server = await startTestServer(stack);
    try {
      // Baseline first and EAS second, then both again: the better of two runs each, so disk cache warmth favours neither.
      const base1 = await baseline(stack.imap.host, stack.imap.port, user.name, user.password);
      const eas = async () => {
        const c = server.client({ user: user.name, version: '14.1' });
        const { byType } = await setUpPhone(c);
        const t = performance.now();
        const r = await download(c, byType.get(2)!);
        return { ms: performance.now() - t, items: r.items, rounds: r.rounds, c, inbox: byType.get(2)!, syncKey: r.syncKey };
      };
      const eas1 = await eas();
      const base2 = await baseline(stack.imap.host, stack.imap.port, user.name, user.password);
      const eas2 = await eas();
      const baseMs = Math.min(base1.ms, base2.ms);
      const easMs = Math.min(eas1.ms, eas2.ms);

      const lat: number[] = [];
      for (let i = 0; i < 60; i++) {
        const t = performance.now();
        const r = await syncOne(eas2.c, { collectionId: eas2.inbox, syncKey: eas2.syncKey });
        lat.push(performance.now() - t);
        if (r.changes.length || r.status !== 1) throw new Error('incremental sync found changes');
      }
      const incMedian = median(lat.slice(10));
      const ratio = easMs / baseMs;
      return {
        messages: COUNT,
        seedMs: Math.round(seedMs),
        easInitialSyncMs: Math.round(easMs),
        easItems: eas2.items,
        easRounds: eas2.rounds,
        baselineImapflowMs: Math.round(baseMs),
        baselineMessages: base2.messages,
        ratio: Number(ratio.toFixed(2)),
        ratioGoal: GOAL_RATIO,
        ratioOk: ratio <= GOAL_RATIO,
        incrementalNoChangeMedianMs: Number(incMedian.toFixed(2)),
        incrementalGoalMs: GOAL_INCREMENTAL_MS,
        incrementalOk: incMedian < GOAL_INCREMENTAL_MS,
      };
    } finally {
      await server.stop();
      server.cleanup();
    }
  } finally {
    await stack.stop();
  }
}
