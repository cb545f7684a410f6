/**
 * Issue 13 item 1 and 2: Search with Store Mailbox and Find (16.1) against
 * the real Dovecot. A small hand-made world in INBOX, Archive and
 * Archive/2025 for the conditions, and 10,000 messages in Bulk (written as
 * maildir files, see src/devstack/maildir-seed.ts) for paging.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EasClient } from '../../src/client/index.ts';
import { findRequest, mailboxSearchRequest, readFind, readMailboxSearch, searchCondition as q, type MailboxSearchOptions } from '../../src/client/search-requests.ts';
import { searchImapFolders } from '../../backends/imap/search.ts';
import { seedMaildir } from '../../src/devstack/maildir-seed.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { child, childNumber, childText, el, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { simpleMessage, useStack } from '../harness/use-stack.ts';
import { startSlowProxy } from '../harness/slow-proxy.ts';
import { folderIds, syncFolder, waitFor } from './mail-ops-helpers.ts';
import { startTestServer, type TestServer } from './server-setup.ts';

const stack = useStack();
const USER = 'alice@example.test';
let server: TestServer;
const BULK = 10_000;
const BULK_HITS = BULK / 4;

/** The hand-made messages: folder, INTERNALDATE and headers. */
const WORLD = [
  { folder: 'INBOX', date: '2026-03-10T09:00:00Z', subject: 'Invoice March', from: 'Ann Smith <ann@corp.test>', body: 'Please pay invoice Z4711 by Friday.' },
  { folder: 'INBOX', date: '2026-03-12T09:00:00Z', subject: 'Lunch on Friday', from: 'Bob Baker <bob@corp.test>', cc: 'Carol Cc <carol@corp.test>', body: 'Pizza at noon.' },
  { folder: 'INBOX', date: '2026-03-01T09:00:00Z', subject: 'He said "hi" \\ (x) * %', from: 'Mallory <mallory@corp.test>', body: 'Quotes and stars.' },
  { folder: 'Archive', date: '2026-02-10T09:00:00Z', subject: 'Invoice February', from: 'Ann Smith <ann@corp.test>', body: 'The February invoice.' },
  { folder: 'Archive/2025', date: '2025-12-15T09:00:00Z', subject: 'Invoice December 2025', from: 'Ann Smith <ann@corp.test>', body: 'Last year.' },
] as const;

function raw(m: (typeof WORLD)[number]): string {
  return simpleMessage({ subject: m.subject, from: m.from, date: new Date(m.date), body: m.body }).replace('\r\nSubject:', `${'cc' in m ? `\r\nCc: ${m.cc}` : ''}\r\nSubject:`);
}

beforeAll(async () => {
  const s = stack();
  const imap = await s.imapClient(USER);
  for (const f of ['Archive', 'Archive/2025', 'Bulk']) await imap.mailboxCreate(f).catch(() => undefined);
  await imap.logout();
  for (const m of WORLD) await s.appendMessage(USER, m.folder, raw(m), [], new Date(m.date));
  // Every fourth Bulk message says "quarterly"; dates one minute apart, newest last.
  const t0 = Date.parse('2024-01-01T00:00:00Z');
  seedMaildir(
    s.dir,
    USER,
    'Bulk',
    Array.from({ length: BULK }, (_, i) => ({
      raw: simpleMessage({ subject: `Report ${i}`, date: new Date(t0 + i * 60_000), body: i % 4 === 0 ? `The quarterly numbers, part ${i}.` : `Numbers, part ${i}.` }),
      date: new Date(t0 + i * 60_000),
    })),
  );
  server = await startTestServer(s);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

let phones = 0;
async function phone(version: '14.1' | '16.1' = '14.1', user = USER): Promise<{ c: EasClient; ids: Map<string, string> }> {
  const c = server.client({ user, version, deviceId: `search${phones++}` });
  await c.provision();
  const { byName } = await folderIds(c);
  return { c, ids: byName };
}

async function search(c: EasClient, conditions: WbxmlElement[], o: MailboxSearchOptions = {}) {
  const res = await c.command('Search', mailboxSearchRequest(conditions, o));
  expect(res.status).toBe(200);
  return readMailboxSearch(res.body);
}

const subjects = (a: { hits: { subject?: string }[] }): string[] => a.hits.map((h) => h.subject ?? '');

describe('Search, Store Mailbox', () => {
  it('OPTIONS advertises Search and Find', async () => {
    const { c } = await phone();
    const commands = String((await c.options()).headers['ms-asprotocolcommands']).split(',');
    expect(commands).toEqual(expect.arrayContaining(['Search', 'Find']));
  });

  it('FreeText searches every mail folder, newest first, with Class, LongId, CollectionId and Total', async () => {
    const { c, ids } = await phone();
    const a = await search(c, [q.emailClass(), q.freeText('invoice')]);
    expect(a.status).toBe(1);
    expect(a.storeStatus).toBe(1);
    expect(subjects(a)).toEqual(['Invoice March', 'Invoice February', 'Invoice December 2025']);
    expect(a.total).toBe(3);
    expect(a.range).toBe('0-2');
    expect(a.hits.map((h) => h.collectionId)).toEqual([ids.get('Inbox') ?? ids.get('INBOX'), ids.get('Archive'), ids.get('2025')]);
    for (const h of a.hits) {
      expect(h.class).toBe('Email');
      expect(h.id).toMatch(/^\d+\.\d+\.\d+\.[\w-]{11}$/u);
    }
    expect(a.hits[0]!.from).toContain('ann@corp.test');
  });

  it('a mailbox that no device has listed yet is searched all the same (its folders are listed first)', async () => {
    const fresh = await startTestServer(stack());
    try {
      const c = fresh.client({ user: USER, version: '14.1', deviceId: 'searchfirst' });
      await c.provision();
      const a = await search(c, [q.emailClass(), q.freeText('invoice')]);
      expect(subjects(a)).toEqual(['Invoice March', 'Invoice February', 'Invoice December 2025']);
      expect(a.hits.every((h) => /^\d+$/u.test(h.collectionId ?? ''))).toBe(true);
    } finally {
      await fresh.stop();
      fresh.cleanup();
    }
  });

  it('several words must all match; no match is an empty Result with Total 0', async () => {
    const { c } = await phone();
    expect(subjects(await search(c, [q.freeText('invoice february')]))).toEqual(['Invoice February']);
    const none = await search(c, [q.freeText('zebracorn')]);
    expect(none.storeStatus).toBe(1);
    expect(none.hits).toEqual([]);
    expect(none.total).toBe(0);
  });

  it('From, To, Subject conditions, Or, and DateReceived ranges', async () => {
    const { c } = await phone();
    expect(subjects(await search(c, [q.header('From', 'bob@corp.test')]))).toEqual(['Lunch on Friday']);
    expect(subjects(await search(c, [q.header('Subject', 'lunch')]))).toEqual(['Lunch on Friday']);
    expect(subjects(await search(c, [q.header('To', 'alice@example.test'), q.freeText('pizza')]))).toEqual(['Lunch on Friday']);
    expect(subjects(await search(c, [q.or([q.header('From', 'bob'), q.header('Subject', 'february')])]))).toEqual(['Lunch on Friday', 'Invoice February']);
    expect(subjects(await search(c, [q.freeText('invoice'), q.receivedAfter('2026-03-01T00:00:00.000Z')]))).toEqual(['Invoice March']);
    expect(subjects(await search(c, [q.freeText('invoice'), q.receivedBefore('2026-01-01T00:00:00.000Z')]))).toEqual(['Invoice December 2025']);
    // Exact to the millisecond on INTERNALDATE, not to the day as IMAP SINCE/BEFORE are.
    expect(subjects(await search(c, [q.freeText('invoice'), q.receivedAfter('2026-03-10T08:59:59.000Z'), q.receivedBefore('2026-03-10T09:00:01.000Z')]))).toEqual(['Invoice March']);
    expect(subjects(await search(c, [q.freeText('invoice'), q.receivedAfter('2026-03-10T09:00:01.000Z')]))).toEqual([]);
  });

  it('CollectionId limits the search to that folder; DeepTraversal adds its subfolders', async () => {
    const { c, ids } = await phone();
    const archive = ids.get('Archive')!;
    expect(subjects(await search(c, [q.collection(archive), q.freeText('invoice')]))).toEqual(['Invoice February']);
    expect(subjects(await search(c, [q.collection(archive), q.freeText('invoice')], { deepTraversal: true }))).toEqual(['Invoice February', 'Invoice December 2025']);
  });

  it('BodyPreference gives each result its body, as Sync would', async () => {
    const { c } = await phone();
    const a = await search(c, [q.freeText('Z4711')], { bodyPreference: { type: 1, truncationSize: 500 } });
    expect(a.hits[0]!.text).toContain('Please pay invoice Z4711');
  });

  it('pages through 10,000 messages with Range, Total and no result twice; Range past the end is empty', async () => {
    const { c, ids } = await phone();
    const bulk = ids.get('Bulk')!;
    const seen = new Set<string>();
    let last = Number.POSITIVE_INFINITY;
    for (const range of ['0-99', '100-199', '2400-2599']) {
      const a = await search(c, [q.collection(bulk), q.freeText('quarterly')], { range });
      expect(a.total).toBe(BULK_HITS);
      expect(a.hits.length).toBe(100);
      const start = Number(range.split('-')[0]);
      expect(a.range).toBe(`${start}-${Math.min(start + 99, BULK_HITS - 1)}`);
      for (const h of a.hits) {
        expect(seen.has(h.id!)).toBe(false);
        seen.add(h.id!);
        const n = Number(/Report (\d+)/u.exec(h.subject!)![1]);
        expect(n % 4).toBe(0);
        expect(n).toBeLessThan(last);
        last = n;
      }
    }
    // Newest first: the very first hit is the last quarterly report.
    expect(subjects(await search(c, [q.collection(bulk), q.freeText('quarterly')], { range: '0-0' }))).toEqual([`Report ${BULK - 4}`]);
    const past = await search(c, [q.collection(bulk), q.freeText('quarterly')], { range: '5000-5099' });
    expect(past.storeStatus).toBe(1);
    expect(past.hits).toEqual([]);
    expect(past.total).toBe(BULK_HITS);
  }, 60_000);

  it('exact date bounds within one folder, where the server sorts and only the ends are dated', async () => {
    const { c, ids } = await phone();
    const inbox = ids.get('Inbox') ?? ids.get('INBOX')!;
    expect(subjects(await search(c, [q.collection(inbox), q.freeText('invoice'), q.receivedAfter('2026-03-10T08:59:59.000Z'), q.receivedBefore('2026-03-10T09:00:01.000Z')]))).toEqual(['Invoice March']);
    expect(subjects(await search(c, [q.collection(inbox), q.freeText('invoice'), q.receivedAfter('2026-03-10T09:00:01.000Z')]))).toEqual([]);
    // Bulk: one quarterly report every 4 minutes, so the day of margin holds more hits than one trimming FETCH.
    const bulk = ids.get('Bulk')!;
    const t0 = Date.parse('2024-01-01T00:00:00Z');
    const after = await search(c, [q.collection(bulk), q.freeText('quarterly'), q.receivedAfter(new Date(t0 + 8999.5 * 60_000).toISOString())], { range: '0-0' });
    expect(after.total).toBe(250);
    const before = await search(c, [q.collection(bulk), q.freeText('quarterly'), q.receivedBefore(new Date(t0 + 1000.5 * 60_000).toISOString())], { range: '0-0' });
    expect(before.total).toBe(251);
    expect(subjects(before)).toEqual(['Report 1000']);
  }, 30_000);

  it('keeps the hits for later pages until RebuildResults', async () => {
    const { c } = await phone();
    const first = await search(c, [q.freeText('rebuildtoken')]);
    expect(first.total).toBe(0);
    await stack().appendMessage(USER, 'INBOX', simpleMessage({ subject: 'rebuildtoken arrives' }));
    expect((await search(c, [q.freeText('rebuildtoken')])).total).toBe(0);
    const rebuilt = await search(c, [q.freeText('rebuildtoken')], { rebuildResults: true });
    expect(subjects(rebuilt)).toEqual(['rebuildtoken arrives']);
  });

  it('a LongId is fetched by ItemOperations, replied to by SmartReply and moved by MoveItems', async () => {
    const { c, ids } = await phone();
    const [hit] = (await search(c, [q.freeText('Z4711')])).hits;
    const io = await c.command(
      'ItemOperations',
      el('ItemOperations', 'ItemOperations', [
        el('ItemOperations', 'Fetch', [el('ItemOperations', 'Store', 'Mailbox'), el('Search', 'LongId', hit!.id!), el('ItemOperations', 'Options', [el('AirSyncBase', 'BodyPreference', [el('AirSyncBase', 'Type', 1)])])]),
      ]),
    );
    const fetch = child(child(io.body!, 'Response', 'ItemOperations')!, 'Fetch', 'ItemOperations')!;
    expect(childNumber(fetch, 'Status', 'ItemOperations')).toBe(1);
    expect(childText(child(fetch, 'Properties', 'ItemOperations')!, 'Subject', 'Email')).toBe('Invoice March');

    const CM = 'ComposeMail';
    const mime = Buffer.from(['From: alice@example.test', 'To: ann@corp.test', 'Subject: Re: Invoice March', 'Content-Type: text/plain; charset=utf-8', '', 'Paid.', ''].join('\r\n'));
    const reply = await c.command('SmartReply', el(CM, 'SmartReply', [el(CM, 'ClientId', 'search-reply-1'), el(CM, 'Source', [el(CM, 'LongId', hit!.id!)]), el(CM, 'Mime', mime)]));
    expect(reply.status).toBe(200);
    const sent = await waitFor(async () => stack().smtpSink.messages.filter((m) => m.raw.toString().includes('Subject: Re: Invoice March')));
    expect(sent[0]!.raw.toString()).toContain('Please pay invoice Z4711');

    const [lunch] = (await search(c, [q.header('Subject', 'lunch')])).hits;
    const mv = await c.command('MoveItems', el('Move', 'MoveItems', [el('Move', 'Move', [el('Move', 'SrcMsgId', lunch!.id!), el('Move', 'SrcFldId', lunch!.collectionId!), el('Move', 'DstFldId', ids.get('Archive')!)])]));
    expect(childNumber(child(mv.body!, 'Response', 'Move')!, 'Status', 'Move')).toBe(3);
    const moved = await search(c, [q.header('Subject', 'lunch')], { rebuildResults: true });
    expect(moved.hits.map((h) => h.collectionId)).toEqual([ids.get('Archive')]);
  });

  it('a result the phone then syncs arrives once, under its ServerId', async () => {
    const { c, ids } = await phone();
    expect((await search(c, [q.freeText('Z4711')])).total).toBe(1);
    const { items } = await syncFolder(c, ids.get('Inbox') ?? ids.get('INBOX')!);
    expect(items.filter((i) => i.subject === 'Invoice March').length).toBe(1);
  });
});

describe('the IMAP search layer on a server without SORT', () => {
  it('finds the same hits in the same order with SEARCH and an INTERNALDATE sort', async () => {
    const imap = await stack().imapClient(USER);
    try {
      const node = { op: 'and', children: [{ op: 'text', field: 'any', value: 'quarterly' }, { op: 'after', date: new Date(Date.parse('2024-01-01T00:00:00Z') + 8999.5 * 60_000) }] } as const;
      const withSort = await searchImapFolders(imap, ['Bulk'], node);
      expect(imap.capabilities.has('SORT')).toBe(true);
      imap.capabilities.delete('SORT');
      const without = await searchImapFolders(imap, ['Bulk'], node);
      expect(without.hits.map((h) => h.uid)).toEqual(withSort.hits.map((h) => h.uid));
      expect(without.hits.length).toBe(250);
    } finally {
      await imap.logout();
    }
  });
});

describe('Search, Store Mailbox: bad input', () => {
  it('IMAP quoting, wildcards and line breaks in the text are searched as text', async () => {
    const { c } = await phone();
    expect(subjects(await search(c, [q.header('Subject', 'said "hi" \\ (x) * %')]))).toEqual(['He said "hi" \\ (x) * %']);
    expect(subjects(await search(c, [q.freeText('"hi" \\')]))).toEqual(['He said "hi" \\ (x) * %']);
    const crlf = await search(c, [q.freeText('x\r\nA1 LOGOUT\r\n')]);
    expect(crlf.storeStatus).toBe(1);
    expect(crlf.hits).toEqual([]);
    expect(subjects(await search(c, [q.freeText('*')]))).toEqual(['He said "hi" \\ (x) * %']);
  });

  it('a 1 MB query and too many conditions get Status 8, IMAP not asked', async () => {
    const { c } = await phone();
    expect((await search(c, [q.freeText('a'.repeat(1024 * 1024))])).storeStatus).toBe(8);
    expect((await search(c, Array.from({ length: 20 }, (_, i) => q.freeText(`w${i}`)))).storeStatus).toBe(8);
    // Six levels of Or, seven conditions: under the count, over the depth.
    let deep = q.freeText('deep0');
    for (let i = 1; i <= 6; i++) deep = q.or([deep, q.freeText(`deep${i}`)]);
    expect((await search(c, [deep])).storeStatus).toBe(8);
  });

  it('an unknown CollectionId, an unparsable date, ConversationId and an empty query get Status 2', async () => {
    const { c } = await phone();
    expect((await search(c, [q.collection('999999'), q.freeText('invoice')])).storeStatus).toBe(2);
    expect((await search(c, [q.freeText('invoice'), q.receivedAfter('yesterday')])).storeStatus).toBe(2);
    expect((await search(c, [el('Search', 'ConversationId', Buffer.from('0123456789abcdef'))])).storeStatus).toBe(2);
    expect((await search(c, [q.emailClass()])).storeStatus).toBe(2);
  });

  it("another user's LongId names nothing: ItemOperations Fetch answers Status 6, no content", async () => {
    const { c } = await phone();
    const [hit] = (await search(c, [q.freeText('Z4711')])).hits;
    const bob = (await phone('14.1', 'bob@example.test')).c;
    const io = await bob.command('ItemOperations', el('ItemOperations', 'ItemOperations', [el('ItemOperations', 'Fetch', [el('ItemOperations', 'Store', 'Mailbox'), el('Search', 'LongId', hit!.id!)])]));
    const fetch = child(child(io.body!, 'Response', 'ItemOperations')!, 'Fetch', 'ItemOperations')!;
    expect(childNumber(fetch, 'Status', 'ItemOperations')).toBe(6);
    expect(child(fetch, 'Properties', 'ItemOperations')).toBeUndefined();
  });

  it('an IMAP server too slow for EAS_SEARCH_TIMEOUT_MS gets Status 10', async () => {
    const proxy = await startSlowProxy(stack().imap, Number.POSITIVE_INFINITY);
    const slow = await startTestServer(stack(), { env: { EAS_IMAP_URL: `imap://${proxy.host}:${proxy.port}`, EAS_SEARCH_TIMEOUT_MS: 300 } });
    try {
      const c = slow.client({ user: USER, version: '14.1', deviceId: 'slowsearch' });
      await c.provision();
      const { byName } = await folderIds(c);
      proxy.setRate(200);
      const a = readMailboxSearch((await c.command('Search', mailboxSearchRequest([q.collection(byName.get('Bulk')!), q.freeText('quarterly')]))).body);
      expect(a.storeStatus).toBe(10);
      proxy.setRate(Number.POSITIVE_INFINITY);
      // The server is fine afterwards: a quick search answers.
      const inbox = byName.get('Inbox') ?? byName.get('INBOX')!;
      expect(readMailboxSearch((await c.command('Search', mailboxSearchRequest([q.collection(inbox), q.freeText('Z4711')]))).body).storeStatus).toBe(1);
    } finally {
      await slow.stop();
      slow.cleanup();
      await proxy.close();
    }
  }, 60_000);
});

describe('eas-client search and find', () => {
  it('lists the hits of a mailbox Search at 14.1 and of a Find at 16.1', async () => {
    const cli = (version: string, ...args: string[]) =>
      promisify(execFile)(process.execPath, ['bin/eas-client.mjs', '--url', server.url, '--user', USER, '--password', stack().user(USER).password, '--version', version, ...args]);
    const s = (await cli('14.1', 'search', 'invoice december')).stdout.trim().split('\n');
    expect(s).toHaveLength(2);
    expect(s[0]).toMatch(/ann@corp\.test.*Invoice December 2025$/u);
    expect(s[1]).toBe('1 of 1 messages');
    const f = (await cli('16.1', 'find', 'subject:december from:ann')).stdout.trim().split('\n');
    expect(f[0]).toMatch(/Invoice December 2025$/u);
    expect(f.at(-1)).toBe('1 of 1 messages');
  }, 60_000);
});

describe('Find (16.1)', () => {
  async function find(c: EasClient, query: string, o: { collectionIds?: string[]; range?: string } = {}) {
    const res = await c.command('Find', findRequest({ query, ...o }));
    expect(res.status).toBe(200);
    return readFind(res.body);
  }

  it('KQL words, from:, subject:, OR and received ranges; Preview and the find:* properties', async () => {
    const { c } = await phone('16.1');
    const a = await find(c, 'invoice from:ann received>=2026-02-01');
    expect(a.status).toBe(1);
    expect(a.storeStatus).toBe(1);
    expect(subjects(a)).toEqual(['Invoice March', 'Invoice February']);
    expect(a.total).toBe(2);
    expect(a.hits[0]!.text).toBe('Please pay invoice Z4711 by Friday.');
    expect(a.hits[0]!.props['HasAttachments']).toBe('0');
    expect(subjects(await find(c, 'subject:lunch OR subject:february'))).toEqual(['Lunch on Friday', 'Invoice February']);
    expect(subjects(await find(c, 'invoice received<2026-01-01'))).toEqual(['Invoice December 2025']);
    expect(subjects(await find(c, 'invoice received:2026-03-10'))).toEqual(['Invoice March']);
    expect(subjects(await find(c, '"said \\"hi"'))).toEqual([]);
    const lunch = await find(c, 'pizza');
    expect(lunch.hits[0]!.props['DisplayCc']).toBe('Carol Cc');
  });

  it("a hit the phone synced carries the phone's ServerId; another its LongId, which ItemOperations takes as ServerId", async () => {
    const { c, ids } = await phone('16.1');
    const inbox = ids.get('Inbox') ?? ids.get('INBOX')!;
    await syncFolder(c, inbox);
    const [own] = (await find(c, 'Z4711')).hits;
    expect(own!.id).toMatch(new RegExp(`^${inbox}:\\d+$`, 'u'));
    const [other] = (await find(c, 'invoice received<2026-01-01')).hits;
    expect(other!.id).toMatch(/^\d+\.\d+\.\d+\./u);
    const io = await c.command(
      'ItemOperations',
      el('ItemOperations', 'ItemOperations', [el('ItemOperations', 'Fetch', [el('ItemOperations', 'Store', 'Mailbox'), el('AirSync', 'CollectionId', other!.collectionId!), el('AirSync', 'ServerId', other!.id!)])]),
    );
    const fetch = child(child(io.body!, 'Response', 'ItemOperations')!, 'Fetch', 'ItemOperations')!;
    expect(childText(child(fetch, 'Properties', 'ItemOperations')!, 'Subject', 'Email')).toBe('Invoice December 2025');
  });

  it('pages with Range and Total', async () => {
    const { c, ids } = await phone('16.1');
    const a = await find(c, 'quarterly', { collectionIds: [ids.get('Bulk')!], range: '100-149' });
    expect(a.total).toBe(BULK_HITS);
    expect(a.range).toBe('100-149');
    expect(a.hits.length).toBe(50);
  }, 30_000);

  it('NOT, an unclosed parenthesis and an empty query get Status 2; the Find code page does not exist before 16.1', async () => {
    const { c } = await phone('16.1');
    for (const bad of ['invoice NOT march', '(invoice OR lunch', 'received>=soon']) expect((await find(c, bad)).storeStatus).toBe(2);
    // A 14.1 client cannot encode Find at all; the 16.1 bytes sent as 14.1 do not decode.
    const old = (await phone('14.1')).c;
    const bytes = encodeWbxml(findRequest({ query: 'invoice' }), { version: '16.1' });
    expect((await old.command('Find', undefined, { rawBody: Buffer.from(bytes), headers: { 'Content-Type': 'application/vnd.ms-sync.wbxml' } })).status).toBe(400);
  });
});
