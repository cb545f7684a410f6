import { createHash } from 'node:crypto';

/**
 * Search LongIds (MS-ASCMD 2.2.3.98): what a device names a search result
 * by in ItemOperations, SmartReply/SmartForward, MeetingResponse and
 * MoveItems. A result need not be in any collection the device synced, so
 * the id carries the message's own place: `<folderId>.<UIDVALIDITY>.<UID>.<tag>`
 * (at most 45 characters of the 256 allowed). Folder ids are the
 * mailbox-wide ids of the folder map (src/state/folders.ts).
 *
 * The tag is a hash over the mailbox and the three numbers: a LongId made
 * for another mailbox, or one with a number changed, names nothing. It is
 * not a secret: a user who forges a valid id only reaches their own
 * messages, since every fetch runs as the requesting user on IMAP. The id
 * holds no ':' so it can never be mistaken for a ServerId (`<c>:<n>`).
 */
export interface LongIdTarget {
  readonly folderId: number;
  readonly uidValidity: number;
  readonly uid: number;
}

const U32 = /^(?:0|[1-9]\d{0,9})$/;

function tag(mailbox: string, t: LongIdTarget): string {
  return createHash('sha256').update(`${mailbox}\u0000${t.folderId}\u0000${t.uidValidity}\u0000${t.uid}`).digest('base64url').slice(0, 11);
}

/** The LongId of a message of `mailbox`. */
export function formatLongId(mailbox: string, t: LongIdTarget): string {
  return `${t.folderId}.${t.uidValidity}.${t.uid}.${tag(mailbox, t)}`;
}

/** The message a LongId names, when it was made for `mailbox`; undefined for anything else. */
export function parseLongId(mailbox: string, longId: string): LongIdTarget | undefined {
  if (longId.length > 64) return undefined;
  const parts = longId.split('.');
  if (parts.length !== 4 || !parts.slice(0, 3).every((p) => U32.test(p))) return undefined;
  const t = { folderId: Number(parts[0]), uidValidity: Number(parts[1]), uid: Number(parts[2]) };
  if (t.folderId < 1 || t.uid < 1 || t.uid > 0xffffffff || t.uidValidity > 0xffffffff) return undefined;
  return tag(mailbox, t) === parts[3] ? t : undefined;
}
