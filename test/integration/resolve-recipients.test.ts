/**
 * ResolveRecipients (MS-ASCMD 2.2.1.15) against the real stack: the GAL in
 * a shared Radicale book (and, for one case, in slapd), the user's own
 * address books, and free/busy (MergedFreeBusy, MS-ASCMD 2.2.3.107) from
 * bob's Radicale calendar read with the service login: one exact match,
 * several ambiguous ones (cut by MaxAmbiguousRecipients), none, the user's
 * contacts and never another user's, certificates (none held), pictures,
 * and availability slots for busy, tentative, out-of-office, free,
 * declined and recurring events; all "4" for someone not on this server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResolveRecipients, resolveRecipientsRequest } from '../../src/client/directory-requests.ts';
import type { EasClient } from '../../src/client/index.ts';
import { colleagues } from '../../src/devstack/seed-directory.ts';
import { formatIsoDate } from '../../protocol/types/dates.ts';
import { useStack } from '../harness/use-stack.ts';
import { davSide, icsUtc, vcal } from './dav-helpers.ts';
import { ALICE, ALICE_PRIVATE, BOB, directoryStackOptions, galEnv, seedDirectory, startDirectoryServer, type DirectoryWorld } from './directory-setup.ts';
import type { TestServer } from './server-setup.ts';

const stack = useStack(directoryStackOptions());
let world: DirectoryWorld;
let server: TestServer;
let ldapServer: TestServer;

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Tomorrow, 00:00 UTC. */
const day0 = Math.floor(Date.now() / DAY) * DAY + DAY;
const at = (h: number, days = 0): Date => new Date(day0 + days * DAY + h * HOUR);
const maria = colleagues().find((c) => c.uid === 'maria.schmidt')!;

function event(uid: string, start: Date, end: Date, extra: string[] = []): string {
  return vcal(['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', `DTSTART:${icsUtc(start)}`, `DTEND:${icsUtc(end)}`, 'SUMMARY:private detail', ...extra, 'END:VEVENT']);
}

beforeAll(async () => {
  const s = stack();
  world = await seedDirectory(s);
  const cal = await s.ensureCalendar(BOB, 'calendar', 'Calendar');
  const bob = davSide(stack, BOB);
  await bob.put(`${cal}busy.ics`, event('busy', at(9), at(10)));
  await bob.put(`${cal}tentative.ics`, event('tentative', at(10), at(10.5), ['STATUS:TENTATIVE']));
  await bob.put(`${cal}oof.ics`, event('oof', at(11), at(12), ['X-MICROSOFT-CDO-BUSYSTATUS:OOF']));
  await bob.put(`${cal}free.ics`, event('free', at(12), at(13), ['TRANSP:TRANSPARENT']));
  await bob.put(`${cal}declined.ics`, event('declined', at(13), at(14), ['ORGANIZER:mailto:maria.schmidt@example.test', `ATTENDEE;PARTSTAT=DECLINED:mailto:${BOB}`]));
  // A weekly series whose occurrence of tomorrow was moved from 14:00 to 15:00.
  const weekly = vcal([
    'BEGIN:VEVENT', 'UID:weekly', 'DTSTAMP:20260101T000000Z', `DTSTART:${icsUtc(at(14, -7))}`, `DTEND:${icsUtc(at(14.5, -7))}`, 'RRULE:FREQ=WEEKLY;COUNT=4', 'SUMMARY:weekly', 'END:VEVENT',
    'BEGIN:VEVENT', 'UID:weekly', 'DTSTAMP:20260101T000000Z', `RECURRENCE-ID:${icsUtc(at(14))}`, `DTSTART:${icsUtc(at(15))}`, `DTEND:${icsUtc(at(15.5))}`, 'SUMMARY:weekly moved', 'END:VEVENT',
  ]);
  await bob.put(`${cal}weekly.ics`, weekly);
  server = await startDirectoryServer(s, galEnv(s, world, 'carddav-service'));
  ldapServer = await startDirectoryServer(s, galEnv(s, world, 'ldap'));
}, 120_000);

afterAll(async () => {
  for (const s of [server, ldapServer]) {
    await s?.stop();
    s?.cleanup();
  }
});

async function resolve(c: EasClient, req: Parameters<typeof resolveRecipientsRequest>[0]) {
  const res = await c.command('ResolveRecipients', resolveRecipientsRequest(req));
  expect(res.status).toBe(200);
  return readResolveRecipients(res.body);
}

describe.each(['carddav', 'ldap'] as const)('ResolveRecipients, GAL on %s', (kind) => {
  const alice = (): EasClient => (kind === 'carddav' ? server : ldapServer).client({ user: ALICE });

  it('an address resolves to exactly one GAL recipient', async () => {
    const r = await resolve(alice(), { to: [maria.email] });
    expect(r.status).toBe(1);
    expect(r.responses).toEqual([{ to: maria.email, status: 1, count: 1, recipients: [{ type: 1, displayName: 'Maria Schmidt', emailAddress: maria.email }] }]);
  });

  it('a full name resolves too, case-insensitively', async () => {
    const r = await resolve(alice(), { to: ['maria SCHMIDT'] });
    expect(r.responses[0]!.status).toBe(1);
    expect(r.responses[0]!.recipients.map((x) => x.emailAddress)).toEqual([maria.email]);
  });

  it('a shared last name is ambiguous: Status 2 with every candidate', async () => {
    const r = await resolve(alice(), { to: ['Schmidt'] });
    expect(r.responses[0]!.status).toBe(2);
    expect(r.responses[0]!.count).toBe(3);
    expect(r.responses[0]!.recipients.map((x) => x.displayName)).toEqual(['Maria Schmidt', 'Max Schmidt', 'Sara Schmidt']);
  });

  it('MaxAmbiguousRecipients cuts the list: Status 3', async () => {
    const r = await resolve(alice(), { to: ['Schmidt'], maxAmbiguousRecipients: 2 });
    expect(r.responses[0]!.status).toBe(3);
    expect(r.responses[0]!.recipients.map((x) => x.displayName)).toEqual(['Maria Schmidt', 'Max Schmidt']);
  });

  it('nobody: Status 4 and no recipients; several To answer in order', async () => {
    const r = await resolve(alice(), { to: ['nobody@nowhere.test', maria.email, 'Mar'] });
    expect(r.responses.map((x) => [x.to, x.status, x.count])).toEqual([
      ['nobody@nowhere.test', 4, 0],
      [maria.email, 1, 1],
      // A prefix is a search, not a resolution.
      ['Mar', 4, 0],
    ]);
  });
});

describe('ResolveRecipients with contacts', () => {
  it("resolves from the user's own address book as Type 2", async () => {
    const r = await resolve(server.client({ user: ALICE }), { to: [ALICE_PRIVATE.email] });
    expect(r.responses[0]).toMatchObject({ status: 1, recipients: [{ type: 2, displayName: ALICE_PRIVATE.name, emailAddress: ALICE_PRIVATE.email }] });
  });

  it("never from another user's address book", async () => {
    const r = await resolve(server.client({ user: BOB }), { to: [ALICE_PRIVATE.email, ALICE_PRIVATE.name] });
    expect(r.responses.map((x) => x.status)).toEqual([4, 4]);
    expect(r.responses.flatMap((x) => x.recipients)).toEqual([]);
  });

  it('a contact with the address of a GAL entry is given once, from the GAL', async () => {
    const r = await resolve(server.client({ user: ALICE }), { to: [maria.email] });
    expect(r.responses[0]!.recipients).toEqual([{ type: 1, displayName: 'Maria Schmidt', emailAddress: maria.email }]);
  });
});

describe('ResolveRecipients options', () => {
  const alice = (): EasClient => server.client({ user: ALICE });

  it('CertificateRetrieval 2: Certificates Status 7 (none held), count 0; 1 asks none', async () => {
    const full = await resolve(alice(), { to: [maria.email], certificateRetrieval: 2 });
    expect(full.responses[0]!.recipients[0]!.certificates).toEqual({ status: 7, count: 0 });
    const none = await resolve(alice(), { to: [maria.email], certificateRetrieval: 1 });
    expect(none.responses[0]!.recipients[0]!.certificates).toBeUndefined();
  });

  it('Picture (14.1): the photo, or 174 over MaxSize, or 173 without one', async () => {
    const r = await resolve(alice(), { to: [maria.email, 'max.schmidt@example.test'], picture: {} });
    expect(r.responses[0]!.recipients[0]!.picture).toEqual({ status: 1, data: Buffer.from(maria.photo!) });
    expect(r.responses[1]!.recipients[0]!.picture).toEqual({ status: 173 });
    const small = await resolve(alice(), { to: [maria.email], picture: { maxSize: 10 } });
    expect(small.responses[0]!.recipients[0]!.picture).toEqual({ status: 174 });
  });

  it('Availability: MergedFreeBusy of a user with events, one digit per 30 minutes', async () => {
    const r = await resolve(alice(), { to: [BOB], availability: { startTime: formatIsoDate(at(8)), endTime: formatIsoDate(at(17)) } });
    const bob = r.responses[0]!.recipients[0]!;
    expect(bob.emailAddress).toBe(BOB);
    // 08:00 ... 16:30: busy 9-10, tentative 10-10:30, OOF 11-12, transparent and declined are free, the moved weekly 15-15:30.
    expect(bob.availability).toEqual({ status: 1, mergedFreeBusy: '002210330000002000' });
  });

  it('Availability through the LDAP GAL: the same calendar, the same answer', async () => {
    const r = await resolve(ldapServer.client({ user: ALICE }), { to: [BOB], availability: { startTime: formatIsoDate(at(8)), endTime: formatIsoDate(at(17)) } });
    expect(r.responses[0]!.recipients[0]!.availability).toEqual({ status: 1, mergedFreeBusy: '002210330000002000' });
  });

  it('Availability: someone without a calendar on this server gets "4" (no data) for every slot', async () => {
    const r = await resolve(alice(), { to: [maria.email], availability: { startTime: formatIsoDate(at(8)), endTime: formatIsoDate(at(10)) } });
    expect(r.responses[0]!.recipients[0]!.availability).toEqual({ status: 1, mergedFreeBusy: '4444' });
  });

  it('Availability: a window ending before it starts, or longer than 62 days, is Status 5', async () => {
    const back = await resolve(alice(), { to: [BOB], availability: { startTime: formatIsoDate(at(10)), endTime: formatIsoDate(at(9)) } });
    expect(back).toEqual({ status: 5, responses: [] });
    const long = await resolve(alice(), { to: [BOB], availability: { startTime: formatIsoDate(at(0)), endTime: formatIsoDate(at(0, 63)) } });
    expect(long.status).toBe(5);
  });

  it('Availability is not sent to a 12.1 device', async () => {
    const c = server.client({ user: ALICE, version: '12.1' });
    const res = await c.command('ResolveRecipients', resolveRecipientsRequest({ to: [maria.email] }));
    const r = readResolveRecipients(res.body);
    expect(r.responses[0]!.recipients[0]!.availability).toBeUndefined();
  });
});
