/**
 * iMIP mail (src/mail/compose/itip.ts, RFC 6047): every message is parsed
 * back with mailparser and its calendar part with ical.js.
 */
import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import type { AddressObject, ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { attendeeReply } from '../../backends/caldav/itip.ts';
import { itipMessage, replySubject } from '../../src/mail/compose/itip.ts';
import { getHeader, splitMessage } from '../../src/mail/compose/index.ts';

const ICS = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'METHOD:REQUEST',
  'BEGIN:VEVENT', 'UID:m-1@example.test', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260310T090000Z', 'DTEND:20260310T100000Z',
  'SUMMARY:Réunion – planning', 'ORGANIZER:mailto:alice@example.test', 'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:guest@example.test',
  'END:VEVENT', 'END:VCALENDAR', '',
].join('\r\n');

const base = {
  from: 'alice@example.test',
  to: ['guest@example.test', 'john@example.test'],
  subject: 'Kick-off',
  text: 'You are invited.\nSee you.',
  ics: ICS,
  method: 'REQUEST' as const,
  date: new Date('2026-02-01T12:00:00Z'),
  messageId: '<fixed-1@example.test>',
};

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address ?? ''));

function calendarOf(p: ParsedMail) {
  const cal = p.attachments.find((a) => a.contentType === 'text/calendar');
  if (!cal) throw new Error('no text/calendar part');
  return cal;
}

describe('itipMessage', () => {
  it('is multipart/alternative of text/plain and text/calendar with the method parameter', async () => {
    const raw = itipMessage(base);
    const p = await simpleParser(raw);
    expect(p.from?.value[0]?.address).toBe('alice@example.test');
    expect(addresses(p.to)).toEqual(['guest@example.test', 'john@example.test']);
    expect(p.subject).toBe('Kick-off');
    expect(p.messageId).toBe('<fixed-1@example.test>');
    expect(p.date?.toISOString()).toBe('2026-02-01T12:00:00.000Z');
    expect(p.text?.replace(/\r\n/g, '\n').trim()).toBe('You are invited.\nSee you.');
    const ct = p.headers.get('content-type') as { value: string; params: Record<string, string> };
    expect(ct.value).toBe('multipart/alternative');
    expect(p.headers.get('content-class')).toBe('urn:content-classes:calendarmessage');
    const cal = calendarOf(p);
    const calType = cal.headers.get('content-type') as { value: string; params: Record<string, string> };
    expect(calType.params['method']).toBe('REQUEST');
    expect(calType.params['charset']?.toLowerCase()).toBe('utf-8');
    // The object arrives byte for byte, CRLF line ends and UTF-8 included.
    expect(cal.content.toString('utf8')).toBe(ICS);
    const vcal = new ICAL.Component(ICAL.parse(cal.content.toString('utf8')));
    expect(vcal.getFirstSubcomponent('vevent')!.getFirstPropertyValue('summary')).toBe('Réunion – planning');
  });

  it('ends every line with CRLF and keeps lines short', () => {
    const raw = itipMessage({ ...base, subject: 'word '.repeat(60), text: 'a\nb\rc\r\nd '.repeat(40) }).toString('latin1');
    expect(raw).not.toMatch(/[^\r]\n/);
    expect(raw).not.toMatch(/\r(?!\n)/);
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('encodes non-ASCII subjects and names (RFC 2047) and they read back', async () => {
    const raw = itipMessage({ ...base, subject: 'Akzeptiert: Größenplanung 📅', fromName: 'Jürgen Groß' });
    expect(/^[\x00-\x7f]*$/.test(raw.toString('latin1'))).toBe(true);
    const p = await simpleParser(raw);
    expect(p.subject).toBe('Akzeptiert: Größenplanung 📅');
    expect(p.from?.value[0]).toMatchObject({ name: 'Jürgen Groß', address: 'alice@example.test' });
  });

  it('hostile subject and display name cannot add header fields', async () => {
    const raw = itipMessage({
      ...base,
      subject: 'Hi\r\nBcc: evil@example.test\r\n\r\nbody',
      fromName: 'Mallory"\r\nBcc: evil2@example.test <x@y>',
    });
    const m = splitMessage(raw);
    expect(m.fields.map((f) => f.name.toLowerCase())).not.toContain('bcc');
    const p = await simpleParser(raw);
    expect(p.bcc).toBeUndefined();
    expect(p.subject).toBe('Hi Bcc: evil@example.test body');
    expect(p.from?.value).toHaveLength(1);
    expect(p.from?.value[0]?.address).toBe('alice@example.test');
    expect(p.from?.value[0]?.name).toContain('Mallory');
  });

  it('refuses an address that is not a plain addr-spec, and an empty recipient list', () => {
    expect(() => itipMessage({ ...base, to: ['guest@example.test\r\nBcc: evil@example.test'] })).toThrow(/address/);
    expect(() => itipMessage({ ...base, to: ['"Guest" <guest@example.test>'] })).toThrow(/address/);
    expect(() => itipMessage({ ...base, from: 'alice@example.test, evil@example.test' })).toThrow(/address/);
    expect(() => itipMessage({ ...base, to: [] })).toThrow(/recipient/);
  });

  it('adds METHOD to an object without one and refuses a contradicting one (RFC 6047 2.4)', async () => {
    const p = await simpleParser(itipMessage({ ...base, ics: ICS.replace('METHOD:REQUEST\r\n', '') }));
    const text = calendarOf(p).content.toString('utf8');
    expect(new ICAL.Component(ICAL.parse(text)).getFirstPropertyValue('method')).toBe('REQUEST');
    expect(() => itipMessage({ ...base, method: 'CANCEL' })).toThrow(/METHOD/);
  });

  it('labels an attendee counter-proposal METHOD:COUNTER sent as a reply', async () => {
    const r = attendeeReply(ICS, { attendeeEmail: 'guest@example.test', partstat: 'TENTATIVE', proposedStart: new Date('2026-03-10T11:00:00Z') });
    const p = await simpleParser(itipMessage({ ...base, to: ['alice@example.test'], from: 'guest@example.test', ics: r.replyIcs, method: 'REPLY' }));
    const cal = calendarOf(p);
    expect((cal.headers.get('content-type') as { params: Record<string, string> }).params['method']).toBe('COUNTER');
    expect(new ICAL.Component(ICAL.parse(cal.content.toString('utf8'))).getFirstPropertyValue('method')).toBe('COUNTER');
  });

  it('a REPLY from attendeeReply goes out as method=REPLY with the PARTSTAT', async () => {
    const r = attendeeReply(ICS, { attendeeEmail: 'guest@example.test', partstat: 'ACCEPTED' });
    const raw = itipMessage({ from: 'guest@example.test', to: [r.organizer!.email], subject: replySubject('ACCEPTED', r.summary), text: 'ok', ics: r.replyIcs, method: 'REPLY' });
    const p = await simpleParser(raw);
    expect(p.subject).toBe('Accepted: Réunion – planning');
    const cal = calendarOf(p);
    expect((cal.headers.get('content-type') as { params: Record<string, string> }).params['method']).toBe('REPLY');
    const ev = new ICAL.Component(ICAL.parse(cal.content.toString('utf8'))).getFirstSubcomponent('vevent')!;
    expect(ev.getFirstProperty('attendee')!.getParameter('partstat')).toBe('ACCEPTED');
  });

  it('makes a Message-ID under the sender domain when none or a malformed one is given', () => {
    for (const messageId of [undefined, 'no-brackets@example.test']) {
      const id = getHeader(splitMessage(itipMessage({ ...base, messageId })), 'Message-ID');
      expect(id).toMatch(/^<[^<>\s]+@example\.test>$/);
    }
  });
});

describe('replySubject', () => {
  it.each([
    ['ACCEPTED', 'Accepted: Budget'],
    ['TENTATIVE', 'Tentative: Budget'],
    ['DECLINED', 'Declined: Budget'],
    ['accepted', 'Accepted: Budget'],
    ['NEEDS-ACTION', 'Budget'],
  ])('%s gives %s', (partstat, want) => {
    expect(replySubject(partstat, 'Budget')).toBe(want);
  });
});
