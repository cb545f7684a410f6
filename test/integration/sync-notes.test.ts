/**
 * Issue 13: Notes (MS-ASNOTE, class Notes, 14.0+) in an IMAP "Notes"
 * folder the way Apple Notes keeps them, synced both ways through the one
 * Sync engine, on the real Dovecot.
 */
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EasClient } from '../../src/client/index.ts';
import { noteFromApplicationData, type EasNote } from '../../protocol/types/note.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { el, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { useStack } from '../harness/use-stack.ts';
import { useTestServer } from '../harness/use-test-server.ts';
import { bodyOptions, initialSync, setUpPhone, syncOne, type ServerChange } from './sync-helpers.ts';

const stack = useStack();
const server = useTestServer(stack);
const USER = 'alice@example.test';
let n = 0;

/** A note as Apple Notes APPENDs it (HTML body, the Apple headers). */
function appleNote(o: { subject: string; html: string; uuid: string; date?: Date; created?: Date }): string {
  const date = (o.date ?? new Date('2026-11-02T10:00:00Z')).toUTCString();
  return [
    'From: Alice <alice@example.test>',
    `Subject: ${o.subject}`,
    `Date: ${date}`,
    'X-Uniform-Type-Identifier: com.apple.mail-note',
    `X-Universally-Unique-Identifier: ${o.uuid}`,
    `X-Mail-Created-Date: ${(o.created ?? new Date('2026-11-01T09:00:00Z')).toUTCString()}`,
    'Mime-Version: 1.0 (Mac OS X Notes 4.9)',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `<html><head></head><body>${o.html}</body></html>`,
    '',
  ].join('\r\n');
}

/** The messages of the Notes folder as another IMAP client (Apple Notes) reads them. */
async function imapNotes(): Promise<{ uid: number; flags: string[]; headers: Map<string, unknown>; subject: string; html?: string; text?: string; raw: string }[]> {
  const c = await stack().imapClient(USER);
  try {
    const lock = await c.getMailboxLock('Notes');
    try {
      const out = [];
      for await (const m of c.fetch('1:*', { uid: true, flags: true, source: true }, { uid: true })) {
        const p = await simpleParser(m.source!);
        out.push({ uid: m.uid, flags: [...(m.flags ?? [])], headers: p.headers as Map<string, unknown>, subject: p.subject ?? '', ...(typeof p.html === 'string' ? { html: p.html } : {}), ...(p.text !== undefined ? { text: p.text } : {}), raw: m.source!.toString('utf8') });
      }
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await c.logout();
  }
}

async function imapDo(fn: (c: Awaited<ReturnType<ReturnType<typeof stack>['imapClient']>>) => Promise<void>): Promise<void> {
  const c = await stack().imapClient(USER);
  try {
    const lock = await c.getMailboxLock('Notes');
    try {
      await fn(c);
    } finally {
      lock.release();
    }
  } finally {
    await c.logout();
  }
}

async function phone(version: ProtocolVersion): Promise<{ c: EasClient; notes: string | undefined; byType: Map<number, string>; byName: Map<string, string> }> {
  const c = server().client({ user: USER, version, deviceId: `notes${version.replace('.', '')}x${n++}` });
  const f = await setUpPhone(c);
  return { c, notes: f.byType.get(10), ...f };
}

const notesOf = (changes: readonly ServerChange[], v: ProtocolVersion): (EasNote & { serverId: string; kind: string })[] =>
  changes.filter((x) => x.data).map((x) => ({ ...noteFromApplicationData(x.data!, v), serverId: x.serverId, kind: x.kind }));

function noteData(o: { subject?: string; body?: { type: 1 | 2; data: string }; categories?: string[] }): WbxmlElement {
  return el('AirSync', 'ApplicationData', [
    ...(o.subject !== undefined ? [el('Notes', 'Subject', o.subject)] : []),
    ...(o.body ? [el('AirSyncBase', 'Body', [el('AirSyncBase', 'Type', o.body.type), el('AirSyncBase', 'Data', o.body.data)])] : []),
    el('Notes', 'MessageClass', 'IPM.StickyNote'),
    ...(o.categories ? [el('Notes', 'Categories', o.categories.map((c) => el('Notes', 'Category', c)))] : []),
  ]);
}

beforeAll(async () => {
  // The first FolderSync of any device creates the folder; Apple Notes then writes into it.
  await phone('14.1');
}, 60_000);

describe('Notes folder', () => {
  it('is created in IMAP when missing and is the default Notes folder (type 10) for 14.1 and 16.1', async () => {
    const c = await stack().imapClient(USER);
    const list = await c.list();
    await c.logout();
    expect(list.map((m) => m.path)).toContain('Notes');
    for (const v of ['14.1', '16.1'] as const) {
      const p = await phone(v);
      expect(p.notes).toBeDefined();
      expect(p.byName.get('Notes')).toBe(p.notes);
    }
  });

  it('a 12.1 device sees no Notes folder at all (neither type 10 nor a mail folder named Notes)', async () => {
    const p = await phone('12.1');
    expect(p.notes).toBeUndefined();
    expect(p.byName.has('Notes')).toBe(false);
    expect(p.byType.has(2)).toBe(true);
  });
});

describe('Notes from the IMAP side', () => {
  it('an Apple note appended over IMAP syncs at 14.1 (HTML) and 16.1 (plain) with subject, body, class, date and categories', async () => {
    await stack().appendMessage(USER, 'Notes', appleNote({ subject: 'Groceries', html: '<div>Milk</div><div>Eggs &amp; bread</div>', uuid: 'A1B2C3D4-0000-4000-8000-000000000001' }), ['\\Seen', 'Home']);
    for (const [v, type] of [['14.1', 2], ['16.1', 1]] as const) {
      const p = await phone(v);
      const r = await initialSync(p.c, p.notes!, { options: bodyOptions(type) });
      const got = notesOf(r.changes, v).find((x) => x.subject === 'Groceries');
      expect(got, `version ${v}`).toBeDefined();
      expect(got!.kind).toBe('Add');
      expect(got!.messageClass).toBe('IPM.StickyNote');
      expect(got!.lastModifiedDate?.toISOString()).toBe('2026-11-02T10:00:00.000Z');
      expect(got!.categories).toEqual(['Home']);
      expect(got!.body?.type).toBe(type);
      if (type === 2) expect(got!.body?.data).toContain('<div>Milk</div>');
      else {
        expect(got!.body?.data).toContain('Milk');
        expect(got!.body?.data).toContain('Eggs & bread');
        expect(got!.body?.data).not.toContain('<div>');
      }
    }
  });

  it('an edit by Apple Notes (APPEND the new version, expunge the old) reaches the device as Delete + Add; a keyword change as a Change; an expunge as a Delete', async () => {
    const uuid = 'A1B2C3D4-0000-4000-8000-0000000000E1';
    const first = await stack().appendMessage(USER, 'Notes', appleNote({ subject: 'Trip plan', html: 'Day 1', uuid }), ['\\Seen']);
    const p = await phone('14.1');
    const r = await initialSync(p.c, p.notes!, { options: bodyOptions(1) });
    const held = notesOf(r.changes, '14.1').find((x) => x.subject === 'Trip plan')!;
    expect(held).toBeDefined();
    const second = await stack().appendMessage(USER, 'Notes', appleNote({ subject: 'Trip plan', html: 'Day 1, Day 2', uuid, date: new Date('2026-11-03T08:00:00Z') }), ['\\Seen']);
    await imapDo((c) => c.messageDelete(String(first.uid), { uid: true }).then(() => undefined));
    const r2 = await syncOne(p.c, { collectionId: p.notes!, syncKey: r.syncKey });
    expect(r2.changes.filter((x) => x.kind === 'Delete').map((x) => x.serverId)).toEqual([held.serverId]);
    const added = notesOf(r2.changes, '14.1');
    expect(added).toHaveLength(1);
    expect(added[0]!.kind).toBe('Add');
    expect(added[0]!.body?.data).toContain('Day 1, Day 2');
    expect(added[0]!.lastModifiedDate?.toISOString()).toBe('2026-11-03T08:00:00.000Z');
    await imapDo((c) => c.messageFlagsAdd(String(second.uid), ['Travel'], { uid: true }).then(() => undefined));
    const r3 = await syncOne(p.c, { collectionId: p.notes!, syncKey: r2.syncKey! });
    const changed = notesOf(r3.changes, '14.1');
    expect(changed.map((x) => [x.kind, x.serverId, x.categories])).toEqual([['Change', added[0]!.serverId, ['Travel']]]);
    await imapDo((c) => c.messageDelete(String(second.uid), { uid: true }).then(() => undefined));
    const r4 = await syncOne(p.c, { collectionId: p.notes!, syncKey: r3.syncKey! });
    expect(r4.changes.map((x) => [x.kind, x.serverId])).toEqual([['Delete', added[0]!.serverId]]);
  });
});

describe('Notes push and fetch', () => {
  it('a Ping on the Notes folder wakes when Apple Notes appends a note; a Sync Fetch of it answers Status 1', async () => {
    const p = await phone('14.1');
    const r = await initialSync(p.c, p.notes!, { options: bodyOptions(1) });
    const ping = p.c.ping({ heartbeatInterval: 60, folders: [{ id: p.notes!, class: 'Notes' }] });
    const deadline = Date.now() + 5_000;
    while (!server().services.push.hub.isHeld(USER, p.c.opts.deviceId)) {
      if (Date.now() > deadline) throw new Error('Ping not held');
      await new Promise((res) => setTimeout(res, 20));
    }
    await stack().appendMessage(USER, 'Notes', appleNote({ subject: 'Pushed note', html: 'ping me', uuid: 'A1B2C3D4-0000-4000-8000-0000000000F1' }), ['\\Seen']);
    const woke = await ping;
    const ps = woke.body?.children?.find((x) => x.name === 'Status')?.text;
    expect(ps).toBe('2');
    const folders = woke.body?.children?.find((x) => x.name === 'Folders')?.children?.map((x) => x.text);
    expect(folders).toEqual([p.notes]);
    const next = await syncOne(p.c, { collectionId: p.notes!, syncKey: r.syncKey });
    const added = notesOf(next.changes, '14.1');
    expect(added.map((x) => x.subject)).toEqual(['Pushed note']);
    const fetched = await syncOne(p.c, { collectionId: p.notes!, syncKey: next.syncKey!, getChanges: false, commands: [{ kind: 'Fetch', serverId: added[0]!.serverId }] });
    expect(fetched.responses).toMatchObject([{ kind: 'Fetch', status: 1, serverId: added[0]!.serverId }]);
  });
});

describe('Notes from the device', () => {
  it('an Add is APPENDed with the Apple headers; a retried Add (same key, same ClientId) creates one message', async () => {
    const p = await phone('16.1');
    const r = await initialSync(p.c, p.notes!);
    const req = { collectionId: p.notes!, syncKey: r.syncKey, commands: [{ kind: 'Add' as const, clientId: 'note-1', applicationData: noteData({ subject: 'Call the plumber', body: { type: 1, data: 'Tuesday 9:00\nAsk about the boiler' }, categories: ['Home'] }) }] };
    const a = await syncOne(p.c, req);
    expect(a.responses).toMatchObject([{ kind: 'Add', clientId: 'note-1', status: 1 }]);
    const again = await syncOne(p.c, req);
    expect(again.responses).toMatchObject([{ kind: 'Add', clientId: 'note-1', status: 1, serverId: a.responses[0]!.serverId! }]);
    const stored = (await imapNotes()).filter((m) => m.subject === 'Call the plumber');
    expect(stored).toHaveLength(1);
    const m = stored[0]!;
    expect(m.headers.get('x-uniform-type-identifier')).toBe('com.apple.mail-note');
    expect(String(m.headers.get('x-universally-unique-identifier'))).toMatch(/^[0-9A-F-]{36}$/);
    expect(Number.isNaN(new Date(String(m.headers.get('x-mail-created-date'))).getTime())).toBe(false);
    expect(m.text?.trim()).toBe('Tuesday 9:00\nAsk about the boiler');
    expect(m.flags).toContain('Home');
    // Another phone sees it as a note.
    const other = await phone('14.1');
    const seen = notesOf((await initialSync(other.c, other.notes!, { options: bodyOptions(1) })).changes, '14.1').find((x) => x.subject === 'Call the plumber');
    expect(seen?.body?.data).toContain('Ask about the boiler');
    expect(seen?.categories).toEqual(['Home']);
  });

  it('a Change replaces the message (same UUID, one copy, same ServerId, no echo); a Delete expunges it', async () => {
    const p = await phone('14.1');
    const r = await initialSync(p.c, p.notes!);
    const a = await syncOne(p.c, { collectionId: p.notes!, syncKey: r.syncKey, commands: [{ kind: 'Add', clientId: 'n2', applicationData: noteData({ subject: 'Book list', body: { type: 2, data: '<p>Dune</p>' } }) }] });
    const serverId = a.responses[0]!.serverId!;
    const before = (await imapNotes()).filter((m) => m.subject === 'Book list');
    expect(before).toHaveLength(1);
    const uuid = before[0]!.headers.get('x-universally-unique-identifier');
    const c = await syncOne(p.c, { collectionId: p.notes!, syncKey: a.syncKey!, commands: [{ kind: 'Change', serverId, applicationData: noteData({ subject: 'Book list (2)', body: { type: 2, data: '<p>Dune</p><p>Solaris</p>' }, categories: ['Reading'] }) }] });
    expect(c.status).toBe(1);
    expect(c.responses.filter((x) => x.status !== 1)).toEqual([]);
    const after = (await imapNotes()).filter((m) => m.headers.get('x-universally-unique-identifier') === uuid);
    expect(after).toHaveLength(1);
    expect(after[0]!.subject).toBe('Book list (2)');
    expect(after[0]!.html).toContain('<p>Solaris</p>');
    expect(after[0]!.flags).toContain('Reading');
    expect(after[0]!.uid).not.toBe(before[0]!.uid);
    // The replacement is the device's own change: nothing comes back, and the next edit still finds the item.
    const quiet = await syncOne(p.c, { collectionId: p.notes!, syncKey: c.syncKey! });
    expect(quiet.changes).toEqual([]);
    const d = await syncOne(p.c, { collectionId: p.notes!, syncKey: quiet.syncKey!, commands: [{ kind: 'Delete', serverId }] });
    expect(d.status).toBe(1);
    expect(d.responses.filter((x) => x.status !== 1)).toEqual([]);
    expect((await imapNotes()).filter((m) => m.headers.get('x-universally-unique-identifier') === uuid)).toHaveLength(0);
    const gone = await syncOne(p.c, { collectionId: p.notes!, syncKey: d.syncKey!, commands: [{ kind: 'Change', serverId, applicationData: noteData({ subject: 'x' }) }] });
    expect(gone.responses).toMatchObject([{ kind: 'Change', status: 8 }]);
  });

  it('hostile subject and body are stored as text: no header injection, round-trip intact both ways', async () => {
    const subject = 'Evil\r\nBcc: victim@example.test\r\nX-Uniform-Type-Identifier: other =?utf-8?q?x?= \u202e ünï 🙂';
    const html = '<script>alert(1)</script><p>a</p>\r\n.\r\nQUIT\r\n<img src=x onerror=1>';
    const p = await phone('16.1');
    const r = await initialSync(p.c, p.notes!);
    const a = await syncOne(p.c, { collectionId: p.notes!, syncKey: r.syncKey, commands: [{ kind: 'Add', clientId: 'evil', applicationData: noteData({ subject, body: { type: 2, data: html } }) }] });
    expect(a.responses).toMatchObject([{ kind: 'Add', status: 1 }]);
    const stored = (await imapNotes()).find((m) => m.subject.startsWith('Evil'));
    expect(stored).toBeDefined();
    expect(stored!.headers.get('bcc')).toBeUndefined();
    expect(stored!.headers.get('x-uniform-type-identifier')).toBe('com.apple.mail-note');
    expect(stored!.raw).not.toMatch(/^Bcc:/im);
    expect(stored!.html).toContain('<script>alert(1)</script>');
    const other = await phone('14.1');
    const seen = notesOf((await initialSync(other.c, other.notes!, { options: bodyOptions(2) })).changes, '14.1').find((x) => x.subject?.startsWith('Evil'));
    expect(seen).toBeDefined();
    expect(seen!.subject).toContain('ünï 🙂');
    expect(seen!.subject).toContain('Bcc: victim@example.test');
    expect(seen!.body?.data).toContain('<script>alert(1)</script>');
  });

  it('a hostile note written on the IMAP side (NUL in an encoded word and the body, folded junk headers) syncs without failing the window', async () => {
    const raw = appleNote({ subject: '=?utf-8?q?Nul=00here?= =?bogus?x?zz?=', html: 'a\u0000b <b>bold</b>', uuid: 'A1B2C3D4-0000-4000-8000-0000000000BD' }).replace('Subject:', 'X-Junk: \x01\x02\r\n\tcontinued\r\nSubject:');
    await stack().appendMessage(USER, 'Notes', raw, ['\\Seen']);
    const p = await phone('14.1');
    const r = await initialSync(p.c, p.notes!, { options: bodyOptions(2) });
    const got = notesOf(r.changes, '14.1').find((x) => x.subject?.startsWith('Nul'));
    expect(got).toBeDefined();
    expect(got!.subject).not.toContain('\u0000');
    expect(got!.body?.data).toContain('b <b>bold</b>');
    expect(got!.body?.data).not.toContain('\u0000');
  });
});
