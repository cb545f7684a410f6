import type { Db } from './db.ts';

/** What `claim` found: the caller may send, or the ClientId was already used. */
export type SentClaim = 'claimed' | 'already-sent' | 'in-flight';

/** How long rows are kept; devices retry a lost SendMail within minutes, not days. */
const KEEP_MS = 7 * 24 * 3600 * 1000;
/** A 'sending' row older than this belongs to a process that died mid-send; the retry may take it over. */
const STALE_SENDING_MS = 10 * 60 * 1000;

/**
 * The ClientId ledger of SendMail, SmartReply and SmartForward (migration
 * 004-sent, MS-ASCMD 2.2.3.28.1 ClientId). Claim before submitting, mark sent
 * after, release when the submission failed.
 */
export class SentMessageRepository {
  constructor(private readonly db: Db) {}

  /**
   * Reserves (mailbox, device, ClientId) for one submission. 'claimed': go
   * ahead. 'already-sent': a previous request sent it, answer success and do
   * nothing. 'in-flight': the same message is being sent by a concurrent
   * request right now.
   */
  claim(mailbox: string, deviceId: string, clientId: string, command: string, now: number = Date.now()): SentClaim {
    return this.db.transaction((): SentClaim => {
      this.db.prepare('DELETE FROM sent_messages WHERE created_at < ?').run(now - KEEP_MS);
      const row = this.db
        .prepare('SELECT state, created_at FROM sent_messages WHERE mailbox = ? AND device_id = ? AND client_id = ?')
        .get(mailbox, deviceId, clientId) as { state: 'sending' | 'sent'; created_at: number } | undefined;
      if (row?.state === 'sent') return 'already-sent';
      if (row && now - row.created_at < STALE_SENDING_MS) return 'in-flight';
      this.db
        .prepare(
          `INSERT INTO sent_messages (mailbox, device_id, client_id, command, state, created_at) VALUES (?, ?, ?, ?, 'sending', ?)
           ON CONFLICT (mailbox, device_id, client_id) DO UPDATE SET state = 'sending', command = excluded.command, created_at = excluded.created_at`,
        )
        .run(mailbox, deviceId, clientId, command, now);
      return 'claimed';
    })();
  }

  /** Records that the message went out; later requests with this ClientId are answered without sending. */
  markSent(mailbox: string, deviceId: string, clientId: string, messageId: string | undefined): void {
    this.db
      .prepare(`UPDATE sent_messages SET state = 'sent', message_id = ? WHERE mailbox = ? AND device_id = ? AND client_id = ?`)
      .run(messageId ?? null, mailbox, deviceId, clientId);
  }

  /** Forgets a claim whose submission failed, so that the device's retry sends. */
  release(mailbox: string, deviceId: string, clientId: string): void {
    this.db
      .prepare(`DELETE FROM sent_messages WHERE mailbox = ? AND device_id = ? AND client_id = ? AND state = 'sending'`)
      .run(mailbox, deviceId, clientId);
  }
}
