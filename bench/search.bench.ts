/**
 * Mailbox Search over 10,000 messages (issue 13), against the real Dovecot
 * of the dev stack (no full-text index: Dovecot reads the messages, as on
 * most small installations).
 *
 * For each query kind, in the same run and on the same INBOX:
 * - baseline: a raw imapflow `UID SEARCH` of the same query on an already
 *   selected folder (what the issue compares against);
 * - baseline + fetch: that SEARCH plus one `UID FETCH` of what a result
 *   carries (FLAGS, ENVELOPE, BODYSTRUCTURE, the priority and References
 *   headers, 500 bytes of the text part) of the 100 highest UIDs: the same
 *   reading of Dovecot, without EAS (shown for context: the EAS answer
 *   lists 100 messages, the raw SEARCH only numbers);
 * - EAS: a whole Search command (client -> HTTP -> WBXML -> plan -> IMAP
 *   SEARCH -> INTERNALDATE sort -> 100 Email items with a 500-byte text
 *   body -> WBXML), with RebuildResults so every round searches IMAP.
 *
 * Goal: EAS p50 at most 1.5x the raw SEARCH p50.
 */
import type { ImapFlow } from 'imapflow';
import { mailboxSearchRequest, readMailboxSearch, searchCondition as q } from '../src/client/search-requests.ts';
import { seedMaildir } from '../src/devstack/maildir-seed.ts';
import { startStack } from '../src/devstack/stack.ts';
import { ITEM_HEADER_FIELDS } from '../src/sync/email-item.ts';
import { startTestServer } from '../test/integration/server-setup.ts';

export const name = 'search';

const COUNT = Number(process.env.BENCH_SEARCH_MESSAGES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_SEARCH_ROUNDS ?? 15);
const GOAL_RATIO = 1.5;
const USER = { name: 'bench@example.test', password: 'bench-search' };
const WORDS = ['budget', 'roadmap', 'invoice', 'meeting', 'release', 'hiring', 'travel', 'security', 'customer', 'quarterly'];
const PEOPLE = ['Ann Smith <ann@corp.test>', 'Bob Baker <bob@corp.test>', 'Chen Li <chen@corp.test>', 'Dana Ortiz <dana@corp.test>'];
const T0 = Date.parse('2025-01-01T00:00:00Z');
const DAY_MS = 24 * 3600 * 1000;
/** The UTC midnight halfway through the messages' dates. */
const MIDDLE_DAY = T0 + Math.floor((COUNT / 2) * 15 * 60_000 / DAY_MS) * DAY_MS;

function message(i: number): { raw: string; date: Date } {
  const date = new Date(T0 + i * 15 * 60_000);
  const topic = WORDS[i % WORDS.length]!;
  const rare = i % 500 === 0 ? ' zanzibar' : '';
  const lines = Array.from({ length: 20 }, (_, k) => `Line ${k} of message ${i} on ${topic}${k === 10 ? rare : ''}, with some ordinary words to read past.`);
  const raw = [
    `From: ${PEOPLE[i % PEOPLE.length]}`,
    'To: bench@example.test',
    `Subject: ${topic} update ${i}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <bench-${i}@corp.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    ...lines,
    '',
  ].join('\r\n');
  return { raw, date };
}

interface Kind {
  readonly name: string;
  readonly imap: Parameters<ImapFlow['search']>[0];
  readonly eas: ReturnType<typeof q.freeText>[];
}

const KINDS: readonly Kind[] = [
  { name: 'freeTextCommon', imap: { text: 'roadmap' }, eas: [q.freeText('roadmap')] },
  { name: 'freeTextRare', imap: { text: 'zanzibar' }, eas: [q.freeText('zanzibar')] },
  { name: 'from', imap: { from: 'dana@corp.test' }, eas: [q.header('From', 'dana@corp.test')] },
  // IMAP SINCE takes whole days; GreaterThan is strict, so it is given the millisecond before that midnight.
  { name: 'wordSinceDate', imap: { text: 'budget', since: new Date(MIDDLE_DAY) }, eas: [q.freeText('budget'), q.receivedAfter(new Date(MIDDLE_DAY - 1).toISOString())] },
];

const quantile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const r2 = (x: number): number => Number(x.toFixed(2));

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function run(): Promise<Record<string, unknown>> {
  const stack = await startStack({ users: [USER] });
  try {
    const t0 = performance.now();
    seedMaildir(stack.dir, USER.name, 'INBOX', Array.from({ length: COUNT }, (_, i) => message(i)));
    const raw = await stack.imapClient(USER.name);
    await raw.mailboxOpen('INBOX', { readOnly: true });
    if (raw.mailbox && raw.mailbox.exists !== COUNT) throw new Error(`INBOX holds ${raw.mailbox.exists} messages, not ${COUNT}`);
    const seedMs = performance.now() - t0;

    const server = await startTestServer(stack, { env: { EAS_POLICY_ENFORCE: false, EAS_LOG_LEVEL: 'silent' }, enable: [USER.name] });
    const out: Record<string, unknown> = {};
    let worst = 0;
    try {
      const c = server.client({ user: USER.name, version: '14.1' });
      const fs = await c.folderSync('0');
      const inbox = fs.adds.find((f) => f.type === 2)!.serverId;
      for (const k of KINDS) {
        const eas = [q.collection(inbox), ...k.eas];
        const search = async (): Promise<number> => {
          const r = await c.command('Search', mailboxSearchRequest(eas, { range: '0-99', rebuildResults: true, bodyPreference: { type: 1, truncationSize: 500 } }));
          const a = readMailboxSearch(r.body);
          if (a.storeStatus !== 1) throw new Error(`${k.name}: Store Status ${a.storeStatus}`);
          return a.total ?? 0;
        };
        const rawSearch = async (): Promise<number[]> => {
          const uids = await raw.search(k.imap, { uid: true });
          return Array.isArray(uids) ? uids : [];
        };
        // Both must agree on what matches before anything is timed.
        const hits = (await rawSearch()).length;
        const total = await search();
        if (hits !== total) throw new Error(`${k.name}: raw SEARCH found ${hits}, EAS Search ${total}`);
        const times = { raw: [] as number[], rawFetch: [] as number[], eas: [] as number[] };
        for (let i = 0; i < ROUNDS; i++) {
          times.raw.push(await timed(rawSearch));
          times.rawFetch.push(
            await timed(async () => {
              const uids = (await rawSearch()).sort((a, b) => b - a).slice(0, 100);
              if (uids.length) {
                await raw.fetchAll(uids.join(','), { uid: true, envelope: true, flags: true, bodyStructure: true, headers: [...ITEM_HEADER_FIELDS], bodyParts: [{ key: '1', start: 0, maxLength: 500 }] }, { uid: true });
              }
            }),
          );
          times.eas.push(await timed(search));
        }
        const p50 = { raw: quantile(times.raw, 0.5), rawFetch: quantile(times.rawFetch, 0.5), eas: quantile(times.eas, 0.5) };
        const ratio = p50.eas / p50.raw;
        worst = Math.max(worst, ratio);
        out[k.name] = {
          hits,
          rawSearchP50Ms: r2(p50.raw),
          rawSearchAndFetchP50Ms: r2(p50.rawFetch),
          easSearchP50Ms: r2(p50.eas),
          easSearchP95Ms: r2(quantile(times.eas, 0.95)),
          ratioToRawSearch: r2(ratio),
          ratioToRawSearchAndFetch: r2(p50.eas / p50.rawFetch),
        };
      }
    } finally {
      await raw.logout();
      await server.stop();
      server.cleanup();
    }
    return { messages: COUNT, rounds: ROUNDS, seedMs: Math.round(seedMs), ...out, goals: { ratioMax: GOAL_RATIO, worstRatio: r2(worst), met: worst <= GOAL_RATIO } };
  } finally {
    await stack.stop();
  }
}
