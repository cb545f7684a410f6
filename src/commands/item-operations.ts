import { CommonStatus } from '../../protocol/commands/common-status.ts';
import {
  ItemOperationsStatus,
  buildItemOperationsResponse,
  parseItemOperationsRequest,
  type ByteRange,
  type ItemOperation,
  type ItemOperationResult,
  type ItemOperationsRequest,
} from '../../protocol/commands/item-operations.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { el, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import type { Services } from '../server/services.ts';
import { byteWindow, decodedSize, locateAttachment, openLocated } from './fetch/attachment.ts';
import { emptyFolderContents } from './fetch/empty-folder.ts';
import { fetchEmailProperties } from './fetch/fetch-item.ts';
import { MAX_MULTIPART_BYTES, MULTIPART_CONTENT_TYPE, buildMultipart, type ByteSource, type MultipartPart } from './fetch/multipart.ts';
import { StreamedTexts, base64Chunks } from './fetch/streamed-wbxml.ts';
import { resolveItem, resolveLongId } from './fetch/resolve.ts';
import type { CommandContext, CommandHandler, CommandResult } from './types.ts';

/** MS-ASHTTP 2.2.2.1.2: the Content-Type of a WBXML response (the inline streamed form is one). */
const WBXML_CONTENT_TYPE = 'application/vnd.ms-sync.wbxml';

/** Room kept in a multipart response for part 0 (the WBXML) and the table. */
const WBXML_PART_ROOM = 16 * 1024 * 1024;

type FetchOp = Extract<ItemOperation, { kind: 'Fetch' }>;
type FetchResult = Extract<ItemOperationResult, { kind: 'Fetch' }>;

/**
 * What the response carries besides its tree: the binary parts of a
 * multipart response (index 0 is the WBXML itself), or the attachment texts
 * streamed into an inline response.
 */
interface PartSink {
  readonly multipart: boolean;
  readonly parts: MultipartPart[];
  readonly texts: StreamedTexts;
}

/**
 * Fetch of an attachment by FileReference (MS-ASCMD 2.2.3.67.1, Range
 * 2.2.3.143.2, Total 2.2.3.179). The bytes are never held whole: in a
 * multipart response they are a part streamed from IMAP when the response
 * reaches it; inline, the base64 text is encoded chunk by chunk into the
 * WBXML `Data` string as it is written. The decoded size is needed first only
 * for the multipart table and for Range (Total, and a start past the end).
 */
async function fetchAttachment(ctx: CommandContext<Services>, op: FetchOp, ref: string, sink: PartSink): Promise<FetchResult> {
  const base = { kind: 'Fetch' as const, fileReference: ref };
  const located = await locateAttachment(ctx, ref);
  if (!located) return { ...base, status: ItemOperationsStatus.InvalidAttachment };
  const range = op.options.range;
  let window: ByteRange | undefined;
  let total: number | undefined;
  if (range || sink.multipart) {
    total = await decodedSize(ctx, located);
    if (range) {
      if (total === 0 || range.start >= total) return { ...base, status: ItemOperationsStatus.InvalidByteRange };
      window = { start: range.start, end: Math.min(range.end, total - 1) };
    }
  }
  const open = async (): Promise<ByteSource> => {
    const stream = (await openLocated(ctx, located)) as AsyncIterable<Buffer | string>;
    return window ? byteWindow(stream, window.start, window.end) : stream;
  };
  const file = { contentType: located.contentType, ...(window ? { range: window, total } : {}) };
  if (sink.multipart) {
    const length = window ? window.end - window.start + 1 : total!;
    // The part table holds 32-bit offsets; leave room for the WBXML part itself.
    const before = sink.parts.reduce((n, p) => n + p.length, 0);
    if (before + length > MAX_MULTIPART_BYTES - WBXML_PART_ROOM) return { ...base, status: ItemOperationsStatus.DataTooLarge };
    sink.parts.push({ length, open });
    return { ...base, status: ItemOperationsStatus.Success, file: { ...file, part: sink.parts.length - 1 } };
  }
  const placeholder = sink.texts.add(async () => base64Chunks(await open()));
  return { ...base, status: ItemOperationsStatus.Success, file: { ...file, data: StreamedTexts.asData(placeholder) } };
}

/**
 * In a multipart response the body's data travels as a binary part and
 * airsyncbase:Body carries `<Part>` instead of `<Data>` (MS-ASCMD 2.2.3.130,
 * MS-ASAIRS 2.2.2.33).
 */
function bodyDataToParts(properties: WbxmlElement[], sink: PartSink): WbxmlElement[] {
  return properties.map((p) => {
    if (p.ns !== 'AirSyncBase' || p.name !== 'Body' || !p.children) return p;
    const children = p.children.map((c) => {
      if (c.ns !== 'AirSyncBase' || c.name !== 'Data') return c;
      sink.parts.push(c.opaque ?? Buffer.from(c.text ?? '', 'utf8'));
      return el('ItemOperations', 'Part', sink.parts.length - 1);
    });
    return { ...p, children };
  });
}

async function fetchItem(ctx: CommandContext<Services>, op: FetchOp, sink: PartSink): Promise<FetchResult> {
  const ids = {
    ...(op.collectionId !== undefined ? { collectionId: op.collectionId } : {}),
    ...(op.serverId !== undefined ? { serverId: op.serverId } : {}),
    ...(op.longId !== undefined ? { longId: op.longId } : {}),
  };
  if (op.serverId !== undefined) {
    // Calendar items, tasks and contacts: straight from the DAV server, shaped by the collection's options.
    const caller = { mailbox: ctx.mailbox, deviceId: ctx.deviceId, session: { user: ctx.mailbox, password: ctx.password }, version: ctx.protocolVersion };
    const dav = await ctx.services.sync.fetchItem(caller, op.serverId, op.options?.bodyPreferences);
    if (dav) {
      const r = dav.response;
      if (r.kind !== 'Fetch' || r.status !== 1 || !r.applicationData) return { kind: 'Fetch', ...ids, status: ItemOperationsStatus.DocumentLibraryNotFound };
      return { kind: 'Fetch', ...ids, status: ItemOperationsStatus.Success, class: dav.class, properties: r.applicationData };
    }
  }
  const item = op.serverId !== undefined ? resolveItem(ctx, op.serverId, op.collectionId) : op.longId !== undefined ? resolveLongId(ctx, op.longId) : undefined;
  if (!item) return { kind: 'Fetch', ...ids, status: ItemOperationsStatus.DocumentLibraryNotFound };
  const properties = await fetchEmailProperties(ctx, item, op.options);
  if (!properties) return { kind: 'Fetch', ...ids, status: ItemOperationsStatus.DocumentLibraryNotFound };
  return { kind: 'Fetch', ...ids, status: ItemOperationsStatus.Success, class: 'Email', properties: sink.multipart ? bodyDataToParts(properties, sink) : properties };
}

async function runOperation(ctx: CommandContext<Services>, op: ItemOperation, sink: PartSink): Promise<ItemOperationResult> {
  switch (op.kind) {
    case 'Fetch':
      // Only the mailbox store exists here; document libraries (UNC/SharePoint) are not offered.
      if (op.store.toLowerCase() !== 'mailbox') return { kind: 'Fetch', status: ItemOperationsStatus.UnknownStore };
      if (op.fileReference !== undefined) return fetchAttachment(ctx, op, op.fileReference, sink);
      if (op.linkId !== undefined) return { kind: 'Fetch', linkId: op.linkId, status: ItemOperationsStatus.UnknownStore };
      return fetchItem(ctx, op, sink);
    case 'EmptyFolderContents':
      return { kind: 'EmptyFolderContents', collectionId: op.collectionId, status: await emptyFolderContents(ctx, op.collectionId, op.deleteSubFolders) };
    case 'Move':
      // Conversation moves need a conversation index over whole folders, which IMAP does not keep: refuse plainly.
      return { kind: 'Move', conversationId: op.conversationId, status: CommonStatus.CommandNotSupported };
  }
}

/**
 * ItemOperations (MS-ASCMD 2.2.1.10): Fetch of a message by ServerId or
 * LongId with body preferences, Fetch of an attachment by FileReference
 * (with Range, inline base64 or as a part of a multipart response when the
 * device sent MS-ASAcceptMultiPart: T, 2.2.1.10.1; message bodies then travel
 * as parts too), and EmptyFolderContents. Conversation Move is answered with
 * the common status 137 CommandNotSupported.
 * Operations run in request order and each gets its own status; one failing
 * never fails the others.
 */
export const itemOperationsHandler: CommandHandler<ItemOperationsRequest, Services> = {
  name: 'ItemOperations',
  parse: (body, ctx) => parseItemOperationsRequest(body, ctx.protocolVersion),
  async handle(ctx, req): Promise<CommandResult> {
    const sink: PartSink = { multipart: ctx.params.AcceptMultiPart?.toUpperCase() === 'T', parts: [new Uint8Array(0)], texts: new StreamedTexts() };
    const results: ItemOperationResult[] = [];
    for (const op of req.operations) {
      try {
        results.push(await runOperation(ctx, op, sink));
      } catch (e) {
        // Backend outages still fail the whole request (503), so the device retries later.
        if ((e as { code?: string }).code === 'BackendUnavailable' || (e as { code?: string }).code === 'AuthFailed') throw e;
        ctx.log.warn({ event: 'itemops.failed', op: op.kind, err: e }, 'operation failed');
        results.push(failedResult(op));
      }
    }
    const body = buildItemOperationsResponse({ status: ItemOperationsStatus.Success, results }, ctx.protocolVersion);
    if (!sink.multipart && sink.texts.size === 0) return { body, easStatus: ItemOperationsStatus.Success };
    if (!sink.multipart) {
      // Length unknown until the last base64 chunk: sent chunked (HTTP/1.1), never buffered.
      return { raw: { contentType: WBXML_CONTENT_TYPE, data: sink.texts.encode(body, ctx.protocolVersion) }, easStatus: ItemOperationsStatus.Success };
    }
    sink.parts[0] = encodeWbxml(body, { version: ctx.protocolVersion });
    const mp = buildMultipart(sink.parts);
    return {
      raw: { contentType: MULTIPART_CONTENT_TYPE, data: mp.stream },
      headers: { 'Content-Length': String(mp.length) },
      easStatus: ItemOperationsStatus.Success,
    };
  },
};

function failedResult(op: ItemOperation): ItemOperationResult {
  switch (op.kind) {
    case 'Fetch':
      return {
        kind: 'Fetch',
        status: op.fileReference !== undefined ? ItemOperationsStatus.DownloadFailed : ItemOperationsStatus.ServerError,
        ...(op.fileReference !== undefined ? { fileReference: op.fileReference } : {}),
        ...(op.serverId !== undefined ? { serverId: op.serverId } : {}),
        ...(op.collectionId !== undefined ? { collectionId: op.collectionId } : {}),
      };
    case 'EmptyFolderContents':
      return { kind: 'EmptyFolderContents', collectionId: op.collectionId, status: ItemOperationsStatus.ServerError };
    case 'Move':
      return { kind: 'Move', conversationId: op.conversationId, status: ItemOperationsStatus.ServerError };
  }
}
