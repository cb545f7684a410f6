import { describe, expect, it } from 'vitest';
import { decodeCharset, htmlToText, previewOf, textToHtml, truncateUtf8 } from '../../src/sync/text.ts';
import { decodeQuotedPrintable, decodeTransfer } from '../../backends/imap/mime.ts';
import { uidSet } from '../../backends/imap/uid-set.ts';

describe('charsets (RFC 2046 4.1.2)', () => {
  it.each([
    ['windows-1252', [0x93, 0x80, 0x94], '“€”'],
    ['iso-8859-1', [0x47, 0x72, 0xfc, 0xdf, 0x65], 'Grüße'],
    ['koi8-r', [0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4], 'Привет'],
    ['utf-8', [0xc3, 0xa4], 'ä'],
    ['x-unknown-charset', [0xc3, 0xa4], 'ä'],
    [undefined, [0xe4], 'ä'],
  ] as const)('decodes %s', (charset, bytes, text) => {
    expect(decodeCharset(Uint8Array.from(bytes), charset)).toBe(text);
  });

  it('decodes ISO-2022-JP escape sequences', () => {
    expect(decodeCharset(Buffer.from('1b2442246f243f242d1b2842', 'hex'), 'ISO-2022-JP')).toBe('わたき');
  });
});

describe('truncateUtf8', () => {
  it('never splits a character and keeps at most the byte limit', () => {
    expect(truncateUtf8('aäb', 2)).toBe('a');
    expect(truncateUtf8('aäb', 3)).toBe('aä');
    expect(truncateUtf8('👋x', 3)).toBe('');
    expect(truncateUtf8('short', 100)).toBe('short');
    expect(truncateUtf8('abc', 0)).toBe('');
  });
});

describe('HTML and plain text', () => {
  it('turns HTML into readable text without markup, styles or scripts', () => {
    const t = htmlToText('<html><head><style>p{x:y}</style></head><body><p>Hello&nbsp;<b>W&ouml;rld</b></p><script>bad()</script><ul><li>one</li></ul>a&lt;b &#x263A;</body></html>');
    expect(t).toBe('Hello Wörld\n\n• one\na<b ☺');
  });

  it('escapes text for HTML and keeps line breaks', () => {
    expect(textToHtml('a<b>\r\nc & d')).toBe('<html><body><div>a&lt;b&gt;<br>\r\nc &amp; d</div></body></html>');
  });

  it('previews the first characters with whitespace collapsed', () => {
    expect(previewOf('  Hello,\r\n\r\n  world  again ', 12)).toBe('Hello, world');
  });
});

describe('transfer encodings and UID sets (backends/imap)', () => {
  it('decodes quoted-printable with soft breaks and drops a cut-off escape', () => {
    expect(decodeQuotedPrintable(Buffer.from('caf=C3=A9 is=\r\n nice=3')).toString('utf8')).toBe('café is nice');
  });

  it('decodes a truncated base64 fragment up to its last whole quantum', () => {
    const enc = Buffer.from(Buffer.from('hello world').toString('base64').slice(0, 10));
    // 10 characters: two whole 4-character quanta = 6 bytes.
    expect(decodeTransfer(enc, 'base64').toString()).toBe('hello ');
  });

  it('compresses UIDs into ranges', () => {
    expect(uidSet([9, 1, 2, 3, 7, 10, 2])).toBe('1:3,7,9:10');
    expect(uidSet([])).toBe('');
  });
});
