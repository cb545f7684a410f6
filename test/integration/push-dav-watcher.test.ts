/**
 * Issue 5 item 3, DAV side: CalDAV and CardDAV collections are watched by
 * polling their sync token (or ctag) on the real Radicale. The token moves
 * when an event or a contact is written; the poll watcher reports exactly
 * that; and through the push layer a request held on a `dav:` key wakes.
 * Failures come back as the backend error codes, never as a change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBackendError } from '../../backends/errors.ts';
import { davCollectionToken, tokenOf } from '../../backends/dav/collection-token.ts';
import { DavPollWatcher } from '../../backends/dav/poll-watcher.ts';
import { openDatabase } from '../../src/state/index.ts';
import { createPush, type Push } from '../../src/push/service.ts';
import { useStack } from '../harness/use-stack.ts';

const stack = useStack();
const ALICE = 'alice@example.test';
let calendar: string;
let addressBook: string;
const session = () => ({ user: ALICE, password: stack().user(ALICE).password });
const auth = () => `Basic ${Buffer.from(`${ALICE}:${stack().user(ALICE).password}`).toString('base64')}`;

async function put(collection: string, name: string, contentType: string, body: string): Promise<void> {
  const res = await fetch(`${collection}${name}`, { method: 'PUT', headers: { authorization: auth(), 'content-type': contentType }, body });
  await res.arrayBuffer();
  expect([201, 204]).toContain(res.status);
}

let n = 0;
const putEvent = (): Promise<void> => {
  const uid = `ev-${Date.now()}-${n++}`;
  return put(calendar, `${uid}.ics`, 'text/calendar; charset=utf-8', ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', 'DTSTART:20261210T100000Z', 'DTEND:20261210T110000Z', 'SUMMARY:Push test', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'));
};
const putContact = (): Promise<void> => {
  const uid = `c-${Date.now()}-${n++}`;
  return put(addressBook, `${uid}.vcf`, 'text/vcard; charset=utf-8', ['BEGIN:VCARD', 'VERSION:3.0', `UID:${uid}`, 'FN:Push Test', 'N:Test;Push;;;', 'END:VCARD', ''].join('\r\n'));
};

beforeAll(async () => {
  calendar = await stack().ensureCalendar(ALICE, 'pushcal');
  addressBook = await stack().ensureAddressBook(ALICE, 'pushbook');
});

describe('DAV collection tokens on Radicale', () => {
  it('a sync token that moves when an event or a contact is written, and only then', async () => {
    const token = davCollectionToken({ baseUrls: [stack().caldavUrl] });
    const path = new URL(calendar).pathname;
    const t0 = await token(session(), path);
    expect(t0.length).toBeGreaterThan(5);
    expect(await token(session(), calendar)).toBe(t0);
    await putEvent();
    const t1 = await token(session(), path);
    expect(t1).not.toBe(t0);
    const b0 = await token(session(), addressBook);
    await putContact();
    expect(await token(session(), addressBook)).not.toBe(b0);
    expect(await token(session(), path)).toBe(t1);
  });

  it('answers AuthFailed, NotFound and Forbidden (another origin) instead of a token', async () => {
    const token = davCollectionToken({ baseUrls: [stack().caldavUrl] });
    await expect(token({ user: ALICE, password: 'wrong' }, calendar)).rejects.toSatisfy((e: unknown) => isBackendError(e, 'AuthFailed'));
    await expect(token(session(), `${new URL(calendar).pathname}../no-such-collection/`)).rejects.toSatisfy((e: unknown) => isBackendError(e, 'NotFound'));
    await expect(token(session(), 'http://198.51.100.7/alice/cal/')).rejects.toSatisfy((e: unknown) => isBackendError(e, 'Forbidden'));
  });

  it('reads the ctag when a server has no sync token', () => {
    const ms = (props: string) => `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:response><d:href>/c/</d:href>${props}</d:response></d:multistatus>`;
    expect(tokenOf(ms('<d:propstat><d:prop><cs:getctag>"42"</cs:getctag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat><d:propstat><d:prop><d:sync-token/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>'))).toBe('"42"');
    expect(tokenOf(ms('<d:propstat><d:prop><d:sync-token>http://x/sync/7</d:sync-token><cs:getctag>"42"</cs:getctag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>'))).toBe('http://x/sync/7');
    expect(tokenOf(ms('<d:propstat><d:prop><cs:getctag/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>'))).toBeUndefined();
    expect(tokenOf('not xml <<<')).toBeUndefined();
  });
});

describe('DAV poll watcher on Radicale', () => {
  it('reports a write to a watched calendar, and nothing while it is quiet', async () => {
    const changes: string[] = [];
    const w = new DavPollWatcher({ token: davCollectionToken({ baseUrls: [stack().caldavUrl] }), intervalMs: 100 });
    const path = new URL(calendar).pathname;
    const h = await w.watch(session(), [path, new URL(addressBook).pathname], (p) => changes.push(p));
    try {
      await new Promise((r) => setTimeout(r, 400));
      expect(changes).toEqual([]);
      await putEvent();
      for (let i = 0; i < 50 && changes.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(changes).toEqual([path]);
    } finally {
      await h.close();
    }
  });
});

describe('push on DAV collections', () => {
  let push: Push;
  beforeAll(() => {
    push = createPush({ db: openDatabase(':memory:'), imap: { host: stack().imap.host, port: stack().imap.port, secure: false }, davUrls: [stack().caldavUrl], config: { davPollMs: 100, watcherLingerMs: 100 } });
  });
  afterAll(async () => {
    await push?.shutdown();
  });

  it('wakes a request held on a dav: key when a contact is written', async () => {
    const key = `dav:${new URL(addressBook).pathname}`;
    const held = push.hub.hold({ mailbox: ALICE, deviceId: 'dav-phone', session: session(), keys: [key], heartbeatMs: 10_000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(push.hub.isHeld(ALICE, 'dav-phone')).toBe(true);
    await putContact();
    await expect(held).resolves.toEqual({ reason: 'changed', changed: [key] });
  });
});
