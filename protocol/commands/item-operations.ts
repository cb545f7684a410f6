import { child, el, textOf, type WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { parseBodyPreferences, type BodyPreference } from './body-preference.ts';
import { compact, expectRoot, failWith, optBool, optInt, optText, reqText, type Fail } from './util.ts';

/** ItemOperations Status values (MS-ASCMD 2.2.3.177.8). */
export const ItemOperationsStatus = {
  Success: 1,
  ProtocolError: 2,
  ServerError: 3,
  DocumentLibraryBadUri: 4,
  DocumentLibraryAccessDenied: 5,
  DocumentLibraryNotFound: 6,
  DocumentLibraryConnectFailed: 7,
  InvalidByteRange: 8,
  UnknownStore: 9,
  FileEmpty: 10,
  DataTooLarge: 11,
  DownloadFailed: 12,
  ConversionFailed: 14,
  InvalidAttachment: 15,
  AccessDenied: 16,
  PartialSuccess: 17,
  CredentialsRequired: 18,
} as const;

/** A byte or item range "start-end", both inclusive (MS-ASCMD 2.2.3.148.1). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** Fetch options (MS-ASCMD 2.2.3.125.2). `schema` stays raw: it lists class elements to return. */
export interface FetchOptions {
  readonly range?: ByteRange;
  readonly schema?: WbxmlElement;
  readonly userName?: string;
  readonly password?: string;
  readonly mimeSupport?: number;
  readonly bodyPreferences: readonly BodyPreference[];
  readonly bodyPartPreferences: readonly BodyPreference[];
  readonly rightsManagementSupport?: boolean;
}

/** One operation of an ItemOperations request (MS-ASCMD 2.2.1.10), in document order. */
export type ItemOperation =
  | {
      readonly kind: 'Fetch';
      /** "Mailbox" or "Document Library". */
      readonly store: string;
      readonly collectionId?: string;
      readonly serverId?: string;
      readonly longId?: string;
      /** An attachment reference handed out in AirSyncBase:FileReference. */
      readonly fileReference?: string;
      readonly linkId?: string;
      readonly options: FetchOptions;
      readonly removeRightsManagementProtection?: boolean;
    }
  | { readonly kind: 'EmptyFolderContents'; readonly collectionId: string; readonly deleteSubFolders: boolean }
  | { readonly kind: 'Move'; readonly conversationId: Uint8Array; readonly dstFldId: string; readonly moveAlways: boolean };

/** An ItemOperations request. */
export interface ItemOperationsRequest {
  readonly operations: readonly ItemOperation[];
}

/** Attachment payload of a Fetch response (MS-ASCMD 2.2.3.139.2). `data` is sent base64 in WBXML; `part` refers to a multipart body part instead. */
export interface FetchedFile {
  readonly contentType?: string;
  readonly range?: ByteRange;
  readonly total?: number;
  readonly data?: Uint8Array;
  readonly part?: number;
  readonly version?: string;
}

/** The result of one operation. */
export type ItemOperationResult =
  | {
      readonly kind: 'Fetch';
      readonly status: number;
      readonly collectionId?: string;
      readonly serverId?: string;
      readonly longId?: string;
      readonly fileReference?: string;
      readonly linkId?: string;
      readonly class?: string;
      /** Class elements of a fetched item (Email:Subject, AirSyncBase:Body, ...). */
      readonly properties?: readonly WbxmlElement[];
      readonly file?: FetchedFile;
    }
  | { readonly kind: 'EmptyFolderContents'; readonly status: number; readonly collectionId: string }
  | { readonly kind: 'Move'; readonly status: number; readonly conversationId: Uint8Array };

/** An ItemOperations response: results only with global Status 1. */
export interface ItemOperationsResponse {
  readonly status: number;
  readonly results?: readonly ItemOperationResult[];
}

const IO = 'ItemOperations';

/** Parses "start-end" with start <= end; anything else fails. */
export function parseRange(s: string, fail: Fail): ByteRange {
  const m = /^\s*(\d{1,15})-(\d{1,15})\s*$/.exec(s);
  if (!m) return fail(`Range ${JSON.stringify(s.slice(0, 30))} is not start-end`);
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) return fail('Range end is before start');
  return { start, end };
}

function parseFetch(f: WbxmlElement, fail: Fail): ItemOperation {
  const o = child(f, 'Options', IO);
  const rangeText = o ? optText(o, 'Range', IO, fail) : undefined;
  const op = compact({
    kind: 'Fetch' as const,
    store: reqText(f, 'Store', IO, fail),
    collectionId: optText(f, 'CollectionId', 'AirSync', fail),
    serverId: optText(f, 'ServerId', 'AirSync', fail),
    longId: optText(f, 'LongId', 'Search', fail),
    fileReference: optText(f, 'FileReference', 'AirSyncBase', fail),
    linkId: optText(f, 'LinkId', 'DocumentLibrary', fail),
    options: o
      ? compact({
          // A bad range is its own status (8), not a protocol error.
          range: rangeText !== undefined ? parseRange(rangeText, failWith('ItemOperations', ItemOperationsStatus.InvalidByteRange)) : undefined,
          schema: child(o, 'Schema', IO),
          userName: optText(o, 'UserName', IO, fail),
          password: optText(o, 'Password', IO, fail),
          mimeSupport: optInt(o, 'MIMESupport', 'AirSync', fail),
          bodyPreferences: parseBodyPreferences(o, 'BodyPreference', fail),
          bodyPartPreferences: parseBodyPreferences(o, 'BodyPartPreference', fail),
          rightsManagementSupport: optBool(o, 'RightsManagementSupport', 'RightsManagement', fail),
        })
      : { bodyPreferences: [], bodyPartPreferences: [] },
    removeRightsManagementProtection: child(f, 'RemoveRightsManagementProtection', 'RightsManagement') ? true : undefined,
  });
  if (!op.serverId && !op.longId && !op.fileReference && !op.linkId) fail('Fetch names no item');
  return op;
}

function opaqueOrText(e: WbxmlElement | undefined, fail: Fail, what: string): Uint8Array {
  if (!e) return fail(`${what} is missing`);
  if (e.opaque) return e.opaque;
  const t = textOf(e);
  if (t === undefined || t === '') return fail(`${what} is empty`);
  return new TextEncoder().encode(t);
}

/** Parses an ItemOperations request; grammar errors are Status 2 (a bad Range is Status 8). */
export function parseItemOperationsRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): ItemOperationsRequest {
  const fail = failWith('ItemOperations', ItemOperationsStatus.ProtocolError);
  const r = expectRoot(root, IO, 'ItemOperations', fail);
  const operations = (r.children ?? []).map((c): ItemOperation => {
    if (c.ns !== IO) return fail(`unexpected ${c.ns}:${c.name}`);
    switch (c.name) {
      case 'Fetch':
        return parseFetch(c, fail);
      case 'EmptyFolderContents': {
        const o = child(c, 'Options', IO);
        return {
          kind: 'EmptyFolderContents',
          collectionId: reqText(c, 'CollectionId', 'AirSync', fail),
          deleteSubFolders: o ? child(o, 'DeleteSubFolders', IO) !== undefined : false,
        };
      }
      case 'Move': {
        const o = child(c, 'Options', IO);
        return {
          kind: 'Move',
          conversationId: opaqueOrText(child(c, 'ConversationId', IO), fail, 'ConversationId'),
          dstFldId: reqText(c, 'DstFldId', IO, fail),
          moveAlways: o ? child(o, 'MoveAlways', IO) !== undefined : false,
        };
      }
      default:
        return fail(`unknown operation ${c.name}`);
    }
  });
  if (operations.length === 0) fail('no operation');
  return { operations };
}

function buildFile(f: FetchedFile): WbxmlElement[] {
  const out: (WbxmlElement | undefined)[] = [
    f.contentType !== undefined ? el('AirSyncBase', 'ContentType', f.contentType) : undefined,
    f.range ? el(IO, 'Range', `${f.range.start}-${f.range.end}`) : undefined,
    f.total !== undefined ? el(IO, 'Total', f.total) : undefined,
    // Inline content is base64 text (MS-ASCMD 2.2.3.39.1); multipart responses point to a part instead.
    f.data ? el(IO, 'Data', Buffer.from(f.data).toString('base64')) : undefined,
    f.part !== undefined ? el(IO, 'Part', f.part) : undefined,
    f.version !== undefined ? el(IO, 'Version', f.version) : undefined,
  ];
  return out.filter((x): x is WbxmlElement => !!x);
}

function buildResult(r: ItemOperationResult): WbxmlElement {
  switch (r.kind) {
    case 'Fetch': {
      const props = [...(r.file ? buildFile(r.file) : []), ...(r.properties ?? [])];
      return el(IO, 'Fetch', [
        el(IO, 'Status', r.status),
        r.collectionId !== undefined ? el('AirSync', 'CollectionId', r.collectionId) : undefined,
        r.serverId !== undefined ? el('AirSync', 'ServerId', r.serverId) : undefined,
        r.longId !== undefined ? el('Search', 'LongId', r.longId) : undefined,
        r.fileReference !== undefined ? el('AirSyncBase', 'FileReference', r.fileReference) : undefined,
        r.linkId !== undefined ? el('DocumentLibrary', 'LinkId', r.linkId) : undefined,
        r.class !== undefined ? el('AirSync', 'Class', r.class) : undefined,
        props.length ? el(IO, 'Properties', props) : undefined,
      ]);
    }
    case 'EmptyFolderContents':
      return el(IO, 'EmptyFolderContents', [el(IO, 'Status', r.status), el('AirSync', 'CollectionId', r.collectionId)]);
    case 'Move':
      return el(IO, 'Move', [el(IO, 'Status', r.status), el(IO, 'ConversationId', r.conversationId)]);
  }
}

/**
 * Builds an ItemOperations response (MS-ASCMD 2.2.1.10): Status, then
 * Response with one element per operation in request order. A Fetch lists
 * Status, the item's ids, Class and Properties (MS-ASCMD 2.2.3.67.1).
 */
export function buildItemOperationsResponse(res: ItemOperationsResponse, _version: ProtocolVersion): WbxmlElement {
  return el(IO, 'ItemOperations', [
    el(IO, 'Status', res.status),
    res.results?.length ? el(IO, 'Response', res.results.map(buildResult)) : undefined,
  ]);
}
