import { organizerMessage } from '../../../backends/caldav/itip.ts';
import { icsToEasCalendar } from '../../../backends/caldav/event.ts';
import type { UserSession } from '../../../backends/types.ts';
import type { Logger } from 'pino';
import { itipMessage } from '../../mail/compose/itip.ts';

/**
 * The organizer's side of meetings made on the phone (RFC 5546 3.2.2,
 * 3.2.5): an event the phone adds with attendees sends them a REQUEST; a
 * change of its time, place, title or recurrence sends the update; a
 * deleted or cancelled meeting sends CANCEL. Only when the user organizes
 * the meeting (an attendee's copy never mails anyone; that is
 * MeetingResponse's job).
 *
 * Sent after the resource is written and at most once: a request retried
 * after a crash between the PUT and the send does not send again (the Add
 * finds its resource and is not "new"), so an invitation may be missed but
 * is never duplicated.
 */
export type DeviceWrite = { readonly kind: 'add'; readonly after: string } | { readonly kind: 'change'; readonly before: string; readonly after: string } | { readonly kind: 'delete'; readonly before: string };

export interface InvitationDeps {
  readonly submit: (session: UserSession, m: { from: string; to: readonly string[]; raw: Buffer }) => Promise<unknown>;
  readonly log: Logger;
}

const CANCELLED = new Set([5, 7]);

function shapeOf(ics: string): string {
  const i = icsToEasCalendar(ics).item;
  return JSON.stringify([i.startTime, i.endTime, i.subject, i.location, i.recurrence, i.allDayEvent]);
}

/** What the organizer must send for a device write, if anything. */
export function invitationFor(w: DeviceWrite, userEmail: string): { method: 'REQUEST' | 'CANCEL'; ics: string } | undefined {
  const organizes = (ics: string): boolean => {
    const item = icsToEasCalendar(ics, { userEmail }).item;
    return (item.attendees?.length ?? 0) > 0 && (!item.organizerEmail || item.organizerEmail.toLowerCase() === userEmail.toLowerCase());
  };
  if (w.kind === 'delete') return organizes(w.before) ? { method: 'CANCEL', ics: w.before } : undefined;
  if (!organizes(w.after)) return undefined;
  const status = icsToEasCalendar(w.after, { userEmail }).item.meetingStatus;
  if (status !== undefined && CANCELLED.has(status)) return { method: 'CANCEL', ics: w.after };
  if (w.kind === 'add' || shapeOf(w.before) !== shapeOf(w.after)) return { method: 'REQUEST', ics: w.after };
  return undefined;
}

/** Sends what `invitationFor` says; a failure is logged, never fails the device's write (it is stored already). */
export async function sendInvitations(deps: InvitationDeps, session: UserSession, userEmail: string, w: DeviceWrite): Promise<void> {
  try {
    const inv = invitationFor(w, userEmail);
    if (!inv) return;
    const m = organizerMessage(inv.ics, inv.method, { organizerEmail: userEmail });
    const to = m.attendees.filter((a) => a.toLowerCase() !== userEmail.toLowerCase());
    if (to.length === 0) return;
    const subject = inv.method === 'CANCEL' ? `Canceled: ${m.summary}` : m.summary;
    const raw = itipMessage({ from: userEmail, to, subject, text: subject, ics: m.ics, method: inv.method });
    await deps.submit(session, { from: userEmail, to, raw });
    deps.log.info({ event: 'meeting.sent', method: inv.method, uid: m.uid, attendees: to.length }, 'iTIP message sent to attendees');
  } catch (err) {
    deps.log.warn({ event: 'meeting.send-failed', err: err instanceof Error ? err.message : String(err) }, 'iTIP message not sent');
  }
}
