/**
 * The dev stack itself: proves that the real servers integration tests rely on
 * behave as those tests assume (IMAP extensions, LMTP, SMTP AUTH + delivery,
 * CalDAV/CardDAV collections, restart keeping data).
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { startStack } from '../../src/devstack/stack.ts';
import { basicAuth } from '../../src/devstack/radicale.ts';
import { lmtpDeliver } from '../../src/devstack/lmtp.ts';
import { bigAttachmentMessage, seedMailbox } from '../../src/devstack/seed.ts';
import { simpleMessage, useStack, type Stack } from '../harness/use-stack.ts';

const SMTP_LIMIT = 1024 * 1024;
const stack = useStack({ smtpMaxSize: SMTP_LIMIT });

async function inboxSubjects(s: Stack, user: string, folder = 'INBOX'): Promise<string[]> {
  const c = await s.imapClient(user);
  try {
    const lock = await c.getMailboxLock(folder);
    try {
      const out: string[] = [];
      if ((c.mailbox && c.mailbox.exists) === 0) return out;
      for await (const m of c.fetch('1:*', { envelope: true })) out.push(m.envelope?.subject ?? '');
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await c.logout();
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

async function dav(s: Stack, user: string, method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method, body, headers: { authorization: basicAuth(s.user(user)), ...headers } });
  return { status: res.status, text: await res.text() };
}

describe('dev stack: IMAP', () => {
  it('accepts the right password and refuses a wrong one', async () => {
    const s = stack();
    const ok = await s.imapClient('alice@example.test');
    expect(ok.authenticated).not.toBe(false);
    expect(ok.usable).toBe(true);
    await ok.logout();
    const bad = new ImapFlow({ host: s.imap.host, port: s.imap.port, secure: false, logger: false, auth: { user: 'alice@example.test', pass: 'wrong' } });
    await expect(bad.connect()).rejects.toThrow();
  });

  it('advertises IDLE, CONDSTORE, QRESYNC and SPECIAL-USE and the special folders', async () => {
    const c = await stack().imapClient();
    try {
      for (const cap of ['IDLE', 'CONDSTORE', 'QRESYNC', 'SPECIAL-USE', 'UIDPLUS', 'MOVE']) expect(c.capabilities.has(cap), cap).toBe(true);
      const uses = Object.fromEntries((await c.list()).map((f) => [f.path, f.specialUse ?? null]));
      expect(uses).toMatchObject({ INBOX: '\\Inbox', Drafts: '\\Drafts', Sent: '\\Sent', Trash: '\\Trash', Junk: '\\Junk', Archive: '\\Archive' });
    } finally {
      await c.logout();
    }
  });

  it('delivers over LMTP into the INBOX, dot-stuffed lines intact', async () => {
    const s = stack();
    await s.deliver('bob@example.test', simpleMessage({ subject: 'lmtp hello', body: '.leading dot\r\n..two dots' }));
    expect(await inboxSubjects(s, 'bob@example.test')).toContain('lmtp hello');
    const c = await s.imapClient('bob@example.test');
    try {
      await c.mailboxOpen('INBOX');
      const m = await c.fetchOne('*', { source: true });
      expect(m && m.source?.toString()).toContain('\r\n.leading dot\r\n..two dots');
    } finally {
      await c.logout();
    }
  });

  it('refuses LMTP delivery to an unknown user but still delivers to the known one', async () => {
    const s = stack();
    const results = await lmtpDeliver(s.lmtp, { recipients: ['nobody@example.test', 'alice@example.test'], raw: simpleMessage({ subject: 'mixed rcpt' }) });
    expect(results.map((r) => [r.recipient, r.ok])).toEqual([
      ['nobody@example.test', false],
      ['alice@example.test', true],
    ]);
    expect(results[0]!.reply).toMatch(/^550/);
    expect(await inboxSubjects(s, 'alice@example.test')).toContain('mixed rcpt');
  });

  it('appends with flags and keywords and returns the UID', async () => {
    const s = stack();
    const r = await s.appendMessage('alice@example.test', 'Archive', simpleMessage({ subject: 'appended' }), ['\\Seen', '\\Flagged', 'Project'], new Date('2024-02-03T04:05:06Z'));
    expect(r.uid).toBeGreaterThan(0);
    const c = await s.imapClient('alice@example.test');
    try {
      await c.mailboxOpen('Archive');
      const m = await c.fetchOne(String(r.uid), { flags: true, internalDate: true }, { uid: true });
      expect(m && [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort()).toEqual(['Project', '\\Flagged', '\\Seen']);
      expect(m && new Date(m.internalDate!).toISOString()).toBe('2024-02-03T04:05:06.000Z');
    } finally {
      await c.logout();
    }
  });

  it('lets a user added while running log in to IMAP and DAV', async () => {
    const s = stack();
    // Log in (and fail) first, so that Dovecot has just read its user file.
    await expect(s.imapClient({ name: 'carol@example.test', password: 'x' })).rejects.toThrow(/unknown stack user/);
    const probe = new ImapFlow({ host: s.imap.host, port: s.imap.port, secure: false, logger: false, auth: { user: 'carol@example.test', pass: 'carol-secret' } });
    await expect(probe.connect()).rejects.toThrow();
    await s.addUser('carol@example.test', 'carol-secret');
    const c = await s.imapClient('carol@example.test');
    await c.logout();
    const r = await dav(s, 'carol@example.test', 'PROPFIND', `${s.caldavUrl}carol@example.test/`, undefined, { depth: '0' });
    expect(r.status).toBe(207);
  });
});

describe('dev stack: SMTP sink', () => {
  it('with AUTH, records the message and delivers it to the local recipient only', async () => {
    const s = stack();
    const t = nodemailer.createTransport({ host: s.smtp.host, port: s.smtp.port, secure: false, auth: { user: 'alice@example.test', pass: 'alice-secret' } });
    await t.sendMail({ envelope: { from: 'alice@example.test', to: ['bob@example.test', 'stranger@elsewhere.test'] }, raw: simpleMessage({ subject: 'via smtp', to: 'bob@example.test' }) });
    const m = await s.smtpSink.waitForMessage((x) => x.raw.toString().includes('Subject: via smtp'));
    expect(m.user).toBe('alice@example.test');
    expect(m.to).toEqual(['bob@example.test', 'stranger@elsewhere.test']);
    expect(m.deliveries.map((d) => [d.recipient, d.ok])).toEqual([['bob@example.test', true]]);
    expect(await inboxSubjects(s, 'bob@example.test')).toContain('via smtp');
    t.close();
  });

  it('refuses a wrong password and a message over the size limit', async () => {
    const s = stack();
    const bad = nodemailer.createTransport({ host: s.smtp.host, port: s.smtp.port, secure: false, auth: { user: 'alice@example.test', pass: 'nope' } });
    await expect(bad.sendMail({ from: 'alice@example.test', to: 'bob@example.test', text: 'x' })).rejects.toMatchObject({ responseCode: 535 });
    const t = nodemailer.createTransport({ host: s.smtp.host, port: s.smtp.port, secure: false, auth: { user: 'alice@example.test', pass: 'alice-secret' } });
    const big = simpleMessage({ subject: 'too big', body: 'x'.repeat(76).concat('\r\n').repeat(Math.ceil((SMTP_LIMIT * 1.5) / 78)) });
    await expect(t.sendMail({ envelope: { from: 'alice@example.test', to: ['bob@example.test'] }, raw: big })).rejects.toMatchObject({ responseCode: 552 });
    bad.close();
    t.close();
  });
});

describe('dev stack: Radicale', () => {
  it('creates a calendar, stores an event and finds it with a calendar-query REPORT', async () => {
    const s = stack();
    const url = await s.ensureCalendar('alice@example.test', 'work', 'Work');
    expect(await s.ensureCalendar('alice@example.test', 'work')).toBe(url);
    const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//devstack//EN', 'BEGIN:VEVENT', 'UID:ev-1@devstack', 'DTSTAMP:20240101T000000Z', 'DTSTART:20240102T100000Z', 'DTEND:20240102T110000Z', 'SUMMARY:Standup', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    const put = await dav(s, 'alice@example.test', 'PUT', `${url}ev-1.ics`, ics, { 'content-type': 'text/calendar; charset=utf-8' });
    expect(put.status).toBe(201);
    const report = await dav(
      s,
      'alice@example.test',
      'REPORT',
      url,
      `<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>`,
      { depth: '1', 'content-type': 'application/xml' },
    );
    expect(report.status).toBe(207);
    expect(report.text).toContain('SUMMARY:Standup');
    expect(report.text).toContain('ev-1.ics');
  });

  it('creates a task list and an address book with the right resource types', async () => {
    const s = stack();
    const tasks = await s.ensureTaskList('bob@example.test', 'tasks', 'Tasks');
    const book = await s.ensureAddressBook('bob@example.test', 'contacts', 'Contacts');
    const body = `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:resourcetype/><C:supported-calendar-component-set/></D:prop></D:propfind>`;
    const t = await dav(s, 'bob@example.test', 'PROPFIND', tasks, body, { depth: '0' });
    expect(t.text).toMatch(/<[A-Za-z0-9]*:?calendar\s*\/>/);
    expect(t.text).toContain('VTODO');
    expect(t.text).not.toContain('VEVENT');
    const b = await dav(s, 'bob@example.test', 'PROPFIND', book, body, { depth: '0' });
    expect(b.text).toMatch(/addressbook\s*\/>/);
  });

  it('refuses a wrong password and another user’s collection', async () => {
    const s = stack();
    const bad = await fetch(`${s.caldavUrl}alice@example.test/`, { method: 'PROPFIND', headers: { depth: '0', authorization: basicAuth({ name: 'alice@example.test', password: 'wrong' }) } });
    expect(bad.status).toBe(401);
    const other = await dav(s, 'bob@example.test', 'PROPFIND', `${s.caldavUrl}alice@example.test/`, undefined, { depth: '0' });
    expect(other.status).toBe(403);
  });
});

describe('dev stack: seed data', () => {
  it('seeds mail into several folders with flags, and DAV objects that REPORT finds', async () => {
    const s = stack();
    const r = await seedMailbox(s, 'bob@example.test', { count: 30, seed: 3, folders: ['INBOX', 'Archive', 'Projects/Alpha'], now: new Date('2024-06-15T12:00:00Z') });
    expect(r.messages).toHaveLength(30);
    const c = await s.imapClient('bob@example.test');
    try {
      for (const folder of ['Archive', 'Projects/Alpha']) {
        const placed = r.messages.filter((m) => m.folder === folder);
        expect(placed.length, folder).toBeGreaterThan(0);
        const st = await c.status(folder, { messages: true });
        expect(st && st.messages).toBe(placed.length);
      }
      const flagged = r.messages.find((m) => m.folder === 'INBOX' && m.flags.includes('\\Flagged'))!;
      await c.mailboxOpen('INBOX');
      const m = await c.fetchOne(String(flagged.uid), { flags: true, envelope: true }, { uid: true });
      expect(m && m.flags?.has('\\Flagged')).toBe(true);
      expect(m && m.envelope?.messageId).toBe(flagged.messageId);
    } finally {
      await c.logout();
    }
    const report = await dav(s, 'bob@example.test', 'REPORT', r.addressBookUrl!, `<?xml version="1.0"?><CR:addressbook-query xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><CR:address-data/></D:prop></CR:addressbook-query>`, { depth: '1', 'content-type': 'application/xml' });
    expect(report.text).toContain('FN:Иван Петров');
    expect(r.events).toHaveLength(4);
    expect(r.tasks).toHaveLength(2);
  });

  it('takes a 10 MB attachment through LMTP intact', async () => {
    const s = stack();
    const raw = bigAttachmentMessage(10 * 1024 * 1024, { subject: 'ten megabytes', to: 'alice@example.test' });
    await s.deliver('alice@example.test', raw);
    const c = await s.imapClient('alice@example.test');
    try {
      await c.mailboxOpen('INBOX');
      const uids = await c.search({ subject: 'ten megabytes' }, { uid: true });
      expect(uids).toHaveLength(1);
      const m = await c.fetchOne(String((uids as number[])[0]), { bodyStructure: true }, { uid: true });
      const part = m ? m.bodyStructure?.childNodes?.[1] : undefined;
      expect(part && part.type).toBe('application/octet-stream');
      // base64 of 10 MiB in 76-char lines.
      expect(part && part.size).toBeGreaterThan(14_000_000);
    } finally {
      await c.logout();
    }
  });
});

describe('dev stack: TLS mode', () => {
  it('serves IMAPS with its own certificate, which default verification refuses', async () => {
    const t = await startStack({ tls: true });
    try {
      expect(t.imaps?.url).toMatch(/^imaps:\/\/127\.0\.0\.1:\d+$/);
      const auth = { user: 'alice@example.test', pass: 'alice-secret' };
      const trusted = new ImapFlow({ host: t.imaps!.host, port: t.imaps!.port, secure: true, logger: false, auth, tls: { ca: [t.tlsCa!] } });
      await trusted.connect();
      expect(trusted.secureConnection).toBe(true);
      await trusted.logout();
      const untrusted = new ImapFlow({ host: t.imaps!.host, port: t.imaps!.port, secure: true, logger: false, auth });
      await expect(untrusted.connect()).rejects.toThrow(/self[- ]signed|certificate/i);
      // The plain port now upgrades with STARTTLS; the stack's own client trusts the certificate.
      const viaStarttls = await t.imapClient('alice@example.test');
      expect(viaStarttls.secureConnection).toBe(true);
      await viaStarttls.logout();
    } finally {
      await t.stop();
    }
  });
});

describe('dev stack: lifecycle', () => {
  it('restartDovecot keeps the mail and serves on the same port', async () => {
    const s = stack();
    await s.deliver('alice@example.test', simpleMessage({ subject: 'survives restart' }));
    await s.restartDovecot();
    expect(await inboxSubjects(s, 'alice@example.test')).toContain('survives restart');
  });

  it('stopDovecot makes IMAP refuse connections until startDovecot', async () => {
    const s = stack();
    await s.stopDovecot();
    try {
      expect(await refused(s.imap.port)).toBe(true);
    } finally {
      await s.startDovecot();
    }
    expect(await refused(s.imap.port)).toBe(false);
  });

  it('fails to start, naming the log, when a fixed port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(startStack({ ports: { imap: taken } })).rejects.toThrow(/dovecot/);
    } finally {
      blocker.close();
    }
  });

  it('stop() ends every server of a stack', async () => {
    const other = await startStack({ users: [{ name: 'dave', password: 'dave-secret' }] });
    const ports = [other.imap.port, other.lmtp.port, other.smtp.port, Number(new URL(other.caldavUrl).port)];
    for (const p of ports) expect(await refused(p)).toBe(false);
    await other.stop();
    for (const p of ports) expect(await refused(p), `port ${p}`).toBe(true);
  });
});
