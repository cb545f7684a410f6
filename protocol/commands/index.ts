import { el, type WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import type { EasCommandName } from '../http/command-codes.ts';
import type { EasRequestParams } from '../http/request-line.ts';
import { commonStatusAllowed } from './common-status.ts';
import { composeMailFromMime, composeMailHasBody, type ComposeMailRequest } from './compose-mail.ts';
import { buildFindResponse, parseFindRequest } from './find.ts';
import { buildFolderCreateResponse, parseFolderCreateRequest } from './folder-create.ts';
import { buildFolderDeleteResponse, parseFolderDeleteRequest } from './folder-delete.ts';
import { buildFolderSyncResponse, parseFolderSyncRequest } from './folder-sync.ts';
import { buildFolderUpdateResponse, parseFolderUpdateRequest } from './folder-update.ts';
import { parseGetAttachmentRequest } from './get-attachment.ts';
import { buildGetItemEstimateResponse, parseGetItemEstimateRequest } from './get-item-estimate.ts';
import { buildItemOperationsResponse, parseItemOperationsRequest } from './item-operations.ts';
import { buildMeetingResponseResponse, parseMeetingResponseRequest } from './meeting-response.ts';
import { buildMoveItemsResponse, parseMoveItemsRequest } from './move-items.ts';
import { buildPingResponse, parsePingRequest } from './ping.ts';
import { buildProvisionResponse, parseProvisionRequest } from './provision.ts';
import { buildResolveRecipientsResponse, parseResolveRecipientsRequest } from './resolve-recipients.ts';
import { buildSearchResponse, parseSearchRequest } from './search.ts';
import { buildSendMailResponse, parseSendMailRequest } from './send-mail.ts';
import { buildSettingsResponse, parseSettingsRequest } from './settings.ts';
import { buildSmartForwardResponse, parseSmartForwardRequest } from './smart-forward.ts';
import { buildSmartReplyResponse, parseSmartReplyRequest } from './smart-reply.ts';
import { buildSyncResponse, parseSyncRequest } from './sync.ts';
import { buildValidateCertResponse, parseValidateCertRequest } from './validate-cert.ts';

export * from './body-preference.ts';
export * from './common-status.ts';
export * from './compose-mail.ts';
export * from './device-information.ts';
export * from './errors.ts';
export * from './find.ts';
export * from './folder-create.ts';
export * from './folder-delete.ts';
export * from './folder-sync.ts';
export * from './folder-update.ts';
export * from './get-attachment.ts';
export * from './get-item-estimate.ts';
export * from './item-operations.ts';
export * from './meeting-response.ts';
export * from './move-items.ts';
export * from './ping.ts';
export * from './provision.ts';
export * from './resolve-recipients.ts';
export * from './search.ts';
export * from './send-mail.ts';
export * from './settings.ts';
export * from './smart-forward.ts';
export * from './smart-reply.ts';
export * from './sync.ts';
export * from './validate-cert.ts';

/**
 * One command's wire codec, for the server's registry (STYLE habit 4):
 * `parse` turns the decoded body (and, for GetAttachment, the query
 * parameters) into the typed request or throws `CommandParseError`; `build`
 * turns the typed response into the element tree; `buildStatusOnly` is the
 * body that reports a failure of the whole command, or undefined when this
 * command at this version reports it by HTTP status instead.
 */
export interface CommandCodec<Req = unknown, Res = unknown> {
  readonly name: EasCommandName;
  /** The code page of the root element, which is also the command's namespace. */
  readonly namespace: string;
  /** Whether an absent body is a valid request (Sync, Ping: reuse the last one; Provision: initial; GetAttachment: never has one). */
  readonly acceptsEmptyBody: boolean;
  parse(root: WbxmlElement | undefined, version: ProtocolVersion, params?: EasRequestParams): Req;
  build(res: Res, version: ProtocolVersion): WbxmlElement;
  buildStatusOnly(status: number, version: ProtocolVersion): WbxmlElement | undefined;
  /** SendMail/SmartReply/SmartForward only: the raw-MIME request form (MS-ASCMD 2.2.1.17, before 14.0). */
  readonly parseMime?: (mime: Uint8Array, params: EasRequestParams) => ComposeMailRequest;
}

type Wrap = 'top' | 'Response' | 'Result';

/**
 * Where a whole-command status goes: directly under the root for most
 * commands; MoveItems and GetItemEstimate have it only inside Response and
 * MeetingResponse inside Result (MS-ASCMD 2.2.3.177.7, .9, .10).
 */
function statusOnly(namespace: string, root: string, wrap: Wrap = 'top') {
  return (status: number, version: ProtocolVersion): WbxmlElement | undefined => {
    // Common codes (>100) did not exist before 14.0: such a client gets the HTTP status instead.
    if (status > 100 && !commonStatusAllowed(version)) return undefined;
    const s = el(namespace, 'Status', status);
    return el(namespace, root, [wrap === 'top' ? s : el(namespace, wrap, [s])]);
  };
}

function codec<Req, Res>(
  name: EasCommandName,
  namespace: string,
  parse: (root: WbxmlElement | undefined, version: ProtocolVersion) => Req,
  build: (res: Res, version: ProtocolVersion) => WbxmlElement,
  opts: { acceptsEmptyBody?: boolean; wrap?: Wrap } = {},
): CommandCodec<Req, Res> {
  return { name, namespace, acceptsEmptyBody: opts.acceptsEmptyBody ?? false, parse, build, buildStatusOnly: statusOnly(namespace, name, opts.wrap) };
}

function composeCodec<Req extends ComposeMailRequest, Res>(
  name: 'SendMail' | 'SmartReply' | 'SmartForward',
  parse: (root: WbxmlElement | undefined, version: ProtocolVersion) => Req,
  build: (res: Res, version: ProtocolVersion) => WbxmlElement,
): CommandCodec<Req, Res> & Required<Pick<CommandCodec, 'parseMime'>> {
  const top = statusOnly('ComposeMail', name);
  return {
    name,
    namespace: 'ComposeMail',
    acceptsEmptyBody: false,
    parse,
    build,
    buildStatusOnly: (status, version) => (composeMailHasBody(version) ? top(status, version) : undefined),
    parseMime: (mime, params) => composeMailFromMime(name, mime, params),
  };
}

/** Every command's codec, keyed by the name used in `Cmd=` (MS-ASHTTP 2.2.1.1.1.2.1). */
export const COMMAND_CODECS = {
  Sync: codec('Sync', 'AirSync', parseSyncRequest, buildSyncResponse, { acceptsEmptyBody: true }),
  SendMail: composeCodec('SendMail', parseSendMailRequest, buildSendMailResponse),
  SmartForward: composeCodec('SmartForward', parseSmartForwardRequest, buildSmartForwardResponse),
  SmartReply: composeCodec('SmartReply', parseSmartReplyRequest, buildSmartReplyResponse),
  GetAttachment: {
    name: 'GetAttachment',
    namespace: '',
    acceptsEmptyBody: true,
    parse: (_root: WbxmlElement | undefined, _version: ProtocolVersion, params?: EasRequestParams) => parseGetAttachmentRequest(params ?? {}),
    build: (): WbxmlElement => {
      throw new Error('GetAttachment answers with raw bytes, not WBXML');
    },
    buildStatusOnly: (_status: number, _version: ProtocolVersion) => undefined,
  } satisfies CommandCodec,
  FolderSync: codec('FolderSync', 'FolderHierarchy', parseFolderSyncRequest, buildFolderSyncResponse),
  FolderCreate: codec('FolderCreate', 'FolderHierarchy', parseFolderCreateRequest, buildFolderCreateResponse),
  FolderDelete: codec('FolderDelete', 'FolderHierarchy', parseFolderDeleteRequest, buildFolderDeleteResponse),
  FolderUpdate: codec('FolderUpdate', 'FolderHierarchy', parseFolderUpdateRequest, buildFolderUpdateResponse),
  MoveItems: codec('MoveItems', 'Move', parseMoveItemsRequest, buildMoveItemsResponse, { wrap: 'Response' }),
  GetItemEstimate: codec('GetItemEstimate', 'GetItemEstimate', parseGetItemEstimateRequest, buildGetItemEstimateResponse, { wrap: 'Response' }),
  MeetingResponse: codec('MeetingResponse', 'MeetingResponse', parseMeetingResponseRequest, buildMeetingResponseResponse, { wrap: 'Result' }),
  Search: codec('Search', 'Search', parseSearchRequest, buildSearchResponse),
  Settings: codec('Settings', 'Settings', parseSettingsRequest, buildSettingsResponse),
  Ping: codec('Ping', 'Ping', parsePingRequest, buildPingResponse, { acceptsEmptyBody: true }),
  ItemOperations: codec('ItemOperations', 'ItemOperations', parseItemOperationsRequest, buildItemOperationsResponse),
  Provision: codec('Provision', 'Provision', parseProvisionRequest, buildProvisionResponse, { acceptsEmptyBody: true }),
  ResolveRecipients: codec('ResolveRecipients', 'ResolveRecipients', parseResolveRecipientsRequest, buildResolveRecipientsResponse),
  ValidateCert: codec('ValidateCert', 'ValidateCert', parseValidateCertRequest, buildValidateCertResponse),
  Find: codec('Find', 'Find', parseFindRequest, buildFindResponse),
} as const satisfies { readonly [K in EasCommandName]: CommandCodec<any, any> };

/** The commands we implement, for OPTIONS' MS-ASProtocolCommands (MS-ASHTTP 2.2.2.1.1). */
export const SUPPORTED_COMMANDS: readonly EasCommandName[] = Object.freeze(Object.keys(COMMAND_CODECS) as EasCommandName[]);

/** The codec of a command name. */
export function commandCodec(name: EasCommandName): CommandCodec<unknown, unknown> {
  return COMMAND_CODECS[name] as CommandCodec<unknown, unknown>;
}
