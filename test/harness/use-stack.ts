/**
 * vitest wrapper around the dev stack: one real Dovecot + Radicale + SMTP sink
 * per test file, started in beforeAll and stopped in afterAll (also when tests
 * fail). Usage:
 *
 *   const stack = useStack();
 *   it('...', async () => { const s = stack(); await s.deliver('alice@example.test', raw); });
 */
import { afterAll, beforeAll } from 'vitest';
import { startStack, type Stack, type StackOptions } from '../../src/devstack/stack.ts';

export type { Stack, StackOptions, StackUser, SinkMessage } from '../../src/devstack/stack.ts';

/** Registers beforeAll/afterAll hooks; the returned getter throws before the stack is up. */
export function useStack(opts?: StackOptions): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(opts);
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    stack = undefined;
  }, 60_000);
  return () => {
    if (!stack) throw new Error('useStack(): the stack is not running (use it inside tests or hooks)');
    return stack;
  };
}

/** A minimal RFC 5322 message for tests that only need "some mail". */
export function simpleMessage(opts: { subject: string; from?: string; to?: string; body?: string; date?: Date; messageId?: string }): string {
  const date = (opts.date ?? new Date()).toUTCString().replace('GMT', '+0000');
  const id = opts.messageId ?? `<${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}@devstack.example.test>`;
  return [
    `From: ${opts.from ?? 'Sender <sender@example.test>'}`,
    `To: ${opts.to ?? 'alice@example.test'}`,
    `Subject: ${opts.subject}`,
    `Date: ${date}`,
    `Message-ID: ${id}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    opts.body ?? `Body of ${opts.subject}`,
    '',
  ].join('\r\n');
}
