import { describe, expect, it } from 'vitest';
import {
  NoRecipientsError,
  formatMailbox,
  formatRfc5322Date,
  getHeader,
  getHeaders,
  prepareOutgoing,
  recipientsOf,
  splitMessage,
} from '../../src/mail/compose/index.ts';

const me = { address: 'alice@example.org' };
const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

describe('header block', () => {
  it('splits at the first empty line and keeps the body byte-exact', () => {
    const body = Buffer.from('line1\r\n\r\nline3 \xff', 'latin1');
    const raw = Buffer.concat([Buffer.from('Subject: a\r\n b\r\nTo: x@y.z\r\n\r\n'), body]);
    const m = splitMessage(raw);
    expect(m.fields.map((f) => f.name)).toEqual(['Subject', 'To']);
    expect(getHeader(m, 'subject')).toBe('a b');
    expect(m.body.equals(body)).toBe(true);
  });

  it('accepts bare LF line endings', () => {
    const m = splitMessage(Buffer.from('To: a@b.c\nCc: d@e.f\n\nhello\n'));
    expect(getHeaders(m, 'cc')).toEqual(['d@e.f']);
    expect(m.body.toString()).toBe('hello\n');
  });

  it('reads 8-bit header values as UTF-8', () => {
    const m = splitMessage(Buffer.from('Subject: Grüße\r\n\r\n', 'utf8'));
    expect(getHeader(m, 'Subject')).toBe('Grüße');
  });
});

describe('prepareOutgoing', () => {
  const now = new Date(Date.UTC(2026, 10, 23, 18, 5, 9));

  it('strips Bcc from the transmitted message but keeps its address in the envelope and in the Sent copy', () => {
    const raw = crlf(['From: alice@example.org', 'To: Bob <bob@example.org>', 'Bcc: carol@example.org', 'Subject: hi', '', 'body']);
    const out = prepareOutgoing(raw, me, now);
    expect(out.envelope.to).toEqual(['bob@example.org', 'carol@example.org']);
    expect(out.transmit.toString()).not.toMatch(/^Bcc:/im);
    expect(out.sentCopy.toString()).toMatch(/^Bcc: carol@example.org$/im);
    expect(out.envelope.from).toBe('alice@example.org');
  });

  it('adds Date and Message-ID when missing and keeps them when present', () => {
    const added = prepareOutgoing(crlf(['To: bob@example.org', '', 'x']), me, now);
    const m = splitMessage(added.transmit);
    expect(getHeader(m, 'Date')).toBe('Mon, 23 Nov 2026 18:05:09 +0000');
    expect(getHeader(m, 'Message-ID')).toBe(added.messageId);
    expect(added.messageId).toMatch(/^<[0-9a-f-]+@example\.org>$/);

    const kept = prepareOutgoing(
      crlf(['To: bob@example.org', 'Date: Tue, 1 Jan 2030 00:00:00 +0100', 'Message-ID: <abc@dev>', '', 'x']),
      me,
      now,
    );
    const k = splitMessage(kept.transmit);
    expect(getHeader(k, 'Date')).toBe('Tue, 1 Jan 2030 00:00:00 +0100');
    expect(kept.messageId).toBe('<abc@dev>');
  });

  it('replaces a foreign From with the user address, keeping the display name', () => {
    const out = prepareOutgoing(crlf(['From: "Mallory M" <boss@example.org>', 'Sender: boss@example.org', 'To: bob@example.org', '', 'x']), me, now);
    const m = splitMessage(out.transmit);
    expect(getHeader(m, 'From')).toBe('"Mallory M" <alice@example.org>');
    expect(getHeader(m, 'Sender')).toBeUndefined();
  });

  it('keeps an RFC 2047 display name decodable when replacing a foreign From', () => {
    const out = prepareOutgoing(crlf(['From: =?UTF-8?Q?Zo=C3=AB?= <zoe@elsewhere.org>', 'To: bob@example.org', '', 'x']), me, now);
    expect(getHeader(splitMessage(out.transmit), 'From')).toBe('=?UTF-8?Q?Zo=C3=AB?= <alice@example.org>');
  });

  it('adds a From to a message without one', () => {
    const out = prepareOutgoing(crlf(['To: bob@example.org', '', 'x']), { address: 'alice@example.org', name: 'Alice' }, now);
    expect(getHeader(splitMessage(out.transmit), 'From')).toBe('"Alice" <alice@example.org>');
  });

  it('keeps the device From when it is the user address, whatever the case', () => {
    const out = prepareOutgoing(crlf(['From: =?UTF-8?Q?Al=C3=AFce?= <Alice@Example.org>', 'To: bob@example.org', '', 'x']), me, now);
    expect(getHeader(splitMessage(out.transmit), 'From')).toBe('=?UTF-8?Q?Al=C3=AFce?= <Alice@Example.org>');
  });

  it('refuses a message without recipients', () => {
    expect(() => prepareOutgoing(crlf(['Subject: nobody', '', 'x']), me, now)).toThrow(NoRecipientsError);
  });

  it('leaves the body untouched', () => {
    const body = Buffer.from('--b\r\nContent-Type: text/plain\r\n\r\nsigned\r\n--b--\r\n');
    const raw = Buffer.concat([crlf(['To: bob@example.org', 'Content-Type: multipart/signed; boundary=b', '', '']), body]);
    const out = prepareOutgoing(raw, me, now);
    expect(out.transmit.subarray(out.transmit.length - body.length).equals(body)).toBe(true);
  });
});

describe('address helpers', () => {
  it('lists each recipient once, groups flattened, case-insensitively', () => {
    expect(recipientsOf(['a@x.org, "B, C" <b@x.org>', 'team: A@X.org, d@x.org;', 'undisclosed-recipients:;'])).toEqual([
      'a@x.org',
      'b@x.org',
      'd@x.org',
    ]);
  });

  it('encodes non-ASCII display names and quotes ASCII ones', () => {
    expect(formatMailbox('a@x.org', 'Zoë')).toBe('=?UTF-8?Q?Zo=C3=AB?= <a@x.org>');
    expect(formatMailbox('a@x.org', 'Doe, "J"')).toBe('"Doe, \\"J\\"" <a@x.org>');
    expect(formatMailbox('a@x.org')).toBe('a@x.org');
  });

  it('formats dates in RFC 5322 form', () => {
    expect(formatRfc5322Date(new Date(Date.UTC(2024, 1, 29, 1, 2, 3)))).toBe('Thu, 29 Feb 2024 01:02:03 +0000');
  });
});
