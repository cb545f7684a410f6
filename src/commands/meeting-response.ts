import { createHash } from 'node:crypto';
import { isBackendError } from '../../backends/errors.ts';
import { attendeeReply, type PartStat } from '../../backends/caldav/itip.ts';
import type { DavStore, UserSession } from '../../backends/types.ts';
import {
  buildMeetingResponseResponse,
  MeetingResponseStatus,
  parseMeetingResponseRequest,
  UserResponse,
  type MeetingResponseItem,
  type MeetingResponseRequest,
  type MeetingResponseResult,
} from '../../protocol/commands/meeting-response.ts';
import { bodyFromElement } from '../../protocol/types/body.ts';
import { parseEasDate } from '../../protocol/types/dates.ts';
import { itipMessage, replySubject } from '../mail/compose/itip.ts';
import type { Services } from '../server/services.ts';
import type { FolderRow } from '../state/folders.ts';
import { parseDavFolderPath } from '../sync/dav/item-class.ts';
import { analyseLayout } from '../sync/mime-parts.ts';
import { decodeCharset } from '../sync/text.ts';
import { extrasOf, sendContextOf } from './compose/deps.ts';
import { resolveItem } from './fetch/resolve.ts';
import { sessionOf } from './folder-sync.ts';
import type { CommandContext, CommandHandler, CommandResult } from './types.ts';

type Ctx = CommandContext<Services>;

/** Invitations larger than this are not meeting requests we act on (the mail engine uses the same bound). */
const MAX_ICS_BYTES = 256 * 1024;

const PARTSTAT: Record<number, PartStat> = { [UserResponse.Accepted]: 'ACCEPTED', [UserResponse.Tentative]: 'TENTATIVE', [UserResponse.Declined]: 'DECLINED' };

/**
 * MeetingResponse (MS-ASCMD 2.2.1.11): the user accepts, tentatively
 * accepts or declines a meeting, from the meeting request in a mail folder
 * or from the event in a calendar folder. The attendee's PARTSTAT is set in
 * the user's default CalDAV calendar (an invitation from mail is stored
 * there first; a declined one is removed, as Exchange does) and the iTIP
 * REPLY (RFC 5546 3.2.3) goes to the organizer over SMTP, with the 16.x
 * message and proposed times. Each request gets its own status; CalendarId
 * is the event's ServerId when this device already holds it.
 */
export const meetingResponseHandler: CommandHandler<MeetingResponseRequest, Services> = {
  name: 'MeetingResponse',
  parse: (body, ctx) => parseMeetingResponseRequest(body, ctx.protocolVersion),
  async handle(ctx, req): Promise<CommandResult> {
    const results: MeetingResponseResult[] = [];
    for (const r of req.requests) {
      const requestId = r.requestId ?? r.longId ?? '';
      try {
        results.push({ requestId, ...(await respond(ctx, r)) });
      } catch (e) {
        if (isBackendError(e, 'BackendUnavailable')) throw e;
        const status = isBackendError(e, 'NotFound') || isBackendError(e, 'Invalid') ? MeetingResponseStatus.InvalidMeetingRequest : MeetingResponseStatus.ServerError;
        ctx.log.warn({ event: 'meeting.response-failed', requestId, err: e instanceof Error ? e.message : String(e) }, 'meeting response failed');
        results.push({ requestId, status });
      }
    }
    const status = results.find((x) => x.status !== MeetingResponseStatus.Success)?.status ?? MeetingResponseStatus.Success;
    return { body: buildMeetingResponseResponse({ results }, ctx.protocolVersion), easStatus: status };
  },
};

interface EventAt {
  readonly folder: FolderRow;
  readonly href: string;
  readonly data: string;
  /** Undefined: not on the server yet (an invitation from mail). */
  readonly etag?: string;
}

async function respond(ctx: Ctx, r: MeetingResponseItem): Promise<{ status: number; calendarId?: string }> {
  const dav = ctx.services.dav;
  const invalid = { status: MeetingResponseStatus.InvalidMeetingRequest };
  if (!dav) return { status: MeetingResponseStatus.MailboxError };
  const session = sessionOf(ctx);
  const id = r.requestId ?? r.longId;
  if (!id) return invalid;
  const collectionId = r.collectionId ?? id.split(':')[0]!;
  const found = ctx.services.sync.collection(ctx.mailbox, collectionId);
  if (!found) return invalid;
  const event = found.source.name === 'mail' ? await fromInvitation(ctx, dav, session, id) : await fromCalendar(ctx, dav, session, found.folder, id);
  if (!event) return invalid;
  const sender = sendContextOf(ctx).sender.address;
  const partstat = PARTSTAT[r.userResponse]!;
  const sr = r.sendResponse;
  const instanceStart = r.instanceId ? parseEasDate(r.instanceId) : undefined;
  const proposedStart = sr?.proposedStartTime ? parseEasDate(sr.proposedStartTime) : undefined;
  const proposedEnd = sr?.proposedEndTime ? parseEasDate(sr.proposedEndTime) : undefined;
  const comment = sr?.body ? bodyFromElement(sr.body).data : undefined;
  const reply = attendeeReply(event.data, {
    attendeeEmail: sender,
    partstat,
    ...(instanceStart ? { instanceStart } : {}),
    ...(proposedStart ? { proposedStart } : {}),
    ...(proposedEnd ? { proposedEnd } : {}),
    ...(comment ? { comment } : {}),
  });
  const kind = 'caldav';
  if (partstat === 'DECLINED' && !instanceStart) {
    if (event.etag !== undefined) await dav.delete(session, kind, event.href).catch((e: unknown) => (isBackendError(e, 'NotFound') ? undefined : Promise.reject(e)));
  } else {
    await dav.put(session, kind, event.href, reply.calendarIcs, event.etag !== undefined ? { ifMatch: event.etag } : { ifNoneMatch: true });
  }
  if (reply.organizer && reply.organizer.email.toLowerCase() !== sender.toLowerCase()) {
    const raw = itipMessage({ from: sender, to: [reply.organizer.email], subject: replySubject(partstat, reply.summary), text: comment ?? replySubject(partstat, reply.summary), ics: reply.replyIcs, method: 'REPLY' });
    await extrasOf(ctx.services).submitter.submit(session, { from: sender, to: [reply.organizer.email], raw });
  }
  ctx.log.info({ event: 'meeting.responded', partstat, uid: reply.uid, organizer: !!reply.organizer });
  const calendarId = partstat === 'DECLINED' ? undefined : heldServerId(ctx, event.folder, event.href);
  return { status: MeetingResponseStatus.Success, ...(calendarId ? { calendarId } : {}) };
}

/** The event as a calendar item the device holds (14.1+ clients respond from the calendar). */
async function fromCalendar(ctx: Ctx, dav: DavStore, session: UserSession, folder: FolderRow, serverId: string): Promise<EventAt | undefined> {
  const ref = { mailbox: ctx.mailbox, deviceId: ctx.deviceId, collectionId: String(folder.id) };
  const held = ctx.services.sync.repo.itemByServerId(ref, serverId);
  const href = held && ctx.services.davMembers.hrefOf(ctx.mailbox, folder.id, held.uid);
  if (!href || parseDavFolderPath(folder.path).component !== 'VEVENT') return undefined;
  const res = await dav.get(session, 'caldav', href);
  return { folder, href, data: res.data, etag: res.etag };
}

/**
 * The invitation of a meeting request mail, located in the default
 * calendar: at the href we store invitations under (a hash of the UID, so
 * a second response to the same invitation finds the first one's event),
 * fetched from there when present.
 */
async function fromInvitation(ctx: Ctx, dav: DavStore, session: UserSession, serverId: string): Promise<EventAt | undefined> {
  const item = resolveItem(ctx, serverId);
  if (!item) return undefined;
  const [msg] = await ctx.services.mail.fetch(session, item.path, [item.uid], { structure: true });
  const cal = msg?.structure ? analyseLayout(msg.structure).calendar : undefined;
  if (!cal || cal.size > MAX_ICS_BYTES * 2) return undefined;
  const [withPart] = await ctx.services.mail.fetch(session, item.path, [item.uid], { parts: [{ part: cal.part, maxBytes: MAX_ICS_BYTES + 1, ...(cal.encoding ? { encoding: cal.encoding } : {}) }] });
  const bytes = withPart?.parts?.get(cal.part);
  if (!bytes || bytes.length > MAX_ICS_BYTES) return undefined;
  const ics = decodeCharset(bytes, cal.params['charset']);
  const uid = /^UID:(.+)$/m.exec(ics.replace(/\r\n[ \t]/g, ''))?.[1]?.trim();
  if (!uid) return undefined;
  const folder = ctx.services.repos.folders.listActive(ctx.mailbox).find((f) => f.source === 'caldav' && f.type === 8);
  if (!folder) return undefined;
  const href = `${parseDavFolderPath(folder.path).href}${createHash('sha256').update(uid).digest('hex').slice(0, 32)}.ics`;
  try {
    const res = await dav.get(session, 'caldav', href);
    return { folder, href, data: res.data, etag: res.etag };
  } catch (e) {
    if (!isBackendError(e, 'NotFound')) throw e;
  }
  // An iTIP REQUEST carries METHOD; a calendar resource must not (RFC 4791 4.1).
  return { folder, href, data: ics.replace(/^METHOD:[^\r\n]*\r?\n/m, '') };
}

/** The ServerId under which this device holds `href` in `folder`, if it does. */
function heldServerId(ctx: Ctx, folder: FolderRow, href: string): string | undefined {
  const n = ctx.services.davMembers.find(ctx.mailbox, folder.id, href);
  if (n === undefined) return undefined;
  return ctx.services.sync.repo.itemByUid({ mailbox: ctx.mailbox, deviceId: ctx.deviceId, collectionId: String(folder.id) }, n)?.serverId;
}
