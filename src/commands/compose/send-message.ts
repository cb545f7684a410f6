import type { Logger } from 'pino';
import { isBackendError } from '../../../backends/errors.ts';
import type { MailMessageStore, MailSubmitter, UserSession } from '../../../backends/types.ts';
import { CommonStatus } from '../../../protocol/commands/common-status.ts';
import { composeSmart } from '../../mail/compose/smart.ts';
import { NoRecipientsError, prepareOutgoing, type Sender } from '../../mail/compose/outgoing.ts';
import type { SentMessageRepository } from '../../state/sent-messages.ts';
import { StatusError } from '../errors.ts';

/** The three commands that send mail (MS-ASCMD 2.2.1.17, 2.2.1.19, 2.2.1.20). */
export type ComposeCommand = 'SendMail' | 'SmartReply' | 'SmartForward';

/** Where the message replied to or forwarded lives, or 'missing' when the device's id names nothing we hold. */
export type SourceLocation = { readonly path: string; readonly uid: number } | 'missing';

/** One send, with the 14.0+ ComposeMail and the 12.x query-parameter forms already unified. */
export interface ComposeRequest {
  readonly command: ComposeCommand;
  /** MS-ASCMD 2.2.3.28.1; absent in 12.x. */
  readonly clientId?: string;
  /** SaveInSentItems (14.0+) or SaveInSent=T (12.x). */
  readonly saveInSent: boolean;
  /** MS-ASCMD 2.2.3.148; SmartReply/SmartForward only. */
  readonly replaceMime: boolean;
  readonly mime: Buffer;
  /** SmartReply/SmartForward: the original message. */
  readonly source?: SourceLocation;
}

/** Who sends. */
export interface SendContext {
  readonly mailbox: string;
  readonly deviceId: string;
  readonly session: UserSession;
  readonly sender: Sender;
  readonly log: Logger;
}

/** What sending needs; the handlers build this from Services. */
export interface SendDeps {
  readonly store: Pick<MailMessageStore, 'openSource' | 'append' | 'setFlags'>;
  readonly submitter: MailSubmitter;
  readonly ledger: SentMessageRepository;
  /** Largest message we submit (EAS_MAX_MAIL_BYTES). */
  readonly maxMailBytes: number;
  /** IMAP path of the Sent folder (SPECIAL-USE \Sent), undefined when the mailbox has none. */
  sentFolder(): Promise<string | undefined>;
}

/** What happened: sent now, or already sent by an earlier request with the same ClientId. */
export interface SendOutcome {
  readonly sent: 'now' | 'earlier';
  readonly messageId?: string;
}

/** Flag each smart command leaves on the original (RFC 3501 \Answered; $Forwarded from RFC 5788's registry). */
const ORIGINAL_FLAG: Partial<Record<ComposeCommand, string>> = { SmartReply: '\\Answered', SmartForward: '$Forwarded' };

async function readLimited(stream: NodeJS.ReadableStream, limit: number, command: ComposeCommand): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += b.length;
    if (total > limit) {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw new StatusError(command, CommonStatus.AttachmentIsTooLarge, 'original message exceeds the send limit');
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/**
 * Sends one message for SendMail, SmartReply or SmartForward:
 * ClientId claim (a retried request is answered with success and sends
 * nothing), composition of the smart forms from the original's source,
 * From/Date/Message-ID/Bcc handling, the size limit, SMTP submission as the
 * user, then the copy in Sent Items (\Seen) and \Answered / $Forwarded on
 * the original. Failures leave as StatusError with MS-ASCMD 2.2.2 common
 * statuses: 122 AttachmentIsTooLarge for a message over the limit, 150
 * ItemNotFound for an unknown source, 119 MessageHasNoRecipient, 120
 * MailSubmissionFailed when the SMTP server refuses; AuthFailed and
 * BackendUnavailable pass through to become 401 and 503.
 */
export async function sendMessage(deps: SendDeps, who: SendContext, req: ComposeRequest): Promise<SendOutcome> {
  const { command } = req;
  if (req.clientId !== undefined) {
    const claim = deps.ledger.claim(who.mailbox, who.deviceId, req.clientId, command);
    if (claim !== 'claimed') {
      who.log.info({ event: 'compose.duplicate', command, clientId: req.clientId, claim }, 'ClientId already used: not sending again');
      return { sent: 'earlier' };
    }
  }
  try {
    const outcome = await submitOnce(deps, who, req);
    if (req.clientId !== undefined) deps.ledger.markSent(who.mailbox, who.deviceId, req.clientId, outcome.messageId);
    return outcome;
  } catch (e) {
    if (req.clientId !== undefined) deps.ledger.release(who.mailbox, who.deviceId, req.clientId);
    throw e;
  }
}

async function submitOnce(deps: SendDeps, who: SendContext, req: ComposeRequest): Promise<SendOutcome> {
  const { command } = req;
  if (req.mime.length > deps.maxMailBytes) throw new StatusError(command, CommonStatus.AttachmentIsTooLarge, 'message exceeds the send limit');

  let raw = req.mime;
  let source: { path: string; uid: number } | undefined;
  if (command !== 'SendMail') {
    if (!req.source || req.source === 'missing') throw new StatusError(command, CommonStatus.ItemNotFound, 'source item not found');
    source = req.source;
    let original: Buffer;
    try {
      original = await readLimited(await deps.store.openSource(who.session, source.path, source.uid), deps.maxMailBytes, command);
    } catch (e) {
      if (isBackendError(e, 'NotFound') || isBackendError(e, 'Conflict')) throw new StatusError(command, CommonStatus.ItemNotFound, 'source item is gone');
      throw e;
    }
    try {
      raw = await composeSmart({ kind: command === 'SmartReply' ? 'reply' : 'forward', clientMime: req.mime, original, replaceMime: req.replaceMime });
    } catch (e) {
      who.log.warn({ event: 'compose.failed', command, err: e }, 'could not compose from the original');
      throw new StatusError(command, CommonStatus.MessageReplyFailed, 'could not compose the message');
    }
  }

  let out;
  try {
    out = prepareOutgoing(raw, who.sender);
  } catch (e) {
    if (e instanceof NoRecipientsError) throw new StatusError(command, CommonStatus.MessageHasNoRecipient, e.message);
    throw e;
  }
  if (out.transmit.length > deps.maxMailBytes) throw new StatusError(command, CommonStatus.AttachmentIsTooLarge, 'message exceeds the send limit');

  try {
    await deps.submitter.submit(who.session, { from: out.envelope.from, to: out.envelope.to, raw: out.transmit });
  } catch (e) {
    if (isBackendError(e, 'TooLarge')) throw new StatusError(command, CommonStatus.AttachmentIsTooLarge, e.message);
    if (isBackendError(e, 'Invalid')) throw new StatusError(command, CommonStatus.MailSubmissionFailed, e.message);
    throw e;
  }
  who.log.info({ event: 'compose.sent', command, recipients: out.envelope.to.length, bytes: out.transmit.length }, 'message submitted');

  // The message is out: what follows must not turn the answer into a failure (the device would send again).
  if (req.saveInSent) {
    try {
      const sent = await deps.sentFolder();
      if (sent) await deps.store.append(who.session, sent, out.sentCopy, { flags: ['\\Seen'] });
      else who.log.warn({ event: 'compose.no-sent-folder', command }, 'no Sent folder: copy not saved');
    } catch (e) {
      who.log.warn({ event: 'compose.save-sent-failed', command, err: e }, 'could not save the Sent copy');
    }
  }
  const flag = ORIGINAL_FLAG[command];
  if (flag && source) {
    try {
      await deps.store.setFlags(who.session, source.path, [source.uid], { add: [flag] });
    } catch (e) {
      who.log.warn({ event: 'compose.flag-original-failed', command, err: e }, 'could not flag the original');
    }
  }
  return { sent: 'now', messageId: out.messageId };
}
