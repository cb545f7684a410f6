import { child, childrenNamed, el, type WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { compact, expectRoot, failWith, optText, reqInt, type Fail } from './util.ts';

/** MeetingResponse Status values (MS-ASCMD 2.2.3.177.9). */
export const MeetingResponseStatus = {
  Success: 1,
  InvalidMeetingRequest: 2,
  MailboxError: 3,
  ServerError: 4,
} as const;

/** UserResponse values (MS-ASCMD 2.2.3.191). */
export const UserResponse = { Accepted: 1, Tentative: 2, Declined: 3 } as const;

/** A 16.0+ proposal or note sent with the response (MS-ASCMD 2.2.3.165 SendResponse). */
export interface MeetingSendResponse {
  /** Raw AirSyncBase:Body element; its conversion is protocol/types' concern. */
  readonly body?: WbxmlElement;
  readonly proposedStartTime?: string;
  readonly proposedEndTime?: string;
}

/** One response to a meeting request (MS-ASCMD 2.2.3.147). Either CollectionId + RequestId or LongId names the request. */
export interface MeetingResponseItem {
  readonly userResponse: number;
  readonly collectionId?: string;
  readonly requestId?: string;
  readonly longId?: string;
  readonly instanceId?: string;
  readonly sendResponse?: MeetingSendResponse;
}

/** A MeetingResponse request (MS-ASCMD 2.2.1.11). */
export interface MeetingResponseRequest {
  readonly requests: readonly MeetingResponseItem[];
}

/** The result for one request; CalendarId is the ServerId of the calendar item, absent on decline. */
export interface MeetingResponseResult {
  readonly requestId: string;
  readonly status: number;
  readonly calendarId?: string;
}

/** A MeetingResponse response. */
export interface MeetingResponseResponse {
  readonly results: readonly MeetingResponseResult[];
}

const MR = 'MeetingResponse';

function parseItem(r: WbxmlElement, fail: Fail): MeetingResponseItem {
  const userResponse = reqInt(r, 'UserResponse', MR, fail);
  if (userResponse < 1 || userResponse > 3) fail('UserResponse is not 1..3');
  const sr = child(r, 'SendResponse', MR);
  const item = compact({
    userResponse,
    collectionId: optText(r, 'CollectionId', MR, fail),
    requestId: optText(r, 'RequestId', MR, fail),
    longId: optText(r, 'LongId', 'Search', fail),
    instanceId: optText(r, 'InstanceId', MR, fail),
    sendResponse: sr
      ? compact({
          body: child(sr, 'Body', 'AirSyncBase'),
          proposedStartTime: optText(sr, 'ProposedStartTime', MR, fail),
          proposedEndTime: optText(sr, 'ProposedEndTime', MR, fail),
        })
      : undefined,
  });
  if (item.requestId === undefined && item.longId === undefined) fail('Request has neither RequestId nor LongId');
  return item;
}

/** Parses a MeetingResponse request; grammar errors are Status 2 (invalid meeting request). */
export function parseMeetingResponseRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): MeetingResponseRequest {
  const fail = failWith('MeetingResponse', MeetingResponseStatus.InvalidMeetingRequest);
  const r = expectRoot(root, MR, 'MeetingResponse', fail);
  const requests = childrenNamed(r, 'Request', MR).map((x) => parseItem(x, fail));
  if (requests.length === 0) fail('no Request');
  return { requests };
}

/** Builds a MeetingResponse response: Result { RequestId, Status, CalendarId } per request (MS-ASCMD 2.2.3.152). */
export function buildMeetingResponseResponse(res: MeetingResponseResponse, _version: ProtocolVersion): WbxmlElement {
  return el(
    MR,
    'MeetingResponse',
    res.results.map((r) =>
      el(MR, 'Result', [el(MR, 'RequestId', r.requestId), el(MR, 'Status', r.status), r.calendarId !== undefined ? el(MR, 'CalendarId', r.calendarId) : undefined]),
    ),
  );
}
