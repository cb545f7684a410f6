import { describe, expect, it } from 'vitest';
import { mapSmtpError } from '../../backends/smtp/errors.ts';
import { smtpOptionsFromUrl } from '../../backends/smtp/submitter.ts';
import { htmlToText } from '../../src/mail/compose/quote.ts';

describe('mapSmtpError (RFC 5321 replies to BackendError codes)', () => {
  it.each([
    [{ responseCode: 552, response: '552 5.3.4 Message size exceeds fixed maximum' }, 'TooLarge'],
    [{ code: 'EMESSAGE', message: 'Message size larger than allowed 1000' }, 'TooLarge'],
    [{ code: 'EAUTH', responseCode: 535, response: '535 Authentication failed' }, 'AuthFailed'],
    [{ code: 'ECONNECTION', message: 'Connection closed' }, 'BackendUnavailable'],
    [{ code: 'ETIMEDOUT', message: 'Greeting never received' }, 'BackendUnavailable'],
    [{ code: 'EMESSAGE', responseCode: 451, response: '451 try later' }, 'BackendUnavailable'],
    [{ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 no such user' }, 'Invalid'],
    [{ code: 'EMESSAGE', responseCode: 554, response: '554 rejected' }, 'Invalid'],
  ])('%j -> %s', (err, code) => {
    expect(mapSmtpError(Object.assign(new Error('x'), err)).code).toBe(code);
  });

  it('keeps the original error as the cause', () => {
    const orig = Object.assign(new Error('boom'), { code: 'ESOCKET' });
    expect(mapSmtpError(orig).cause).toBe(orig);
  });
});

describe('smtpOptionsFromUrl', () => {
  it('reads implicit TLS from smtps and defaults the ports', () => {
    expect(smtpOptionsFromUrl('smtps://mail.example.org', { maxMessageBytes: 1 })).toMatchObject({ host: 'mail.example.org', port: 465, secure: true });
    expect(smtpOptionsFromUrl('smtp://[::1]:2525', { maxMessageBytes: 1 })).toMatchObject({ host: '::1', port: 2525, secure: false });
    expect(smtpOptionsFromUrl('smtp://mail.example.org', { maxMessageBytes: 1 })).toMatchObject({ port: 587 });
  });

  it('refuses other schemes', () => {
    expect(() => smtpOptionsFromUrl('http://x', { maxMessageBytes: 1 })).toThrow(/smtp/);
  });
});

describe('htmlToText for quoting HTML-only originals', () => {
  it('keeps block breaks, drops markup, scripts and styles, decodes entities', () => {
    const html = '<html><head><style>p{}</style></head><body><p>One &amp; two</p><div>3&nbsp;&lt;4&gt; &#x263A; &#9731;</div><script>x()</script>a<br>b</body></html>';
    expect(htmlToText(html)).toBe('One & two\n3\u00a0<4> \u263a \u2603\na\nb');
  });
});
