import type { FetchOptions } from '../../../protocol/commands/item-operations.ts';
import { emailToApplicationData } from '../../../protocol/types/email.ts';
import type { WbxmlElement } from '../../../protocol/wbxml/tree.ts';
import type { Services } from '../../server/services.ts';
import type { BodyOptions } from '../../sync/body.ts';
import { loadEmailItem } from '../../sync/item-fetch.ts';
import { sessionOf } from '../folder-sync.ts';
import type { CommandContext } from '../types.ts';
import type { ResolvedItem } from './resolve.ts';

/** Body options of an ItemOperations Fetch (MS-ASCMD 2.2.3.125.2): BodyPreference, BodyPartPreference and MIMESupport. */
export function fetchBodyOptions(o: FetchOptions): BodyOptions {
  return {
    bodyPreferences: o.bodyPreferences,
    ...(o.bodyPartPreferences.length ? { bodyPartPreferences: o.bodyPartPreferences } : {}),
    ...(o.mimeSupport !== undefined ? { mimeSupport: o.mimeSupport } : {}),
  };
}

/**
 * The Email properties of one message for an ItemOperations Fetch
 * (MS-ASCMD 2.2.1.10, "Properties" 2.2.3.139.2), built by the sync engine's
 * own conversion (src/sync/item-fetch.ts) so that Fetch and Sync render a
 * message identically. undefined when the message is gone from the server.
 */
export async function fetchEmailProperties(ctx: CommandContext<Services>, item: ResolvedItem, options: FetchOptions): Promise<WbxmlElement[] | undefined> {
  const email = await loadEmailItem(ctx.services.mail, sessionOf(ctx), item.path, item.uid, {
    version: ctx.protocolVersion,
    body: fetchBodyOptions(options),
    serverId: item.serverId,
  });
  return email && emailToApplicationData(email, ctx.protocolVersion);
}
