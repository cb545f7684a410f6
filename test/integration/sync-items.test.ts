/**
 * The Email items Sync produces (MS-ASEMAIL 2.2.2, MS-ASAIRS 2.2.2.9):
 * bodies per BodyPreference (plain truncated, HTML, MIME), charsets,
 * attachments, MessageClass, conversations, and Sync Fetch, checked on
 * seeded messages of known kinds through the real server and Dovecot.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { seedMailbox, type SeedKind, type SeedResult } from '../../src/devstack/seed.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { useStack } from '../harness/use-stack.ts';
import type { TestServer } from './server-setup.ts';
import { useTestServer } from '../harness/use-test-server.ts';
import { bodyOptions, initialSync, setUpPhone, syncOne, type ServerChange } from './sync-helpers.ts';

const stack = useStack();
let seeded: SeedResult;
const USER = 'bob@example.test';

beforeAll(async () => {
  seeded = await seedMailbox(stack(), USER, { count: 60, folders: ['INBOX'], dav: false });
}, 120_000);
const server = useTestServer(stack);

async function syncedInbox(version: ProtocolVersion, options = bodyOptions(2)): Promise<{ changes: ServerChange[]; inbox: string; syncKey: string; c: ReturnType<TestServer['client']> }> {
  const c = server().client({ user: USER, version });
  const { byType } = await setUpPhone(c);
  const inbox = byType.get(2)!;
  const r = await initialSync(c, inbox, { windowSize: 100, options });
  return { changes: r.changes, inbox, syncKey: r.syncKey, c };
}

function ofKind(changes: readonly ServerChange[], kind: SeedKind): ServerChange {
  const m = seeded.messages.find((x) => x.kind === kind);
  if (!m) throw new Error(`seed has no ${kind} message`);
  const found = changes.find((x) => x.email?.subject === m.subject);
  if (!found) throw new Error(`no item for ${kind} (${m.subject})`);
  return found;
}

describe('bodies', () => {
  it('sends plain text truncated at TruncationSize with Truncated and the whole size', async () => {
    const { changes } = await syncedInbox('14.1', bodyOptions(1, 20));
    const plain = ofKind(changes, 'plain').email!.body!;
    expect(plain.type).toBe(1);
    expect(Buffer.byteLength(plain.data ?? '', 'utf8')).toBeLessThanOrEqual(20);
    // Mail text arrives with CRLF line ends; 20 bytes of it.
    expect(plain.data).toBe('Hello,\r\n\r\nthis is me');
    expect(plain.truncated).toBe(true);
    expect(plain.estimatedDataSize).toBeGreaterThan(20);
  }, 60_000);

  it('turns HTML-only mail into plain text when Type 1 is asked', async () => {
    const { changes } = await syncedInbox('14.1', bodyOptions(1));
    const b = ofKind(changes, 'html').email!.body!;
    expect(b.type).toBe(1);
    expect(b.data).toContain('This is HTML-only mail number');
    expect(b.data).not.toContain('<');
    expect(ofKind(changes, 'html').email!.nativeBodyType).toBe(2);
  }, 60_000);

  it('sends the HTML part of multipart/alternative when Type 2 is asked, untruncated without TruncationSize', async () => {
    const { changes } = await syncedInbox('14.1', bodyOptions(2));
    const b = ofKind(changes, 'alternative').email!.body!;
    expect(b.type).toBe(2);
    expect(b.data).toMatch(/^<html><body><p>Hello,<\/p>/);
    expect(b.truncated).toBeFalsy();
  }, 60_000);

  it('sends the whole MIME source when Type 4 is asked with MIMESupport 2', async () => {
    const { changes } = await syncedInbox('14.1', bodyOptions(4, undefined, { mimeSupport: 2 }));
    const b = ofKind(changes, 'attachments').email!.body!;
    expect(b.type).toBe(4);
    const sources = seeded.messages.filter((x) => x.kind === 'attachments').map((x) => x.raw.toString('utf8'));
    expect(sources).toContain(b.data);
  }, 60_000);

  it('decodes ISO-8859-1, KOI8-R and ISO-2022-JP bodies and subjects', async () => {
    const { changes } = await syncedInbox('12.1', bodyOptions(1));
    expect(ofKind(changes, 'latin1').email!.body!.data).toContain('Straßenfest in Köln');
    expect(ofKind(changes, 'koi8r').email!.body!.data).toContain('Здравствуйте!');
    expect(ofKind(changes, 'iso2022jp').email!.body!.data).toContain('こんにちは。');
    expect(ofKind(changes, 'cp1252').email!.body!.data).toContain('50 € less…');
  }, 60_000);

  it('adds a Preview of the text in 14.1', async () => {
    const { changes } = await syncedInbox('14.1', [{ bodyPreferences: [{ type: 2, truncationSize: 100, preview: 30 }], bodyPartPreferences: [] }]);
    const b = ofKind(changes, 'alternative').email!.body!;
    expect(b.preview).toMatch(/^Hello, this is message/);
    expect([...(b.preview ?? '')].length).toBeLessThanOrEqual(30);
  }, 60_000);
});

describe('item properties', () => {
  it('lists attachments with FileReference, name, size and method; inline images as inline', async () => {
    const { changes } = await syncedInbox('14.1');
    const item = ofKind(changes, 'attachments');
    const atts = item.email!.attachments!;
    expect(atts.map((a) => a.displayName)).toEqual(['report.pdf', 'numbers.csv', 'Übersicht Q3.docx']);
    for (const a of atts) {
      expect(a.fileReference.startsWith(`${item.serverId}:`)).toBe(true);
      expect(a.method).toBe(1);
      expect(a.estimatedDataSize).toBeGreaterThan(0);
    }
    const img = ofKind(changes, 'inline-image').email!.attachments!;
    expect(img).toHaveLength(1);
    expect(img[0]!.isInline).toBe(true);
    expect(img[0]!.contentId).toMatch(/^logo\./);
  }, 60_000);

  it('classes S/MIME and invitations and sets the common fields', async () => {
    const { changes } = await syncedInbox('14.1');
    expect(ofKind(changes, 'smime').email!.messageClass).toBe('IPM.Note.SMIME.MultipartSigned');
    expect(ofKind(changes, 'meeting').email!.messageClass).toBe('IPM.Schedule.Meeting.Request');
    const e = ofKind(changes, 'plain').email!;
    expect(e.messageClass).toBe('IPM.Note');
    expect(e.internetCPID).toBe('65001');
    expect(e.contentClass).toBe('urn:content-classes:message');
    expect(e.from).toMatch(/@/);
    expect(e.to).toContain(USER);
    expect(e.dateReceived).toBeInstanceOf(Date);
    expect(e.conversationId?.length).toBe(16);
  }, 60_000);

  it('gives every message of a thread the same ConversationId', async () => {
    const { changes } = await syncedInbox('16.1');
    const thread = seeded.messages.filter((m) => m.kind === 'thread');
    expect(thread.length).toBeGreaterThan(1);
    const root = thread[0]!.subject;
    const items = changes.filter((x) => x.email?.subject === root || x.email?.subject === `Re: ${root}`);
    expect(items.length).toBeGreaterThan(1);
    const ids = new Set(items.map((x) => Buffer.from(x.email!.conversationId!).toString('hex')));
    expect(ids.size).toBe(1);
  }, 60_000);

  it('maps \\Seen to Read and \\Flagged to an active Flag', async () => {
    const { changes } = await syncedInbox('14.1');
    for (const m of seeded.messages) {
      const item = changes.find((x) => x.email?.subject === m.subject && x.email?.dateReceived?.getTime() === m.date.getTime());
      if (!item) continue;
      expect(item.email!.read).toBe(m.flags.includes('\\Seen'));
      if (m.flags.includes('\\Flagged')) expect(item.email!.flag?.status).toBe(2);
    }
  }, 60_000);
});

describe('Sync Fetch and GetItemEstimate', () => {
  it('returns a whole item for a Fetch inside Sync and Status 8 for an unknown one', async () => {
    const { changes, inbox, syncKey, c } = await syncedInbox('14.1', bodyOptions(1, 10));
    const item = ofKind(changes, 'plain');
    const r = await syncOne(c, {
      collectionId: inbox,
      syncKey,
      getChanges: false,
      options: bodyOptions(1),
      commands: [
        { kind: 'Fetch', serverId: item.serverId },
        { kind: 'Fetch', serverId: `${inbox}:99999` },
      ],
    });
    expect(r.status).toBe(1);
    const [ok, missing] = r.responses;
    expect(ok!.status).toBe(1);
    expect(ok!.email!.body!.truncated).toBeFalsy();
    expect(ok!.email!.body!.data).toContain('Ümlauts and emoji: Grüße 👋');
    expect(missing!.status).toBe(8);
  }, 60_000);
});
