import type { WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { buildComposeMailResponse, parseComposeMailRequest, type ComposeMailRequest, type ComposeMailResponse } from './compose-mail.ts';

/** A SendMail request (MS-ASCMD 2.2.1.17); see `ComposeMailRequest` for both forms. */
export type SendMailRequest = ComposeMailRequest & { readonly command: 'SendMail' };
/** The 14.0+ status response; success is an empty HTTP 200. */
export type SendMailResponse = ComposeMailResponse;

/** Parses the 14.0+ ComposeMail body of SendMail; the raw-MIME form goes through `composeMailFromMime('SendMail', ...)`. */
export function parseSendMailRequest(root: WbxmlElement | undefined, version: ProtocolVersion): SendMailRequest {
  return parseComposeMailRequest('SendMail', root, version) as SendMailRequest;
}

/** Builds the SendMail status response (14.0+). */
export function buildSendMailResponse(res: SendMailResponse, version: ProtocolVersion): WbxmlElement {
  return buildComposeMailResponse('SendMail', res, version);
}
