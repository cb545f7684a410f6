import type { Migration } from './types.ts';

/**
 * Messages sent by SendMail, SmartReply and SmartForward, keyed by the
 * device's ClientId (MS-ASCMD 2.2.3.28.1: "a client-generated ID ... to
 * prevent a message from being sent twice"). A device that lost our answer
 * retries with the same ClientId; the row tells us the message already went
 * out, so the retry is answered with success and nothing is submitted again.
 * `state` is 'sending' while the submission is in flight and 'sent' after;
 * a failed submission deletes its row so that the retry can send.
 * Rows older than a few days are pruned: devices retry within minutes.
 */
export const migration004: Migration = {
  id: 4,
  name: 'sent',
  up(db) {
    db.exec(`
      CREATE TABLE sent_messages (
        mailbox     TEXT NOT NULL,
        device_id   TEXT NOT NULL,
        client_id   TEXT NOT NULL,
        command     TEXT NOT NULL,                 -- SendMail | SmartReply | SmartForward
        state       TEXT NOT NULL CHECK (state IN ('sending', 'sent')),
        message_id  TEXT,                          -- Message-ID field of the submitted message
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (mailbox, device_id, client_id)
      ) STRICT;
      CREATE INDEX sent_messages_created ON sent_messages (created_at);
    `);
  },
};
