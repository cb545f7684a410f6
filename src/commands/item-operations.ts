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
import { DataTooLargeError, openAttachment, readAll } from './fetch/attachment.ts';
import { emptyFolderContents } from './fetch/empty-folder.ts';
import { fetchEmailProperties } from './fetch/fetch-item.ts';
import { MULTIPART_CONTENT_TYPE, buildMultipart, type MultipartPart } from './fetch/multipart.ts';
import { resolveItem, resolveLongId } from './fetch/resolve.ts';
import type { CommandContext, CommandHandler, CommandResult } from './types.ts';

type FetchOp = Extract<ItemOperation, { kind: 'Fetch' }>;
type FetchResult = Extract<ItemOperationResult, { kind: 'Fetch' }>;

/** Binary parts collected for a multipart response; index 0 is the WBXML itself. */
interface PartSink {
  readonly multipart: boolean;
  readonly parts: MultipartPart[];
}

/** The slice of `data` a Range asks for (MS-ASCMD 2.2.3.143.2), or undefined when it starts past the end. */
function sliceRange(data: Buffer, range: ByteRange | undefined): { data: Buffer; range?: ByteRange } | undefined {
  if (!range) return { data };
  if (data.length === 0 || range.start >= data.length) return undefined;
  const end = Math.min(range.end, data.length - 1);
  return { data: data.subarray(range.start, end + 1), range: { start: range.start, end } };
}

async function fetchAttachment(ctx: CommandContext<Services>, op: FetchOp, ref: string, sink: PartSink): Promise<FetchResult> {
  const base = { kind: 'Fetch' as const, fileReference: ref };
  const opened = await openAttachment(ctx, ref);
  if (!opened) return { ...base, status: ItemOperationsStatus.InvalidAttachment };
  let all: Buffer;
  try {
    all = await readAll(opened.stream, ctx.services.config.limits.maxBodyBytes);
  } catch (e) {
    if (e instanceof DataTooLargeError) return { ...base, status: ItemOperationsStatus.DataTooLarge };
    throw e;
  }
  const sliced = sliceRange(all, op.options.range);
  if (!sliced) return { ...base, status: ItemOperationsStatus.InvalidByteRange };
  const file = {
    contentType: opened.contentType,
    ...(sliced.range ? { range: sliced.range, total: all.length } : {}),
  };
  if (sink.multipart) {
    sink.parts.push(sliced.data);
    return { ...base, status: ItemOperationsStatus.Success, file: { ...file, part: sink.parts.length - 1 } };
  }
  return { ...base, status: ItemOperationsStatus.Success, file: { ...file, data: sliced.data } };
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
    const sink: PartSink = { multipart: ctx.params.AcceptMultiPart?.toUpperCase() === 'T', parts: [new Uint8Array(0)] };
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
    if (!sink.multipart) return { body, easStatus: ItemOperationsStatus.Success };
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
