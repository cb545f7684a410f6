import {
  buildComposeMailResponse,
  composeMailFromMime,
  composeMailHasBody,
  parseComposeMailRequest,
  type ComposeCommand,
  type ComposeMailRequest,
} from '../../../protocol/commands/compose-mail.ts';
import type { Services } from '../../server/services.ts';
import { isStatusError } from '../errors.ts';
import { resolveItem, resolveLongId } from '../fetch/resolve.ts';
import type { CommandContext, CommandHandler, CommandResult } from '../types.ts';
import { sendContextOf, sendDepsOf } from './deps.ts';
import { sendMessage, type SourceLocation } from './send-message.ts';

/** Finds the original message of a SmartReply/SmartForward in the device's own sync state. */
function sourceOf(ctx: CommandContext<Services>, req: ComposeMailRequest): SourceLocation | undefined {
  if (req.command === 'SendMail' || !req.source) return undefined;
  const s = req.source;
  const found = s.itemId !== undefined ? resolveItem(ctx, s.itemId, s.folderId) : s.longId !== undefined ? resolveLongId(ctx, s.longId) : undefined;
  return found ? { path: found.path, uid: found.uid } : 'missing';
}

/**
 * One handler shape for SendMail (MS-ASCMD 2.2.1.17), SmartForward
 * (2.2.1.19) and SmartReply (2.2.1.20). Both request forms are accepted
 * whatever the version: the 14.0+ ComposeMail WBXML body, and the raw MIME
 * body with SaveInSent / CollectionId / ItemId / LongId in the query. Success
 * is an empty 200. Failures are a `<Command><Status>` body from 14.0 on and
 * an HTTP status before (the error mapper answers 500 where no body exists).
 */
export function composeHandler(command: ComposeCommand): CommandHandler<ComposeMailRequest, Services> {
  return {
    name: command,
    mimeBody: true,
    parse(body, ctx) {
      if (ctx.rawBody) return composeMailFromMime(command, ctx.rawBody, ctx.params);
      return parseComposeMailRequest(command, body, ctx.protocolVersion);
    },
    async handle(ctx, req): Promise<CommandResult> {
      try {
        const outcome = await sendMessage(sendDepsOf(ctx), sendContextOf(ctx), {
          command,
          ...(req.clientId !== undefined ? { clientId: req.clientId } : {}),
          saveInSent: req.saveInSentItems,
          replaceMime: req.replaceMime,
          mime: Buffer.from(req.mime.buffer, req.mime.byteOffset, req.mime.byteLength),
          ...(command !== 'SendMail' ? { source: sourceOf(ctx, req) ?? 'missing' } : {}),
        });
        return { easStatus: outcome.sent === 'now' ? 'sent' : 'already-sent' };
      } catch (e) {
        // 14.0+ carries the status in a ComposeMail body with HTTP 200; older versions only have HTTP statuses.
        if (isStatusError(e) && composeMailHasBody(ctx.protocolVersion)) {
          return { body: buildComposeMailResponse(command, { status: e.status }, ctx.protocolVersion), easStatus: e.status };
        }
        throw e;
      }
    },
  };
}
