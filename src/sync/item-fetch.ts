import type { MailMessageStore, UserSession } from '../../backends/types.ts';
import type { EasEmail } from '../../protocol/types/email.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import type { BodyOptions } from './body.ts';
import { ITEM_FIRST_FETCH, buildEmail, planItemFetch } from './email-item.ts';

/**
 * One message as an Email item, fetched on its own: Sync Fetch (MS-ASCMD
 * 2.2.3.67.2), ItemOperations Fetch (2.2.1.10) and Search results use it.
 * Undefined when the UID no longer exists.
 */
export async function loadEmailItem(
  store: MailMessageStore,
  session: UserSession,
  path: string,
  uid: number,
  ctx: { version: ProtocolVersion; body: BodyOptions; serverId: string },
): Promise<EasEmail | undefined> {
  const [m] = await store.fetch(session, path, [uid], ITEM_FIRST_FETCH);
  if (!m) return undefined;
  const { want } = planItemFetch(m, ctx);
  const bodyData = want.parts?.length || want.source ? (await store.fetch(session, path, [uid], want))[0] : undefined;
  return buildEmail(m, bodyData, ctx);
}
