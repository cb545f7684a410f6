import type { WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { buildComposeMailResponse, parseComposeMailRequest, type ComposeMailRequest, type ComposeMailResponse } from './compose-mail.ts';

/** A SmartReply request (MS-ASCMD 2.2.1.20); see `ComposeMailRequest` for both forms. */
export type SmartReplyRequest = ComposeMailRequest & { readonly command: 'SmartReply' };
/** The 14.0+ status response; success is an empty HTTP 200. */
export type SmartReplyResponse = ComposeMailResponse;

/** Parses the 14.0+ ComposeMail body of SmartReply; the raw-MIME form goes through `composeMailFromMime('SmartReply', ...)`. */
export function parseSmartReplyRequest(root: WbxmlElement | undefined, version: ProtocolVersion): SmartReplyRequest {
  return parseComposeMailRequest('SmartReply', root, version) as SmartReplyRequest;
}

/** Builds the SmartReply status response (14.0+). */
export function buildSmartReplyResponse(res: SmartReplyResponse, version: ProtocolVersion): WbxmlElement {
  return buildComposeMailResponse('SmartReply', res, version);
}
