/**
 * MeetingResponse (MS-ASCMD 2.2.1.11) and the organizer's iTIP on the real
 * stack: an invitation delivered by LMTP is accepted from the Inbox (the
 * event lands in Radicale with the attendee's PARTSTAT, the REPLY reaches
 * the organizer through the SMTP sink); an event in the calendar is
 * answered tentatively from the Calendar folder; a meeting the phone
 * creates with attendees mails them a REQUEST, and deleting it a CANCEL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { el, textOf, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { useStack } from '../harness/use-stack.ts';
import { davSide, icsUtc, vcal } from './dav-helpers.ts';
import { findText } from './dav-helpers.ts';
import { startTestServer, type TestServer } from './server-setup.ts';
import { initialSync, setUpPhone, syncOne } from './sync-helpers.ts';

const stack = useStack();
let server: TestServer;
const USER = 'alice@example.test';
const dav = davSide(stack, USER);
let calendar: string;
const DAY = 86_400_000;
const soon = (days: number, hour: number): Date => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY + hour * 3_600_000);

function invitation(uid: string, subject: string, start: Date): string {
  const ics = vcal([
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20260101T000000Z',
    `DTSTART:${icsUtc(start)}`,
    `DTEND:${icsUtc(new Date(start.getTime() + 3_600_000))}`,
    `SUMMARY:${subject}`,
    'ORGANIZER;CN=Maria Schmidt:mailto:maria.schmidt@example.test',
    `ATTENDEE;CN=Alice;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${USER}`,
    'ATTENDEE;CN=John;PARTSTAT=ACCEPTED:mailto:john@example.test',
    'END:VEVENT',
  ]);
  return [
    'From: Maria Schmidt <maria.schmidt@example.test>',
    `To: ${USER}`,
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${uid}.msg@example.test>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'You are invited.',
    '--b1',
    'Content-Type: text/calendar; charset=utf-8; method=REQUEST',
    '',
    ics,
    '--b1--',
    '',
  ].join('\r\n');
}

/** The text/calendar part of a sent message, decoded (mailparser lists it among the attachments). */
async function icsIn(raw: Buffer): Promise<string> {
  const parsed = await simpleParser(raw);
  const cal = parsed.attachments.find((a) => a.contentType === 'text/calendar');
  if (!cal) throw new Error('no text/calendar part');
  return cal.content.toString('utf8').replace(/\r\n[ \t]/g, '');
}

const meetingResponse = (userResponse: number, collectionId: string, requestId: string) =>
  el('MeetingResponse', 'MeetingResponse', [el('MeetingResponse', 'Request', [el('MeetingResponse', 'UserResponse', userResponse), el('MeetingResponse', 'CollectionId', collectionId), el('MeetingResponse', 'RequestId', requestId)])]);

beforeAll(async () => {
  calendar = await stack().ensureCalendar(USER, 'calendar', 'Calendar');
  server = await startTestServer(stack());
}, 120_000);
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

describe('MeetingResponse', () => {
  it('is advertised in OPTIONS', async () => {
    const res = await server.client({ user: USER }).options();
    // MS-ASHTTP 2.2.4.1.2.1: the command list is the MS-ASProtocolCommands header.
    expect(String(res.headers['ms-asprotocolcommands'] ?? '')).toContain('MeetingResponse');
  });

  it('accepting from the Inbox stores the event with PARTSTAT=ACCEPTED and mails the REPLY to the organizer', async () => {
    await stack().deliver(USER, invitation('inv-1@example.test', 'Quarterly planning', soon(3, 10)));
    const c = server.client({ user: USER, version: '14.1', deviceId: 'mr1' });
    const { byType } = await setUpPhone(c);
    const inbox = byType.get(2)!;
    const r = await initialSync(c, inbox, { options: [{ bodyPreferences: [{ type: 1 }], bodyPartPreferences: [] }] });
    const req = r.changes.find((x) => x.email?.subject === 'Quarterly planning')!;
    expect(req).toBeDefined();
    stack().smtpSink.messages.length = 0;
    const res = await c.command('MeetingResponse', meetingResponse(1, inbox, req.serverId));
    expect(findText(res.body, 'Status')).toBe('1');
    const stored = await dav.members(calendar);
    const bodies = await Promise.all(stored.map((h) => dav.get(new URL(h, calendar).toString()).then((g) => g.body)));
    const event = bodies.find((b) => b.includes('UID:inv-1@example.test'))!;
    expect(event).toBeDefined();
    expect(event.replace(/\r\n[ \t]/g, '')).toMatch(new RegExp(`ATTENDEE[^\\r\\n]*PARTSTAT=ACCEPTED[^\\r\\n]*:mailto:${USER}`, 'i'));
    expect(event).not.toMatch(/^METHOD:/m);
    const sent = await stack().smtpSink.waitForMessage((m) => m.to.includes('maria.schmidt@example.test'), 10_000);
    const parsed = await simpleParser(sent.raw);
    expect(parsed.subject).toMatch(/^Accepted: Quarterly planning/);
    const calText = await icsIn(sent.raw);
    expect(calText).toContain('METHOD:REPLY');
    expect(calText).toMatch(/PARTSTAT=ACCEPTED/);
    // Answering again finds the stored event (no second copy).
    const again = await c.command('MeetingResponse', meetingResponse(2, inbox, req.serverId));
    expect(findText(again.body, 'Status')).toBe('1');
    const after = await dav.members(calendar);
    expect(after.length).toBe(stored.length);
  });

  it('a tentative answer from the Calendar folder sets PARTSTAT=TENTATIVE on the synced event', async () => {
    await dav.put(`${calendar}cal-mtg.ics`, vcal(['BEGIN:VEVENT', 'UID:cal-mtg@example.test', 'DTSTAMP:20260101T000000Z', `DTSTART:${icsUtc(soon(4, 9))}`, `DTEND:${icsUtc(soon(4, 10))}`, 'SUMMARY:Budget', 'ORGANIZER:mailto:maria.schmidt@example.test', `ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:${USER}`, 'END:VEVENT']));
    const c = server.client({ user: USER, version: '16.1', deviceId: 'mr2' });
    const { byType } = await setUpPhone(c);
    const cal = byType.get(8)!;
    const r = await initialSync(c, cal);
    const sid = r.changes.find((x) => x.data && findText(x.data, 'Subject') === 'Budget')!.serverId;
    const res = await c.command('MeetingResponse', meetingResponse(2, cal, sid));
    expect(findText(res.body, 'Status')).toBe('1');
    expect(findText(res.body, 'CalendarId')).toBe(sid);
    const stored = (await dav.get(`${calendar}cal-mtg.ics`)).body.replace(/\r\n[ \t]/g, '');
    expect(stored).toMatch(/PARTSTAT=TENTATIVE/);
  });

  it('an unknown RequestId is Status 2 and changes nothing', async () => {
    const c = server.client({ user: USER, version: '14.1', deviceId: 'mr3' });
    const { byType } = await setUpPhone(c);
    const before = await dav.members(calendar);
    const res = await c.command('MeetingResponse', meetingResponse(1, byType.get(2)!, `${byType.get(2)!}:999999`));
    expect(findText(res.body, 'Status')).toBe('2');
    expect(await dav.members(calendar)).toEqual(before);
  });
});

describe('meetings organised on the phone', () => {
  it('an Add with attendees mails them a REQUEST; deleting it mails a CANCEL', async () => {
    const c = server.client({ user: USER, version: '14.1', deviceId: 'org1' });
    const { byType } = await setUpPhone(c);
    const cal = byType.get(8)!;
    const r = await initialSync(c, cal);
    stack().smtpSink.messages.length = 0;
    const start = soon(6, 13);
    const add = {
      kind: 'Add' as const,
      clientId: 'm-1',
      applicationData: el('AirSync', 'ApplicationData', [
        el('Calendar', 'Subject', 'Kick-off'),
        el('Calendar', 'StartTime', icsUtc(start)),
        el('Calendar', 'EndTime', icsUtc(new Date(start.getTime() + 3_600_000))),
        el('Calendar', 'OrganizerEmail', USER),
        el('Calendar', 'MeetingStatus', 1),
        el('Calendar', 'Attendees', [el('Calendar', 'Attendee', [el('Calendar', 'Email', 'guest@example.test'), el('Calendar', 'Name', 'Guest'), el('Calendar', 'AttendeeType', 1)])]),
      ]),
    };
    const res = await syncOne(c, { collectionId: cal, syncKey: r.syncKey, commands: [add] });
    const sid = res.responses[0]!.serverId!;
    const invite = await stack().smtpSink.waitForMessage((m) => m.to.includes('guest@example.test'), 10_000);
    expect(await icsIn(invite.raw)).toContain('METHOD:REQUEST');
    const del = await syncOne(c, { collectionId: cal, syncKey: res.syncKey!, commands: [{ kind: 'Delete', serverId: sid }] });
    expect(del.status).toBe(1);
    const cancel = await stack().smtpSink.waitForMessage((m) => m !== invite && m.to.includes('guest@example.test'), 10_000);
    const ics = await icsIn(cancel.raw);
    expect(ics).toContain('METHOD:CANCEL');
    expect(ics).toContain('SUMMARY:Kick-off');
  });
});
