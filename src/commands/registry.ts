import type { Services } from '../server/services.ts';
import { folderCreateHandler } from './folder-create.ts';
import { folderDeleteHandler } from './folder-delete.ts';
import { folderSyncHandler } from './folder-sync.ts';
import { folderUpdateHandler } from './folder-update.ts';
import { pingHandler } from './ping.ts';
import { provisionHandler } from './provision.ts';
import { settingsHandler } from './settings.ts';
import { sendMailHandler } from './send-mail.ts';
import { smartReplyHandler } from './smart-reply.ts';
import { smartForwardHandler } from './smart-forward.ts';
import { itemOperationsHandler } from './item-operations.ts';
import { getAttachmentHandler } from './get-attachment.ts';
import { moveItemsHandler } from './move-items.ts';
import { syncHandler } from './sync.ts';
import { getItemEstimateHandler } from './get-item-estimate.ts';
import { meetingResponseHandler } from './meeting-response.ts';
import { resolveRecipientsHandler } from './resolve-recipients.ts';
import { findHandler } from './find.ts';
import { searchHandler } from './search.ts';
import { validateCertHandler } from './validate-cert.ts';
import type { CommandHandler } from './types.ts';

/** A handler of any request type, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommandHandler = CommandHandler<any, Services>;

/** Command name (as in `Cmd=`, MS-ASHTTP 2.2.1.1.1.2.1) → handler. */
export type CommandRegistry = ReadonlyMap<string, AnyCommandHandler>;

/**
 * Every command the server answers; OPTIONS advertises exactly these
 * (MS-ASHTTP 2.2.1.2.1). One line per handler.
 *
 * ResolveRecipients is always there: it resolves from the user's contacts
 * and answers certificates and free/busy even without a GAL. Search and
 * Find are always there too: the Mailbox store needs only IMAP (without a
 * directory a GAL search finds nobody, Status 1 and Total 0). Find is 16.1
 * only, but OPTIONS comes before any version is known, so it is listed
 * for everyone, as Exchange 2016 lists it; see find.ts.
 */
export function createRegistry(): CommandRegistry {
  const handlers: AnyCommandHandler[] = [
    provisionHandler,
    settingsHandler,
    folderSyncHandler,
    folderCreateHandler,
    folderUpdateHandler,
    folderDeleteHandler,
    pingHandler,
    sendMailHandler,
    smartReplyHandler,
    smartForwardHandler,
    itemOperationsHandler,
    getAttachmentHandler,
    moveItemsHandler,
    syncHandler,
    getItemEstimateHandler,
    meetingResponseHandler,
    resolveRecipientsHandler,
    validateCertHandler,
    searchHandler,
    findHandler,
  ];
  return new Map(handlers.map((h) => [h.name, h]));
}
