import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeSmart, getHeader, splitMessage } from '../../src/mail/compose/index.ts';
import { quoteText } from '../../src/mail/compose/quote.ts';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

const pdfBytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256));

const original = crlf([
  'From: Bob <bob@example.org>',
  'To: alice@example.org',
  'Subject: Quarterly numbers',
  'Date: Fri, 20 Nov 2026 10:00:00 +0000',
  'Message-ID: <orig-1@example.org>',
  'References: <root@example.org>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="mix"',
  '',
  '--mix',
  'Content-Type: multipart/related; boundary="rel"',
  '',
  '--rel',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<html><head><title>t</title></head><body><p>See <b>attached</b> für dich</p><img src="cid:logo@x"></body></html>',
  '--rel',
  'Content-Type: image/png',
  'Content-ID: <logo@x>',
  'Content-Disposition: inline',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('PNGDATA').toString('base64'),
  '--rel--',
  '--mix',
  'Content-Type: application/pdf; name="report.pdf"',
  'Content-Disposition: attachment; filename="report.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  pdfBytes.toString('base64'),
  '--mix--',
  '',
]);

const clientReply = crlf([
  'From: alice@example.org',
  'To: bob@example.org',
  'Subject: RE: Quarterly numbers',
  'X-Device-Header: kept',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Thanks, looks good.',
  '',
]);

describe('quoteText', () => {
  it('prefixes every line and compacts nested quotes', () => {
    expect(quoteText('a\n> b\n\nc\n')).toBe('> a\n>> b\n>\n> c');
  });
});

describe('composeSmart reply', () => {
  it('sets In-Reply-To and References from the original', async () => {
    const out = splitMessage(await composeSmart({ kind: 'reply', clientMime: clientReply, original, replaceMime: false }));
    expect(getHeader(out, 'In-Reply-To')).toBe('<orig-1@example.org>');
    expect(getHeader(out, 'References')).toBe('<root@example.org> <orig-1@example.org>');
    expect(getHeader(out, 'X-Device-Header')).toBe('kept');
    expect(getHeader(out, 'Subject')).toBe('RE: Quarterly numbers');
  });

  it('keeps threading headers the device already set', async () => {
    const mine = crlf(['To: bob@example.org', 'In-Reply-To: <mine@x>', 'References: <mine@x>', '', 'hi']);
    const out = splitMessage(await composeSmart({ kind: 'reply', clientMime: mine, original, replaceMime: true }));
    expect(getHeader(out, 'In-Reply-To')).toBe('<mine@x>');
    expect(getHeader(out, 'References')).toBe('<mine@x>');
  });

  it('quotes the original text and HTML under an attribution line', async () => {
    const parsed = await simpleParser(await composeSmart({ kind: 'reply', clientMime: clientReply, original, replaceMime: false }));
    expect(parsed.text).toContain('Thanks, looks good.');
    expect(parsed.text).toMatch(/^On Fri, 20 Nov 2026 10:00:00 GMT, "Bob" <bob@example\.org> wrote:$/m);
    expect(parsed.text).toMatch(/^> See attached für dich/m);
    expect(parsed.html).toContain('<blockquote');
    expect(parsed.html).toContain('<p>See <b>attached</b> für dich</p>');
    // the inline image the quoted HTML points at travels along; the PDF does not
    const names = parsed.attachments.map((a) => a.contentType);
    expect(names).toContain('image/png');
    expect(names).not.toContain('application/pdf');
  });

  it('sends the device MIME unchanged apart from headers when ReplaceMime is present', async () => {
    const out = await composeSmart({ kind: 'reply', clientMime: clientReply, original, replaceMime: true });
    const parsed = await simpleParser(out);
    expect(parsed.text?.trim()).toBe('Thanks, looks good.');
    expect(parsed.attachments).toHaveLength(0);
    expect(splitMessage(out).body.equals(splitMessage(clientReply).body)).toBe(true);
  });
});

describe('composeSmart forward', () => {
  const clientFwd = crlf([
    'From: alice@example.org',
    'To: carol@example.org',
    'Subject: FW: Quarterly numbers',
    'Content-Type: multipart/mixed; boundary="c"',
    '',
    '--c',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'FYI',
    '--c',
    'Content-Type: text/plain; name="note.txt"',
    'Content-Disposition: attachment; filename="note.txt"',
    '',
    'my own attachment',
    '--c--',
    '',
  ]);

  it('includes the original attachments byte-identical, and the device attachments', async () => {
    const parsed = await simpleParser(await composeSmart({ kind: 'forward', clientMime: clientFwd, original, replaceMime: false }));
    const pdf = parsed.attachments.find((a) => a.filename === 'report.pdf');
    expect(pdf?.content.equals(pdfBytes)).toBe(true);
    expect(parsed.attachments.find((a) => a.filename === 'note.txt')?.content.toString().trim()).toBe('my own attachment');
    expect(parsed.attachments.some((a) => a.contentType === 'image/png')).toBe(true);
  });

  it('includes the original body under a forward header', async () => {
    const parsed = await simpleParser(await composeSmart({ kind: 'forward', clientMime: clientFwd, original, replaceMime: false }));
    expect(parsed.text).toMatch(/^FYI/);
    expect(parsed.text).toContain('---------- Forwarded message ----------');
    expect(parsed.text).toContain('Subject: Quarterly numbers');
    expect(parsed.text).toContain('See attached für dich');
    expect(parsed.html).toContain('<p>See <b>attached</b> für dich</p>');
    expect(parsed.inReplyTo).toBeUndefined();
  });

  it('includes nothing of the original with ReplaceMime', async () => {
    const parsed = await simpleParser(await composeSmart({ kind: 'forward', clientMime: clientFwd, original, replaceMime: true }));
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['note.txt']);
    expect(parsed.text).not.toContain('Forwarded message');
  });

  it('forwards a plain-text original as plain text only', async () => {
    const plain = crlf(['From: bob@example.org', 'Subject: s', 'Content-Type: text/plain; charset=utf-8', '', 'line <1>', '']);
    const mine = crlf(['To: carol@example.org', 'Content-Type: text/plain', '', 'see below']);
    const parsed = await simpleParser(await composeSmart({ kind: 'forward', clientMime: mine, original: plain, replaceMime: false }));
    expect(parsed.html).toBe(false);
    expect(parsed.text).toContain('line <1>');
  });
});
