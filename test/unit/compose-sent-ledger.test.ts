import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/state/db.ts';
import { SentMessageRepository } from '../../src/state/sent-messages.ts';

describe('SentMessageRepository (ClientId ledger, MS-ASCMD 2.2.3.28.1)', () => {
  const repo = (): SentMessageRepository => new SentMessageRepository(openDatabase(':memory:'));

  it('claims a new ClientId, then reports it sent after markSent', () => {
    const r = repo();
    expect(r.claim('alice', 'dev1', 'c1', 'SendMail', 1_000)).toBe('claimed');
    r.markSent('alice', 'dev1', 'c1', '<m@x>');
    expect(r.claim('alice', 'dev1', 'c1', 'SendMail', 2_000)).toBe('already-sent');
  });

  it('reports a concurrent claim as in flight, and a released claim as free again', () => {
    const r = repo();
    expect(r.claim('alice', 'dev1', 'c2', 'SendMail', 1_000)).toBe('claimed');
    expect(r.claim('alice', 'dev1', 'c2', 'SendMail', 1_500)).toBe('in-flight');
    r.release('alice', 'dev1', 'c2');
    expect(r.claim('alice', 'dev1', 'c2', 'SendMail', 2_000)).toBe('claimed');
  });

  it('lets a retry take over a claim left behind by a crashed request', () => {
    const r = repo();
    expect(r.claim('alice', 'dev1', 'c3', 'SmartReply', 0)).toBe('claimed');
    expect(r.claim('alice', 'dev1', 'c3', 'SmartReply', 11 * 60 * 1000)).toBe('claimed');
  });

  it('keeps ClientIds apart per device and per mailbox', () => {
    const r = repo();
    r.claim('alice', 'dev1', 'same', 'SendMail', 1);
    r.markSent('alice', 'dev1', 'same', undefined);
    expect(r.claim('alice', 'dev2', 'same', 'SendMail', 2)).toBe('claimed');
    expect(r.claim('bob', 'dev1', 'same', 'SendMail', 3)).toBe('claimed');
  });
});
