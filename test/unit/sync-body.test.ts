import { describe, expect, it } from 'vitest';
import type { FetchedMessage, MimePart } from '../../backends/types.ts';
import { chooseBody, planBodyFetch, renderBody } from '../../src/sync/body.ts';
import { analyseLayout, messageClassOf } from '../../src/sync/mime-parts.ts';
import { applyFlagChange, categoriesOf, flagChangeFor, keywordOf, visibleState } from '../../src/sync/flags.ts';
import { conversationId, conversationIndex, threadRoot } from '../../src/sync/conversation.ts';
import { formatFileReference, parseFileReference } from '../../src/sync/file-reference.ts';

const leaf = (part: string, type: string, size: number, extra: Partial<MimePart> = {}): MimePart => ({ part, type, params: { charset: 'utf-8' }, size, ...extra });
const alternative: MimePart = {
  part: '',
  type: 'multipart/mixed',
  params: {},
  size: 0,
  children: [
    { part: '1', type: 'multipart/alternative', params: {}, size: 0, children: [leaf('1.1', 'text/plain', 400), leaf('1.2', 'text/html', 900)] },
    leaf('2', 'application/pdf', 7800, { encoding: 'base64', disposition: 'attachment', filename: 'a.pdf' }),
  ],
};

describe('body choice (MS-ASAIRS 2.2.2.12, MS-ASCMD 2.2.3.110.3)', () => {
  const layout = analyseLayout(alternative);

  it('prefers HTML when asked and present, plain otherwise', () => {
    expect(chooseBody({ bodyPreferences: [{ type: 1 }, { type: 2 }] }, layout, '14.1').kind).toBe('html');
    expect(chooseBody({ bodyPreferences: [{ type: 1 }] }, layout, '14.1').kind).toBe('plain');
    const plainOnly = analyseLayout(leaf('1', 'text/plain', 10));
    expect(chooseBody({ bodyPreferences: [{ type: 1 }, { type: 2 }] }, plainOnly, '14.1').kind).toBe('plain');
  });

  it('sends MIME for Type 4 with MIMESupport 2, or 1 and an S/MIME message', () => {
    const prefs = [{ type: 2 }, { type: 4 }];
    expect(chooseBody({ bodyPreferences: prefs, mimeSupport: 2 }, layout, '14.1').kind).toBe('mime');
    expect(chooseBody({ bodyPreferences: prefs, mimeSupport: 1 }, layout, '14.1').kind).toBe('html');
    const signed = analyseLayout({ part: '', type: 'multipart/signed', params: { protocol: 'application/pkcs7-signature' }, size: 0, children: [leaf('1', 'text/plain', 5), leaf('2', 'application/pkcs7-signature', 300)] });
    expect(chooseBody({ bodyPreferences: prefs, mimeSupport: 1 }, signed, '14.1').kind).toBe('mime');
  });

  it('uses the 2.5 Truncation and MIMETruncation sizes when there is no BodyPreference', () => {
    expect(chooseBody({ bodyPreferences: [], truncation: 1 }, layout, '2.5')).toMatchObject({ kind: 'plain', truncationSize: 512 });
    expect(chooseBody({ bodyPreferences: [], mimeSupport: 2, mimeTruncation: 1 }, layout, '2.5')).toMatchObject({ kind: 'mime', truncationSize: 4096 });
  });

  it('drops Preview before 14.0', () => {
    expect(chooseBody({ bodyPreferences: [{ type: 2, preview: 50 }] }, layout, '12.1').preview).toBe(0);
    expect(chooseBody({ bodyPreferences: [{ type: 2, preview: 50 }] }, layout, '14.0').preview).toBe(50);
  });

  it('fetches only the chosen part, cut at the truncation size, and nothing under AllOrNone when it would be cut', () => {
    const html = chooseBody({ bodyPreferences: [{ type: 2, truncationSize: 100 }] }, layout, '14.1');
    expect(planBodyFetch(html, layout, 5000)).toEqual({ parts: [{ part: '1.2', maxBytes: 116 }] });
    const none = chooseBody({ bodyPreferences: [{ type: 2, truncationSize: 100, allOrNone: true }] }, layout, '14.1');
    expect(planBodyFetch(none, layout, 5000)).toEqual({});
    const mime = chooseBody({ bodyPreferences: [{ type: 4, truncationSize: 300 }], mimeSupport: 2 }, layout, '14.1');
    expect(planBodyFetch(mime, layout, 5000)).toEqual({ source: true, sourceMaxBytes: 300 });
  });

  it('renders a truncated body with Truncated and the whole size', () => {
    const req = chooseBody({ bodyPreferences: [{ type: 1, truncationSize: 5 }] }, layout, '14.1');
    const msg: FetchedMessage = { uid: 1, flags: [], internalDate: new Date(0), size: 5000, parts: new Map([['1.1', Buffer.from('Grüße, Welt')]]) };
    const { body, nativeType } = renderBody(req, layout, msg);
    // 5 bytes: G r ü(2) fit, ß(2) would not.
    expect(body).toMatchObject({ type: 1, truncated: true, data: 'Grü' });
    expect(body.estimatedDataSize).toBeGreaterThanOrEqual(13);
    expect(nativeType).toBe(2);
  });

  it('lists the PDF as the only attachment and classes invitations by METHOD', () => {
    expect(layout.attachments.map((a) => a.part.part)).toEqual(['2']);
    const invite = analyseLayout({ part: '', type: 'multipart/alternative', params: {}, size: 0, children: [leaf('1', 'text/plain', 5), { ...leaf('2', 'text/calendar', 500), params: { method: 'REQUEST' } }] });
    expect(messageClassOf(invite)).toBe('IPM.Schedule.Meeting.Request');
    expect(invite.attachments).toEqual([]);
  });
});

describe('flags <-> EAS (MS-ASEMAIL 2.2.2.34, 2.2.2.13)', () => {
  it('turns Read, Flag and Categories into one STORE and records the result', () => {
    const current = ['\\Seen', '$label1', 'Old'];
    const change = flagChangeFor({ read: false, flag: { status: 2 }, categories: ['Important', 'New Thing'] }, current);
    expect(change).toEqual({ add: ['\\Flagged', 'New_Thing'], remove: ['\\Seen', 'Old'] });
    expect(applyFlagChange(current, change)).toEqual(['$label1', 'New_Thing', '\\Flagged']);
  });

  it('clears \\Flagged for a completed or empty flag', () => {
    expect(flagChangeFor({ flag: null }, ['\\Flagged']).remove).toEqual(['\\Flagged']);
    expect(flagChangeFor({ flag: { status: 1 } }, ['\\Flagged']).remove).toEqual(['\\Flagged']);
  });

  it('shows user keywords as categories and ignores protocol keywords and invisible flags', () => {
    expect(categoriesOf(['$label2', '$Forwarded', '\\Seen', 'Projekt'])).toEqual(['Projekt', 'Work']);
    expect(keywordOf('To Do')).toBe('$label4');
    expect(visibleState(['\\Seen', '\\Draft'])).toBe(visibleState(['\\Seen']));
    expect(visibleState(['\\Seen'])).not.toBe(visibleState([]));
  });
});

describe('conversations and references', () => {
  it('derives one ConversationId for a thread from its first Message-ID', () => {
    const root = threadRoot({ messageId: '<a@x>' });
    const reply = threadRoot({ messageId: '<b@x>', inReplyTo: '<a@x>', references: '<a@x>' });
    expect(reply).toBe(root);
    expect(Buffer.from(conversationId(root)).equals(Buffer.from(conversationId(reply)))).toBe(true);
    const idx = conversationIndex(conversationId(root), new Date('2024-01-01T00:00:00Z'), 2);
    expect(idx.length).toBe(32);
    expect(idx[0]).toBe(1);
  });

  it('ConversationIndex carries the top five bytes of the FILETIME (100 ns ticks since 1601)', () => {
    // 2024-01-01T00:00:00Z is FILETIME 0x01DA3C45_7689C000 (133485408000000000).
    expect([...conversationIndex(new Uint8Array(16), new Date('2024-01-01T00:00:00Z'), 0).subarray(1, 6)]).toEqual([0x01, 0xda, 0x3c, 0x45, 0x76]);
    for (const iso of ['1970-01-01T00:00:00Z', '1999-12-31T23:59:59.999Z', '2038-01-19T03:14:08Z', '2107-02-07T06:28:16.123Z', '1601-01-01T00:00:00Z']) {
      const ticks = (BigInt(new Date(iso).getTime()) + 11_644_473_600_000n) * 10_000n;
      const want = [0, 1, 2, 3, 4].map((i) => Number((ticks >> BigInt(56 - 8 * i)) & 0xffn));
      expect([...conversationIndex(new Uint8Array(16), new Date(iso), 0).subarray(1, 6)], iso).toEqual(want);
    }
  });

  it('round-trips FileReferences and refuses anything else', () => {
    const ref = formatFileReference('7:42', '1.2');
    expect(parseFileReference(ref)).toEqual({ collectionId: '7', serverId: '7:42', part: '1.2' });
    expect(parseFileReference('7:42:../../etc')).toBeUndefined();
    expect(parseFileReference('INBOX:42:1')).toBeUndefined();
  });
});
