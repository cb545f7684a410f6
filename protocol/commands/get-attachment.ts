import type { EasRequestParams } from '../http/request-line.ts';
import { CommonStatus } from './common-status.ts';
import { failWith } from './util.ts';

/**
 * A GetAttachment request (MS-ASCMD 2.2.1.7): no body, the attachment is
 * named by the AttachmentName query parameter (the FileReference/AttName a
 * Sync response handed out). The response is the raw attachment bytes with
 * its Content-Type, so there is no builder.
 */
export interface GetAttachmentRequest {
  readonly attachmentName: string;
}

/** Reads GetAttachment's query parameter; a missing name is HTTP 400 (the command has no status element). */
export function parseGetAttachmentRequest(params: EasRequestParams): GetAttachmentRequest {
  const name = params.AttachmentName;
  if (name === undefined || name === '') return failWith('GetAttachment', CommonStatus.InvalidIDs, 400)('AttachmentName is missing');
  return { attachmentName: name };
}
