import { CommonStatus } from '../../protocol/commands/common-status.ts';
import { parseGetAttachmentRequest, type GetAttachmentRequest } from '../../protocol/commands/get-attachment.ts';
import type { Services } from '../server/services.ts';
import { StatusError } from './errors.ts';
import { openAttachment } from './fetch/attachment.ts';
import type { CommandHandler } from './types.ts';

/**
 * GetAttachment (MS-ASCMD 2.2.1.7, protocol 2.5 to 12.1; later clients use
 * ItemOperations): the body is empty, the AttachmentName query parameter is
 * the FileReference a Sync response handed out, and the answer is the
 * attachment's decoded bytes, streamed from IMAP, with its Content-Type. The
 * command has no status element: an attachment that is not the device's, or
 * no longer exists, is HTTP 500 as Exchange 2007 answers it.
 */
export const getAttachmentHandler: CommandHandler<GetAttachmentRequest, Services> = {
  name: 'GetAttachment',
  acceptsEmptyBody: true,
  parse: (_body, ctx) => parseGetAttachmentRequest(ctx.params),
  async handle(ctx, req) {
    const opened = await openAttachment(ctx, req.attachmentName);
    if (!opened) throw new StatusError('GetAttachment', CommonStatus.InvalidIDs, 'attachment not found', 500);
    return { raw: { contentType: opened.contentType, data: opened.stream }, easStatus: 'attachment' };
  },
};
