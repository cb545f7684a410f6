import type { WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { buildComposeMailResponse, parseComposeMailRequest, type ComposeMailRequest, type ComposeMailResponse } from './compose-mail.ts';

/** A SmartForward request (MS-ASCMD 2.2.1.19); see `ComposeMailRequest` for both forms. */
export type SmartForwardRequest = ComposeMailRequest & { readonly command: 'SmartForward' };
/** The 14.0+ status response; success is an empty HTTP 200. */
export type SmartForwardResponse = ComposeMailResponse;

/** Parses the 14.0+ ComposeMail body of SmartForward; the raw-MIME form goes through `composeMailFromMime('SmartForward', ...)`. */
export function parseSmartForwardRequest(root: WbxmlElement | undefined, version: ProtocolVersion): SmartForwardRequest {
  return parseComposeMailRequest('SmartForward', root, version) as SmartForwardRequest;
}

/** Builds the SmartForward status response (14.0+). */
export function buildSmartForwardResponse(res: SmartForwardResponse, version: ProtocolVersion): WbxmlElement {
  return buildComposeMailResponse('SmartForward', res, version);
}
