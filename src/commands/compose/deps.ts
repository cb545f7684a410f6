import { SmtpSubmitter, smtpOptionsFromUrl } from '../../../backends/smtp/index.ts';
import type { MailSubmitter } from '../../../backends/types.ts';
import type { Services } from '../../server/services.ts';
import { SentMessageRepository } from '../../state/sent-messages.ts';
import { syncRepository } from '../../sync/engine.ts';
import type { SyncStateRepository } from '../../sync/state.ts';
import type { CommandContext } from '../types.ts';
import { mailboxAddress } from '../settings.ts';
import { sessionOf } from '../folder-sync.ts';
import type { SendContext, SendDeps } from './send-message.ts';

/** EAS folder type of Sent Items (MS-ASCMD 2.2.3.186.3). */
const SENT_ITEMS_TYPE = 5;

interface Extras {
  submitter: MailSubmitter;
  ledger: SentMessageRepository;
  syncState: SyncStateRepository;
}

// One set per Services object (not per process), so that tests with several servers stay apart.
const extras = new WeakMap<Services, Extras>();

/**
 * The parts of sending and fetching that Services does not carry yet: the
 * SMTP submitter (from EAS_SMTP_URL, closed with the server), the ClientId
 * ledger and the sync engine's state repository (shared per database). A `submitter` field on Services, when
 * present, wins (tests and a future Services field).
 */
export function extrasOf(services: Services): Extras {
  let e = extras.get(services);
  if (!e) {
    const given = (services as Services & { submitter?: MailSubmitter }).submitter;
    let submitter = given;
    if (!submitter) {
      const smtp = new SmtpSubmitter(
        smtpOptionsFromUrl(services.config.smtpUrl, { maxMessageBytes: services.config.limits.maxMailBytes, rejectUnauthorized: services.config.imap.verifyTls }),
      );
      services.onClose(() => smtp.close());
      submitter = smtp;
    }
    e = { submitter, ledger: new SentMessageRepository(services.db), syncState: syncRepository(services.db) };
    extras.set(services, e);
  }
  return e;
}

/** Who is sending, as the compose code needs it. */
export function sendContextOf(ctx: CommandContext<Services>): SendContext {
  const address = mailboxAddress(ctx.mailbox, ctx.services.repos.mailboxes.get(ctx.mailbox)?.email ?? null);
  return { mailbox: ctx.mailbox, deviceId: ctx.deviceId, session: sessionOf(ctx), sender: { address }, log: ctx.log };
}

/**
 * The Sent Items folder: the folder map's type-5 folder (SPECIAL-USE \Sent,
 * RFC 6154, or the well-known name), else a fresh listing of the server.
 */
export async function sentFolderOf(ctx: CommandContext<Services>): Promise<string | undefined> {
  const mapped = ctx.services.repos.folders.listActive(ctx.mailbox).find((f) => f.source === 'imap' && f.type === SENT_ITEMS_TYPE);
  if (mapped) return mapped.path;
  const listed = await ctx.services.mail.listFolders(sessionOf(ctx));
  return listed.find((f) => f.specialUse === 'sent')?.path;
}

/** Everything `sendMessage` needs for this request. */
export function sendDepsOf(ctx: CommandContext<Services>): SendDeps {
  const e = extrasOf(ctx.services);
  return {
    store: ctx.services.mail,
    submitter: e.submitter,
    ledger: e.ledger,
    maxMailBytes: ctx.services.config.limits.maxMailBytes,
    sentFolder: () => sentFolderOf(ctx),
  };
}
