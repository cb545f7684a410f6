import { afterAll, describe, expect, it } from 'vitest';
import { isBackendError } from '../../backends/errors.ts';
import { SmtpSubmitter, smtpOptionsFromUrl } from '../../backends/smtp/index.ts';
import { simpleMessage, useStack } from '../harness/use-stack.ts';

const stack = useStack({ smtpMaxSize: 200_000 });
const submitters: SmtpSubmitter[] = [];
afterAll(async () => {
  for (const s of submitters) await s.close();
});

function submitter(maxMessageBytes = 1_000_000, idleMs = 5_000): SmtpSubmitter {
  const s = new SmtpSubmitter(smtpOptionsFromUrl(stack().smtp.url, { maxMessageBytes, idleMs }));
  submitters.push(s);
  return s;
}

const alice = (): { user: string; password: string } => ({ user: stack().user('alice@example.test').name, password: 'alice-secret' });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return isBackendError(e) ? e.code : `other: ${String(e)}`;
  }
}

describe('SmtpSubmitter against the stack SMTP server', () => {
  it('submits as the user with the given envelope and the message arrives in the recipient INBOX', async () => {
    const subject = `smtp-submit-${Date.now()}`;
    const raw = Buffer.from(simpleMessage({ subject, from: 'alice@example.test', to: 'bob@example.test' }));
    const res = await submitter().submit(alice(), { from: 'alice@example.test', to: ['bob@example.test'], raw });
    expect(res.accepted).toEqual(['bob@example.test']);
    const m = await stack().smtpSink.waitForMessage((x) => x.raw.includes(subject));
    expect(m.user).toBe('alice@example.test');
    expect(m.to).toEqual(['bob@example.test']);
    expect(m.raw.equals(raw)).toBe(true);

    const imap = await stack().imapClient('bob@example.test');
    try {
      await imap.mailboxOpen('INBOX');
      const found = await imap.search({ header: { subject } }, { uid: true });
      expect(found).toHaveLength(1);
    } finally {
      await imap.logout();
    }
  });

  it('reuses the pooled connection for a second message of the same user', async () => {
    const s = submitter();
    for (const n of [1, 2]) {
      const subject = `smtp-pool-${n}-${Date.now()}`;
      await s.submit(alice(), { from: 'alice@example.test', to: ['bob@example.test'], raw: Buffer.from(simpleMessage({ subject })) });
      await stack().smtpSink.waitForMessage((x) => x.raw.includes(subject));
    }
  });

  it('refuses a message over its own limit without connecting', async () => {
    const raw = Buffer.alloc(2_000, 'a');
    expect(await codeOf(submitter(1_000).submit(alice(), { from: 'alice@example.test', to: ['bob@example.test'], raw }))).toBe('TooLarge');
  });

  it('maps the server 552 size refusal to TooLarge', async () => {
    const raw = Buffer.from(simpleMessage({ subject: 'big', body: 'x'.repeat(300_000) }));
    expect(await codeOf(submitter().submit(alice(), { from: 'alice@example.test', to: ['bob@example.test'], raw }))).toBe('TooLarge');
  });

  it('maps a refused login to AuthFailed', async () => {
    const raw = Buffer.from(simpleMessage({ subject: 'auth' }));
    const bad = { user: 'alice@example.test', password: 'wrong' };
    expect(await codeOf(submitter().submit(bad, { from: 'alice@example.test', to: ['bob@example.test'], raw }))).toBe('AuthFailed');
  });

  it('maps a transient 451 to BackendUnavailable and a permanent 554 to Invalid', async () => {
    const raw = Buffer.from(simpleMessage({ subject: 'fail' }));
    const s = submitter();
    try {
      stack().smtpSink.setFailure({ code: 451, message: 'try later' });
      expect(await codeOf(s.submit(alice(), { from: 'alice@example.test', to: ['bob@example.test'], raw }))).toBe('BackendUnavailable');
      stack().smtpSink.setFailure({ code: 554, message: 'rejected' });
      expect(await codeOf(s.submit(alice(), { from: 'alice@example.test', to: ['bob@example.test'], raw }))).toBe('Invalid');
    } finally {
      stack().smtpSink.setFailure(null);
    }
  });

  it('refuses an empty envelope', async () => {
    const raw = Buffer.from(simpleMessage({ subject: 'nobody' }));
    expect(await codeOf(submitter().submit(alice(), { from: 'alice@example.test', to: [], raw }))).toBe('Invalid');
  });
});
