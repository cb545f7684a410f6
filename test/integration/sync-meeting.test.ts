/**
 * Invitations carry their MeetingRequest (MS-ASEMAIL 2.2.2.48), read from
 * the iMIP text/calendar part of the seeded meeting request, through the
 * real server and Dovecot, in 14.1 (GlobalObjId, email:Location) and 16.1
 * (calendar:UID, airsyncbase:Location).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { seedMailbox, type SeedResult } from '../../src/devstack/seed.ts';
import { globalObjIdFromUid } from '../../protocol/types/meeting-request.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { useStack } from '../harness/use-stack.ts';
import { useTestServer } from '../harness/use-test-server.ts';
import { bodyOptions, initialSync, setUpPhone } from './sync-helpers.ts';

const stack = useStack();
let seeded: SeedResult;
const USER = 'bob@example.test';

beforeAll(async () => {
  seeded = await seedMailbox(stack(), USER, { count: 20, folders: ['INBOX'], dav: false });
}, 120_000);
const server = useTestServer(stack);

/** The seeded invitation and what its iCalendar says (read from the raw message, not from the server). */
function seededMeeting(): { subject: string; uid: string; start: Date; end: Date } {
  const m = seeded.messages.find((x) => x.kind === 'meeting');
  if (!m) throw new Error('seed has no meeting request');
  const raw = m.raw.toString('utf8');
  const field = (name: string): string => {
    const hit = new RegExp(`^${name}:(.+)$`, 'm').exec(raw);
    if (!hit) throw new Error(`no ${name} in the seeded invitation`);
    return hit[1]!.trim();
  };
  const compact = (s: string): Date => new Date(s.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  return { subject: m.subject, uid: field('UID'), start: compact(field('DTSTART')), end: compact(field('DTEND')) };
}

async function meetingItem(version: ProtocolVersion) {
  const c = server().client({ user: USER, version });
  const { byType } = await setUpPhone(c);
  const r = await initialSync(c, byType.get(2)!, { windowSize: 50, options: bodyOptions(2) });
  const want = seededMeeting();
  const item = r.changes.find((x) => x.email?.subject === want.subject);
  if (!item?.email) throw new Error('the invitation was not synced');
  return { email: item.email, want, all: r.changes };
}

describe('MeetingRequest of an invitation', () => {
  it('14.1: start, end, location, organizer, GlobalObjId from the text/calendar part', async () => {
    const { email, want, all } = await meetingItem('14.1');
    expect(email.messageClass).toBe('IPM.Schedule.Meeting.Request');
    const mr = email.meetingRequest!;
    expect(mr).toBeDefined();
    expect(mr.startTime.toISOString()).toBe(want.start.toISOString());
    expect(mr.endTime.toISOString()).toBe(want.end.toISOString());
    expect(mr.allDayEvent).toBe(false);
    expect(mr.location).toBe('Room 4.12');
    expect(mr.organizer).toBe('"Maria Schmidt" <maria.schmidt@example.test>');
    expect(mr.globalObjId).toBe(globalObjIdFromUid(want.uid));
    expect(mr.uid).toBeUndefined();
    // The attendee line asks for an answer (RSVP=TRUE); SEQUENCE 0 is the first invitation.
    expect(mr.responseRequested).toBe(true);
    expect(mr.meetingMessageType).toBe(1);
    expect(mr.busyStatus).toBe(2);
    expect(mr.instanceType).toBe(0);
    // Ordinary mail carries no MeetingRequest.
    expect(all.filter((x) => x.email?.messageClass === 'IPM.Note' && x.email.meetingRequest)).toEqual([]);
  }, 90_000);

  it('16.1: the same times and location, the UID as calendar:UID instead of GlobalObjId', async () => {
    const { email, want } = await meetingItem('16.1');
    const mr = email.meetingRequest!;
    expect(mr).toBeDefined();
    expect(mr.startTime.toISOString()).toBe(want.start.toISOString());
    expect(mr.endTime.toISOString()).toBe(want.end.toISOString());
    expect(mr.location).toBe('Room 4.12');
    expect(mr.organizer).toBe('"Maria Schmidt" <maria.schmidt@example.test>');
    expect(mr.uid).toBe(want.uid);
    expect(mr.globalObjId).toBeUndefined();
  }, 90_000);
});
