import type { ImapFlow, MailboxLockObject } from 'imapflow';
import { BackendError } from '../errors.ts';

/**
 * imapflow reports a missing mailbox with its own error shapes (code
 * `NotFound`, `mailboxMissing`, `[NONEXISTENT]`); message operations turn
 * them into BackendError NotFound so that Sync and ItemOperations answer
 * "object not found" instead of "server error".
 */
export function missingFolder(e: unknown, path: string): BackendError | undefined {
  const err = e as { code?: string; mailboxMissing?: boolean; serverResponseCode?: string } | undefined;
  if (err && (err.code === 'NotFound' || err.mailboxMissing || err.serverResponseCode === 'NONEXISTENT')) {
    return new BackendError('NotFound', `no folder ${path}`, { cause: e });
  }
  return undefined;
}

/** `getMailboxLock` with a missing folder reported as NotFound. */
export async function lockFolder(client: ImapFlow, path: string, opts: { readOnly?: boolean; description: string }): Promise<MailboxLockObject> {
  try {
    return await client.getMailboxLock(path, opts);
  } catch (e) {
    throw missingFolder(e, path) ?? e;
  }
}
