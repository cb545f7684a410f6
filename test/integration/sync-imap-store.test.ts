/**
 * The IMAP MailMessageStore (backends/imap/messages.ts) against real
 * Dovecot: markers, QRESYNC deltas, part fetches with server-side
 * truncation, streams, and the writes the sync engine and ItemOperations use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapMailStore } from '../../backends/imap/index.ts';
import { isBackendError } from '../../backends/errors.ts';
import type { UserSession } from '../../backends/types.ts';
import { useStack } from '../harness/use-stack.ts';

const stack = useStack();
let store: ImapMailStore;
let session: UserSession;

const RAW = Buffer.from(
  [
    'From: =?UTF-8?B?w4RsaWNl?= <alice@example.test>',
    'To: bob@example.test',
    'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=',
    'Message-ID: <store-1@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary=BB',
    '',
    '--BB',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Hall=C3=B6 Welt, this is the plain part',
    '--BB',
    'Content-Type: text/html; charset=iso-8859-1',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('<p>Hall\xf6 Welt</p>', 'latin1').toString('base64'),
    '--BB--',
    '',
  ].join('\r\n'),
);

async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

beforeAll(() => {
  const s = stack();
  store = new ImapMailStore({ endpoint: { host: s.imap.host, port: s.imap.port, secure: false } });
  const u = s.user('alice@example.test');
  session = { user: u.name, password: u.password };
});
afterAll(async () => {
  await store?.close();
});

describe('ImapMailStore message operations', () => {
  it('appends, snapshots and reports flag changes and expunges since a MODSEQ', async () => {
    const a = await store.append(session, 'INBOX', RAW, { flags: ['\\Seen'] });
    expect(a.uid).toBeGreaterThan(0);
    const snap = await store.snapshot(session, 'INBOX');
    expect(snap.messages.find((m) => m.uid === a.uid)?.flags).toEqual(['\\Seen']);
    expect(snap.highestModseq).toBeDefined();
    const quiet = await store.changesSince(session, 'INBOX', { uidValidity: snap.uidValidity, modseq: snap.highestModseq! });
    expect(quiet).toMatchObject({ changed: [], vanished: [] });
    await store.setFlags(session, 'INBOX', [a.uid!], { add: ['\\Flagged', 'Projekt'], remove: ['\\Seen'] });
    const b = await store.append(session, 'INBOX', RAW);
    await store.expunge(session, 'INBOX', [b.uid!]);
    const delta = await store.changesSince(session, 'INBOX', { uidValidity: snap.uidValidity, modseq: snap.highestModseq! });
    expect(delta!.changed.find((m) => m.uid === a.uid)?.flags).toEqual(['Projekt', '\\Flagged']);
    expect(delta!.vanished).toEqual([b.uid]);
  });

  it('throws Conflict for a stale UIDVALIDITY and NotFound for a missing folder', async () => {
    const st = await store.status(session, 'INBOX');
    await expect(store.changesSince(session, 'INBOX', { uidValidity: st.uidValidity + 1, modseq: 1n })).rejects.toSatisfy((e) => isBackendError(e, 'Conflict'));
    await expect(store.status(session, 'No/Such/Folder')).rejects.toSatisfy((e) => isBackendError(e, 'NotFound'));
  });

  it('fetches structure, envelope and parts decoded and cut on the server', async () => {
    const { uid } = await store.append(session, 'INBOX', RAW);
    const [first] = await store.fetch(session, 'INBOX', [uid!], { structure: true, envelope: true });
    expect(first!.envelope?.subject).toBe('Grüße');
    expect(first!.envelope?.from[0]).toEqual({ name: 'Älice', address: 'alice@example.test' });
    expect(first!.structure?.children?.map((c) => [c.part, c.type])).toEqual([
      ['1', 'text/plain'],
      ['2', 'text/html'],
    ]);
    const [parts] = await store.fetch(session, 'INBOX', [uid!], {
      parts: [
        { part: '1', maxBytes: 8, encoding: 'quoted-printable' },
        { part: '2', encoding: 'base64' },
      ],
    });
    expect(parts!.parts!.get('1')!.toString('utf8')).toBe('Hallö W');
    expect(parts!.parts!.get('2')!.toString('latin1')).toBe('<p>Hallö Welt</p>');
    const [src] = await store.fetch(session, 'INBOX', [uid!], { source: true, sourceMaxBytes: 10 });
    expect(src!.source!.toString()).toBe(RAW.subarray(0, 10).toString());
  });

  it('streams a part and the source, moves with the new UID, and answers NotFound for a gone message', async () => {
    const { uid } = await store.append(session, 'INBOX', RAW);
    const part = await store.openPart(session, 'INBOX', uid!, '2');
    expect(part.contentType).toBe('text/html');
    expect((await readAll(part.stream)).toString('latin1')).toBe('<p>Hallö Welt</p>');
    expect((await readAll(await store.openSource(session, 'INBOX', uid!))).equals(RAW)).toBe(true);
    const map = await store.move(session, 'INBOX', [uid!], 'Trash');
    const moved = map.get(uid!);
    expect(moved).toBeGreaterThan(0);
    expect((await store.fetch(session, 'Trash', [moved!], {})).map((m) => m.uid)).toEqual([moved]);
    expect(await store.fetch(session, 'INBOX', [uid!], {})).toEqual([]);
    await expect(store.openSource(session, 'INBOX', uid!)).rejects.toSatisfy((e) => isBackendError(e, 'NotFound'));
  });
});
