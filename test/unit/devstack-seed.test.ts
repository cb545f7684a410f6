/**
 * The seed generator (src/devstack/seed-messages.ts) writes MIME by hand;
 * these tests parse its output with mailparser to prove that what it claims
 * (charsets, encodings, structure) is what a real parser sees.
 */
import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { bigAttachmentMessage, generateMessages, TINY_PNG, type SeedKind } from '../../src/devstack/seed-messages.ts';
import { encodeCharset } from '../../src/devstack/seed-charsets.ts';
import { quotedPrintable } from '../../src/devstack/seed-mime.ts';

const NOW = new Date('2024-06-15T12:00:00Z');
const msgs = generateMessages({ count: 40, seed: 7, now: NOW, owner: 'alice@example.test' });
const byKind = (k: SeedKind) => msgs.find((m) => m.kind === k)!;

describe('seed messages', () => {
  it('are deterministic for a seed and differ for another seed', () => {
    const again = generateMessages({ count: 40, seed: 7, now: NOW });
    expect(again.map((m) => m.raw.toString('base64'))).toEqual(generateMessages({ count: 40, seed: 7, now: NOW }).map((m) => m.raw.toString('base64')));
    const other = generateMessages({ count: 40, seed: 8, now: NOW });
    expect(other.map((m) => m.raw.toString('base64'))).not.toEqual(again.map((m) => m.raw.toString('base64')));
  });

  it('cover every kind, oldest first, the newest no later than now', () => {
    const kinds = new Set(msgs.map((m) => m.kind));
    expect([...kinds].sort()).toEqual(['alternative', 'attachments', 'base64', 'cp1252', 'html', 'inline-image', 'iso2022jp', 'koi8r', 'latin1', 'meeting', 'plain', 'quoted-printable', 'smime', 'thread']);
    for (let i = 1; i < msgs.length; i++) expect(msgs[i]!.date.getTime()).toBeGreaterThanOrEqual(msgs[i - 1]!.date.getTime() - 3_600_000);
    expect(msgs.at(-1)!.date.getTime()).toBeLessThanOrEqual(NOW.getTime());
  });

  it('decode to the intended subject and text in every charset', async () => {
    const expected: Partial<Record<SeedKind, string>> = {
      latin1: 'Mit freundlichen Grüßen',
      cp1252: '“Special offer” – everything now costs 50 € less…',
      koi8r: 'Это тестовое письмо в кодировке КОИ-8. Ёлка уже стоит.',
      iso2022jp: 'あしたのかいぎは、じゅうじからです。',
      'quoted-printable': 'with = signs and tabs\tand trailing space',
      base64: 'Ça marche.',
      plain: 'Grüße 👋',
    };
    for (const [kind, text] of Object.entries(expected)) {
      const m = byKind(kind as SeedKind);
      const p = await simpleParser(m.raw);
      expect(p.subject, kind).toBe(m.subject);
      expect(p.text, kind).toContain(text);
    }
  });

  it('writes an inline image referenced by Content-ID and three attachments', async () => {
    const inline = await simpleParser(byKind('inline-image').raw, { keepCidLinks: true });
    const img = inline.attachments.find((a) => a.contentType === 'image/png')!;
    expect(img.contentId).toMatch(/^<logo\..+@seed\.example\.test>$/);
    expect(img.content.equals(TINY_PNG)).toBe(true);
    expect(inline.html).toContain(`src="cid:${img.contentId!.slice(1, -1)}"`);
    const att = await simpleParser(byKind('attachments').raw);
    expect(att.attachments.map((a) => a.filename)).toEqual(['report.pdf', 'numbers.csv', 'Übersicht Q3.docx']);
  });

  it('writes S/MIME as multipart/signed and the meeting as text/calendar METHOD:REQUEST', async () => {
    const raw = byKind('smime').raw.toString('latin1');
    expect(raw).toMatch(/Content-Type: multipart\/signed; boundary="[^"]+"; protocol="application\/pkcs7-signature"; micalg=sha-256/);
    expect(raw).toContain('Content-Type: application/pkcs7-signature; name="smime.p7s"');
    const meeting = byKind('meeting').raw.toString('utf8');
    expect(meeting).toContain('text/calendar; charset=utf-8; method=REQUEST');
    expect(meeting).toContain('ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:alice@example.test');
  });

  it('threads replies with In-Reply-To and growing References', async () => {
    const thread = msgs.filter((m) => m.kind === 'thread').slice(0, 3);
    const parsed = await Promise.all(thread.map((m) => simpleParser(m.raw)));
    expect(parsed[1]!.inReplyTo).toBe(thread[0]!.messageId);
    expect(parsed[2]!.inReplyTo).toBe(thread[1]!.messageId);
    expect(parsed[2]!.references).toEqual([thread[0]!.messageId, thread[1]!.messageId]);
    expect(thread[2]!.subject).toBe(`Re: ${thread[0]!.subject}`);
    expect(thread[0]!.flags).toContain('\\Answered');
  });

  it('uses only CRLF line endings and keeps quoted-printable lines within 76 characters', () => {
    for (const m of msgs) {
      const s = m.raw.toString('latin1');
      expect(s.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    }
    const qp = quotedPrintable(Buffer.from('x'.repeat(300) + ' \n=end', 'utf8'));
    for (const line of qp.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(qp).toContain('=20\r\n=3Dend');
  });

  it('refuses characters a legacy charset cannot encode', () => {
    expect(() => encodeCharset('日本', 'iso-2022-jp')).toThrow(/no iso-2022-jp encoding/);
    expect(() => encodeCharset('€', 'iso-8859-1')).toThrow();
    expect(encodeCharset('€', 'windows-1252')).toEqual(Buffer.from([0x80]));
  });

  it('builds a big attachment of exactly the requested size', async () => {
    const raw = bigAttachmentMessage(1_000_003);
    const p = await simpleParser(raw);
    expect(p.attachments).toHaveLength(1);
    expect(p.attachments[0]!.size).toBe(1_000_003);
    expect(raw.length).toBeGreaterThan(1_300_000);
  });
});
