import { child, childrenNamed, el, textOf, type WbxmlElement } from '../wbxml/tree.ts';
import { versionAtLeast, type ProtocolVersion } from '../version.ts';
import type { EasRequestParams } from '../http/request-line.ts';
import { CommonStatus } from './common-status.ts';
import { compact, expectRoot, failWith, optText, reqText, type Fail } from './util.ts';

/**
 * Shared grammar of SendMail, SmartReply and SmartForward: the 14.0+
 * ComposeMail WBXML form (MS-ASCMD 2.2.1.17, 2.2.1.19, 2.2.1.20) and the
 * older form where the body is the raw MIME message and everything else is
 * in the query (MS-ASHTTP 2.2.1.1.1.2.5). Both become one typed request.
 */
export type ComposeCommand = 'SendMail' | 'SmartReply' | 'SmartForward';

/** The original message of a reply or forward (MS-ASCMD 2.2.3.168.3 Source). */
export interface ComposeSource {
  readonly folderId?: string;
  readonly itemId?: string;
  readonly longId?: string;
  /** Occurrence of a recurring meeting (InstanceId in 14+, Occurrence in the query before). */
  readonly instanceId?: string;
}

/** A forward recipient given by the client (16.0 Forwardees, MS-ASCMD 2.2.3.78). */
export interface Forwardee {
  readonly name?: string;
  readonly email: string;
}

/** A SendMail / SmartReply / SmartForward request in either form. */
export interface ComposeMailRequest {
  readonly command: ComposeCommand;
  /** 'wbxml' for the 14.0+ ComposeMail body, 'mime' for the raw-body form of 2.5/12.x. */
  readonly form: 'wbxml' | 'mime';
  /** Client's id for the message, used to refuse a resend (MS-ASCMD 2.2.3.28.1); absent in the MIME form. */
  readonly clientId?: string;
  readonly accountId?: string;
  readonly saveInSentItems: boolean;
  /** SmartReply/SmartForward: send `mime` as is, without appending the original (MS-ASCMD 2.2.3.151). */
  readonly replaceMime: boolean;
  readonly mime: Uint8Array;
  readonly source?: ComposeSource;
  readonly templateId?: string;
  readonly forwardees?: readonly Forwardee[];
}

/**
 * The 14.0+ response: `<SendMail><Status>..</Status></SendMail>` and the
 * like; success is an empty HTTP 200 with no body, which the handler
 * answers without calling the builder.
 */
export interface ComposeMailResponse {
  readonly status: number;
}

const CM = 'ComposeMail';
/** ClientId is an id, not content: capped so that a hostile value never reaches the state store. */
const MAX_ID = 256;

function parseSource(command: ComposeCommand, s: WbxmlElement, fail: Fail): ComposeSource {
  const src = compact({
    folderId: optText(s, 'FolderId', CM, fail),
    itemId: optText(s, 'ItemId', CM, fail),
    longId: optText(s, 'LongId', CM, fail),
    instanceId: optText(s, 'InstanceId', CM, fail),
  });
  if (src.longId === undefined && src.itemId === undefined) {
    failWith(command, CommonStatus.InvalidCombinationOfIDs, 400)('Source has neither ItemId nor LongId');
  }
  return src;
}

/**
 * Parses the 14.0+ WBXML form. Grammar errors are the common status 103
 * InvalidXML (MS-ASCMD 2.2.2), with HTTP 400 for the mapping point to use if
 * a client sent this form at an older version.
 */
export function parseComposeMailRequest(command: ComposeCommand, root: WbxmlElement | undefined, _version: ProtocolVersion): ComposeMailRequest {
  const fail = failWith(command, CommonStatus.InvalidXML, 400);
  const r = expectRoot(root, CM, command, fail);
  const clientId = reqText(r, 'ClientId', CM, fail);
  if (clientId.length > MAX_ID) fail('ClientId is too long');
  const mimeEl = child(r, 'Mime', CM) ?? fail('Mime is missing');
  const mime = mimeEl.opaque ?? new TextEncoder().encode(textOf(mimeEl) ?? fail('Mime must hold data'));
  let source: ComposeSource | undefined;
  if (command !== 'SendMail') {
    source = parseSource(command, child(r, 'Source', CM) ?? fail('Source is missing'), fail);
  }
  const fw = child(r, 'Forwardees', CM);
  return compact({
    command,
    form: 'wbxml' as const,
    clientId,
    accountId: optText(r, 'AccountId', CM, fail),
    saveInSentItems: child(r, 'SaveInSentItems', CM) !== undefined,
    replaceMime: child(r, 'ReplaceMime', CM) !== undefined,
    mime,
    source,
    templateId: optText(r, 'TemplateID', 'RightsManagement', fail),
    forwardees:
      fw && command === 'SmartForward'
        ? childrenNamed(fw, 'Forwardee', CM).map((f) => compact({ name: optText(f, 'Name', CM, fail), email: reqText(f, 'Email', CM, fail) }))
        : undefined,
  });
}

/**
 * Builds the request of the raw-MIME form (protocol 2.5, 12.0, 12.1; also
 * accepted later if a client uses it): the body is the message, the query
 * gives SaveInSent, and for SmartReply/SmartForward CollectionId + ItemId or
 * LongId, plus Occurrence (MS-ASHTTP 2.2.1.1.1.2.5). Missing ids or an empty
 * body are HTTP 400, since this form has no status element.
 */
export function composeMailFromMime(command: ComposeCommand, mime: Uint8Array, params: EasRequestParams): ComposeMailRequest {
  const fail = failWith(command, CommonStatus.InvalidMIME, 400);
  if (mime.length === 0) fail('empty MIME body');
  let source: ComposeSource | undefined;
  if (command !== 'SendMail') {
    source = compact({ folderId: params.CollectionId, itemId: params.ItemId, longId: params.LongId, instanceId: params.Occurrence });
    if (source.longId === undefined && source.itemId === undefined) {
      failWith(command, CommonStatus.InvalidCombinationOfIDs, 400)('neither ItemId nor LongId in the query');
    }
  }
  return compact({
    command,
    form: 'mime' as const,
    saveInSentItems: params.SaveInSent?.toUpperCase() === 'T',
    replaceMime: false,
    mime,
    source,
  });
}

/**
 * Builds `<SendMail|SmartReply|SmartForward><Status>n</Status></...>`. The
 * ComposeMail code page exists from 14.0 only; older clients must be
 * answered with an HTTP status (`composeMailHasBody` tells the handler).
 */
export function buildComposeMailResponse(command: ComposeCommand, res: ComposeMailResponse, _version: ProtocolVersion): WbxmlElement {
  return el(CM, command, [el(CM, 'Status', res.status)]);
}

/** Whether a failure can be told in a ComposeMail body at this version (14.0+), rather than by HTTP status. */
export function composeMailHasBody(version: ProtocolVersion): boolean {
  return versionAtLeast(version, '14.0');
}
