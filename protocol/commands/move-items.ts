import { childrenNamed, el, type WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { CommonStatus } from './common-status.ts';
import { expectRoot, failWith, reqText } from './util.ts';

/** MoveItems Status values (MS-ASCMD 2.2.3.177.10). Note that success is 3, not 1. */
export const MoveItemsStatus = {
  InvalidSource: 1,
  InvalidDestination: 2,
  Success: 3,
  SameSourceAndDestination: 4,
  /** Failure, e.g. moving between stores or more than one destination. */
  Failed: 5,
  Locked: 7,
} as const;

/** One item to move (MS-ASCMD 2.2.3.117.3). */
export interface MoveItem {
  readonly srcMsgId: string;
  readonly srcFldId: string;
  readonly dstFldId: string;
}

/** A MoveItems request (MS-ASCMD 2.2.1.12). */
export interface MoveItemsRequest {
  readonly moves: readonly MoveItem[];
}

/** The result for one item; `dstMsgId` is the item's new ServerId on success. */
export interface MoveItemResult {
  readonly srcMsgId: string;
  readonly status: number;
  readonly dstMsgId?: string;
}

/** A MoveItems response. */
export interface MoveItemsResponse {
  readonly results: readonly MoveItemResult[];
}

const M = 'Move';

/**
 * Parses a MoveItems request. MoveItems defines no protocol-error status, so
 * grammar errors carry the common 103 InvalidXML (14.0+) with HTTP 400 for
 * older versions (MS-ASCMD 2.2.2).
 */
export function parseMoveItemsRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): MoveItemsRequest {
  const fail = failWith('MoveItems', CommonStatus.InvalidXML, 400);
  const r = expectRoot(root, M, 'MoveItems', fail);
  const moves = childrenNamed(r, 'Move', M).map((m) => ({
    srcMsgId: reqText(m, 'SrcMsgId', M, fail),
    srcFldId: reqText(m, 'SrcFldId', M, fail),
    dstFldId: reqText(m, 'DstFldId', M, fail),
  }));
  if (moves.length === 0) fail('no Move');
  return { moves };
}

/** Builds a MoveItems response: one Response { SrcMsgId, Status, DstMsgId } per item (MS-ASCMD 2.2.3.153.2). */
export function buildMoveItemsResponse(res: MoveItemsResponse, _version: ProtocolVersion): WbxmlElement {
  return el(
    M,
    'MoveItems',
    res.results.map((r) =>
      el(M, 'Response', [el(M, 'SrcMsgId', r.srcMsgId), el(M, 'Status', r.status), r.dstMsgId !== undefined ? el(M, 'DstMsgId', r.dstMsgId) : undefined]),
    ),
  );
}
