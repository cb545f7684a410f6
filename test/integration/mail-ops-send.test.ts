import { describe, expect, it } from 'vitest';
import type { EasClient } from '../../src/client/index.ts';
import { el, childNumber } from '../../protocol/wbxml/tree.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { useStack } from '../harness/use-stack.ts';
import { findBySubject as find, waitFor } from './mail-ops-helpers.ts';
import { useTestServer } from '../harness/use-test-server.ts';

const MAX_MAIL = 200_000;
const stack = useStack();
const server = useTestServer(stack, { env: { EAS_MAX_MAIL_BYTES: MAX_MAIL } });

const CM = 'ComposeMail';
const findBySubject = (user: string, folder: string, subject: string) => find(stack(), user, folder, subject);

function mime(subject: string, opts: { to?: string; bcc?: string; from?: string; body?: string } = {}): Buffer {
  return Buffer.from(
    [
      `From: ${opts.from ?? 'alice@example.test'}`,
      `To: ${opts.to ?? 'bob@example.test'}`,
      ...(opts.bcc ? [`Bcc: ${opts.bcc}`] : []),
      `Subject: ${subject}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      opts.body ?? `body of ${subject}`,
      '',
    ].join('\r\n'),
  );
}

async function client(version: ProtocolVersion): Promise<EasClient> {
  const c = server().client({ user: 'alice@example.test', version });
  await c.provision();
  return c;
}

function sendMail14(c: EasClient, raw: Buffer, clientId: string, saveInSent = true) {
  return c.command('SendMail', el(CM, 'SendMail', [el(CM, 'ClientId', clientId), saveInSent ? el(CM, 'SaveInSentItems') : undefined, el(CM, 'Mime', raw)]));
}

describe.each(['14.1', '16.1'] as const)('SendMail, ComposeMail form (%s)', (version) => {
  it('delivers to the recipient INBOX through SMTP as the user and saves a \\Seen copy in Sent', async () => {
    const c = await client(version);
    const subject = `send-${version}-${Date.now()}`;
    const res = await sendMail14(c, mime(subject, { bcc: 'carol@elsewhere.test' }), `cid-${subject}`);
    expect(res.status).toBe(200);
    expect(res.raw.length).toBe(0);

    const sunk = await stack().smtpSink.waitForMessage((m) => m.raw.includes(subject));
    expect(sunk.user).toBe('alice@example.test');
    expect([...sunk.to].sort()).toEqual(['bob@example.test', 'carol@elsewhere.test']);
    expect(sunk.raw.toString()).not.toMatch(/^Bcc:/im);
    expect(sunk.raw.toString()).toMatch(/^Message-ID: <.+@example\.test>$/im);

    expect(await waitFor(() => findBySubject('bob@example.test', 'INBOX', subject))).toHaveLength(1);
    const sent = await findBySubject('alice@example.test', 'Sent', subject);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.flags.has('\\Seen')).toBe(true);
    expect(sent[0]!.source.toString()).toMatch(/^Bcc: carol@elsewhere.test$/im);
  });

  it('sends a retried request with the same ClientId only once, answering success both times', async () => {
    const c = await client(version);
    const subject = `retry-${version}-${Date.now()}`;
    const raw = mime(subject);
    const first = await sendMail14(c, raw, `cid-${subject}`);
    const second = await sendMail14(c, raw, `cid-${subject}`);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.raw.length).toBe(0);
    await stack().smtpSink.waitForMessage((m) => m.raw.includes(subject));
    await new Promise((r) => setTimeout(r, 300));
    expect(stack().smtpSink.messages.filter((m) => m.raw.includes(subject))).toHaveLength(1);
    expect(await findBySubject('alice@example.test', 'Sent', subject)).toHaveLength(1);
  });

  it('replaces a forged From with the user address', async () => {
    const c = await client(version);
    const subject = `forged-${version}-${Date.now()}`;
    await sendMail14(c, mime(subject, { from: '"The Boss" <boss@example.test>' }), `cid-${subject}`, false);
    const sunk = await stack().smtpSink.waitForMessage((m) => m.raw.includes(subject));
    expect(sunk.from).toBe('alice@example.test');
    expect(sunk.raw.toString()).toMatch(/^From: "The Boss" <alice@example\.test>$/im);
    expect(await findBySubject('alice@example.test', 'Sent', subject)).toHaveLength(0);
  });

  it('refuses a message over the configured limit with Status 122 and sends nothing', async () => {
    const c = await client(version);
    const subject = `big-${version}-${Date.now()}`;
    const res = await sendMail14(c, mime(subject, { body: 'x'.repeat(MAX_MAIL + 10) }), `cid-${subject}`);
    expect(res.status).toBe(200);
    expect(res.body && childNumber(res.body, 'Status', CM)).toBe(122);
    await new Promise((r) => setTimeout(r, 200));
    expect(stack().smtpSink.messages.some((m) => m.raw.includes(subject))).toBe(false);
  });

  it('answers 119 for a message without recipients', async () => {
    const c = await client(version);
    const raw = Buffer.from('From: alice@example.test\r\nSubject: nobody\r\n\r\nhi\r\n');
    const res = await sendMail14(c, raw, `cid-norcpt-${version}-${Date.now()}`);
    expect(res.body && childNumber(res.body, 'Status', CM)).toBe(119);
  });
});

describe('SendMail when the SMTP server refuses', () => {
  it('answers 120 MailSubmissionFailed for a permanent refusal and lets the same ClientId send later', async () => {
    const c = await client('14.1');
    const subject = `refused-${Date.now()}`;
    try {
      stack().smtpSink.setFailure({ code: 554, message: 'policy rejection' });
      const res = await sendMail14(c, mime(subject), `cid-${subject}`);
      expect(res.body && childNumber(res.body, 'Status', CM)).toBe(120);
    } finally {
      stack().smtpSink.setFailure(null);
    }
    const retry = await sendMail14(c, mime(subject), `cid-${subject}`);
    expect(retry.raw.length).toBe(0);
    await stack().smtpSink.waitForMessage((m) => m.raw.includes(subject));
  });

  it('answers a transient refusal with HTTP 503 and Retry-After', async () => {
    const c = await client('14.1');
    const subject = `later-${Date.now()}`;
    try {
      stack().smtpSink.setFailure({ code: 451, message: 'try again later' });
      const res = await sendMail14(c, mime(subject), `cid-${subject}`);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      stack().smtpSink.setFailure(null);
    }
  });
});

describe('SendMail, 12.1 MIME-body form', () => {
  it('sends the raw message body with SaveInSent=T', async () => {
    const c = await client('12.1');
    const subject = `send-12-${Date.now()}`;
    const res = await c.command('SendMail', undefined, { rawBody: mime(subject), params: { SaveInSent: 'T' }, headers: { 'Content-Type': 'message/rfc822' } });
    expect(res.status).toBe(200);
    await stack().smtpSink.waitForMessage((m) => m.raw.includes(subject));
    expect(await findBySubject('alice@example.test', 'Sent', subject)).toHaveLength(1);
  });

  it('reads SaveInSent from the Options flags of the base64 query form', async () => {
    const c = await client('12.1');
    const subject = `send-12-b64-${Date.now()}`;
    const res = await c.command('SendMail', undefined, {
      rawBody: mime(subject),
      params: { SaveInSent: 'T' },
      queryForm: 'base64',
      headers: { 'Content-Type': 'message/rfc822' },
    });
    expect(res.status).toBe(200);
    await stack().smtpSink.waitForMessage((m) => m.raw.includes(subject));
    expect(await findBySubject('alice@example.test', 'Sent', subject)).toHaveLength(1);
  });

  it('does not save a copy without SaveInSent', async () => {
    const c = await client('12.1');
    const subject = `nosave-12-${Date.now()}`;
    const res = await c.command('SendMail', undefined, { rawBody: mime(subject), headers: { 'Content-Type': 'message/rfc822' } });
    expect(res.status).toBe(200);
    await stack().smtpSink.waitForMessage((m) => m.raw.includes(subject));
    expect(await findBySubject('alice@example.test', 'Sent', subject)).toHaveLength(0);
  });

  it('answers an oversized message with an HTTP error, since 12.1 has no ComposeMail status', async () => {
    const c = await client('12.1');
    const subject = `big-12-${Date.now()}`;
    const res = await c.command('SendMail', undefined, { rawBody: mime(subject, { body: 'y'.repeat(MAX_MAIL + 10) }), headers: { 'Content-Type': 'message/rfc822' } });
    expect(res.status).toBe(500);
    expect(res.body).toBeUndefined();
    expect(stack().smtpSink.messages.some((m) => m.raw.includes(subject))).toBe(false);
  });
});
