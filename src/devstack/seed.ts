/**
 * Fills a dev-stack mailbox with varied, deterministic data: mail in the
 * INBOX and other folders (see seed-messages.ts for the kinds), plus a
 * calendar, a task list and an address book on Radicale.
 */
import { basicAuth } from './radicale.ts';
import { seedContacts, seedEvents, seedTasks, type DavObject } from './seed-dav.ts';
import { generateMessages, prng, type SeedMessage } from './seed-messages.ts';
import type { Stack, UserRef } from './stack.ts';

export { bigAttachmentMessage, generateMessages, TINY_PNG, type SeedKind, type SeedMessage } from './seed-messages.ts';

export interface SeedOptions {
  /** Number of messages (default 50). */
  readonly count?: number;
  /** Folders to fill; INBOX gets about 70 %, the rest share the others. Missing folders are created. Default INBOX, Sent, Archive, Projects/Alpha. */
  readonly folders?: readonly string[];
  readonly seed?: number;
  /** Newest message date (default today 12:00 UTC). */
  readonly now?: Date;
  /** Also create and fill calendar `calendar`, task list `tasks` and address book `contacts` (default true). */
  readonly dav?: boolean;
}

/** Where each message landed. */
export interface SeededMessage extends SeedMessage {
  readonly folder: string;
  readonly uid: number;
}

export interface SeedResult {
  readonly messages: readonly SeededMessage[];
  readonly calendarUrl?: string;
  readonly taskListUrl?: string;
  readonly addressBookUrl?: string;
  /** Object URLs by kind, as PUT. */
  readonly events: readonly string[];
  readonly tasks: readonly string[];
  readonly contacts: readonly string[];
}

const DEFAULT_FOLDERS = ['INBOX', 'Sent', 'Archive', 'Projects/Alpha'];

async function putAll(collection: string, auth: string, objects: readonly DavObject[], contentType: string): Promise<string[]> {
  const urls: string[] = [];
  for (const o of objects) {
    const url = `${collection}${o.name}`;
    const res = await fetch(url, { method: 'PUT', headers: { authorization: auth, 'content-type': contentType }, body: o.body });
    await res.arrayBuffer();
    if (res.status !== 201 && res.status !== 204) throw new Error(`PUT ${url} failed: HTTP ${res.status}`);
    urls.push(url);
  }
  return urls;
}

/** Appends generated mail (and DAV objects) for `user`; deterministic for a given seed and `now`. */
export async function seedMailbox(stack: Stack, userRef: UserRef, opts: SeedOptions = {}): Promise<SeedResult> {
  const user = stack.user(typeof userRef === 'string' ? userRef : userRef.name);
  const now = opts.now ?? new Date(new Date().toISOString().slice(0, 10) + 'T12:00:00Z');
  const seed = opts.seed ?? 1;
  const msgs = generateMessages({ count: opts.count ?? 50, seed, now, owner: user.name });
  const folders = opts.folders ?? DEFAULT_FOLDERS;
  const others = folders.filter((f) => f !== 'INBOX');
  const rnd = prng(seed ^ 0x5eed);
  const out: SeededMessage[] = [];
  const client = await stack.imapClient(user);
  try {
    const existing = new Set((await client.list()).map((f) => f.path));
    for (const f of others) if (!existing.has(f)) await client.mailboxCreate(f);
    for (const m of msgs) {
      // Threads and meeting requests stay in the INBOX where clients look for them.
      const inbox = !folders.includes('INBOX') ? false : others.length === 0 || m.kind === 'thread' || m.kind === 'meeting' || rnd() < 0.7;
      const folder = inbox ? 'INBOX' : others[Math.floor(rnd() * others.length)]!;
      let flags = [...m.flags];
      if (/draft/i.test(folder)) flags = ['\\Draft', '\\Seen'];
      else if (/sent/i.test(folder) && !flags.includes('\\Seen')) flags.push('\\Seen');
      const res = await client.append(folder, m.raw, flags, m.date);
      if (!res || res.uid === undefined) throw new Error(`APPEND to ${folder} returned no UID`);
      out.push({ ...m, flags, folder, uid: res.uid });
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  if (opts.dav === false) return { messages: out, events: [], tasks: [], contacts: [] };

  const auth = basicAuth(user);
  const calendarUrl = await stack.ensureCalendar(user, 'calendar', 'Calendar');
  const taskListUrl = await stack.ensureTaskList(user, 'tasks', 'Tasks');
  const addressBookUrl = await stack.ensureAddressBook(user, 'contacts', 'Contacts');
  return {
    messages: out,
    calendarUrl,
    taskListUrl,
    addressBookUrl,
    events: await putAll(calendarUrl, auth, seedEvents(now, user.name), 'text/calendar; charset=utf-8'),
    tasks: await putAll(taskListUrl, auth, seedTasks(now), 'text/calendar; charset=utf-8'),
    contacts: await putAll(addressBookUrl, auth, seedContacts(), 'text/vcard; charset=utf-8'),
  };
}
