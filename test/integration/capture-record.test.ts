/**
 * Issue 11, the recording half: eas-admin capture start|stop|list and the
 * recorder writing a real client session against the real stack (Dovecot,
 * Radicale, SMTP sink) into capture files, redacted by default.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AdminOperations } from '../../src/admin/operations.ts';
import type { CaptureExchange, CaptureFile } from '../../src/capture/format.ts';
import { hashAddress } from '../../src/capture/redact.ts';
import { replayMain } from '../../src/capture/replay/cli.ts';
import { adminMain } from '../../src/cli/admin.ts';
import type { EasClient } from '../../src/client/index.ts';
import { bodyOptions, initialSync, setUpPhone, syncOne } from '../../src/client/sync-session.ts';
import { contactToApplicationData } from '../../protocol/types/contact.ts';
import { el } from '../../protocol/wbxml/tree.ts';
import { simpleMessage, useStack } from '../harness/use-stack.ts';
import { startTestServer, type TestServer } from './server-setup.ts';

const stack = useStack();
const USER = 'alice@example.test';
/** The mailbox a recorded session is replayed into: seeded like USER's, on a fresh server. */
const REPLAY_USER = 'bob@example.test';
const SENDER = 'dora.sender@example.test';
const CONTACT = 'zed.contact@example.test';
const BODY = 'PRIVATE-BODY-TEXT';
const SENT_BODY = 'SENT-BODY-SECRET';
const DEVICE_PW = 'hunter2-device-pw';
let server: TestServer;
let dir: string;
let ops: AdminOperations;
const auditLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eas-capture-'));
  const s = stack();
  for (const user of [USER, REPLAY_USER]) {
    for (let i = 0; i < 3; i++) await s.appendMessage(user, 'INBOX', simpleMessage({ subject: `Capture ${i}`, from: `Dora <${SENDER}>`, body: `${BODY} ${i}` }));
    await s.ensureAddressBook(user, 'contacts', 'Contacts');
  }
  server = await startTestServer(s, { env: { EAS_CAPTURE_DIR: dir, EAS_PING_MIN_HEARTBEAT: 1 } });
  ops = new AdminOperations(server.services.db, server.services.repos, { actor: 'test:capture' }, (l) => auditLines.push(l));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The capture files of a device, parsed, with their text. */
function filesOf(deviceId: string, folder = dir): { file: CaptureFile; text: string; name: string }[] {
  return readdirSync(folder)
    .filter((f) => f.includes(`_${deviceId}`) && f.endsWith('.json'))
    .map((name) => {
      const text = readFileSync(join(folder, name), 'utf8');
      return { file: JSON.parse(text) as CaptureFile, text, name };
    });
}

const commandOf = (x: CaptureExchange): string => x.decodedQuery?.command ?? x.method;
/** Every address in a text that is not a hashed one. */
const realAddresses = (text: string): string[] => (text.match(/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*/g) ?? []).filter((a) => !a.endsWith('@redacted.invalid'));
const devicePassword = () => el('Settings', 'Settings', [el('Settings', 'DevicePassword', [el('Settings', 'Password', DEVICE_PW)])]);

function mime(subject: string, body: string): Buffer {
  return Buffer.from([`From: ${USER}`, 'To: bob@example.test', `Subject: ${subject}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n'));
}

/** A session as a phone has it: OPTIONS, Provision, Settings, FolderSync, Syncs with an Add, SendMail (both forms), a short Ping. */
async function session(c: EasClient): Promise<{ commands: string[]; inbox: string }> {
  const commands: string[] = [];
  expect((await c.options()).status).toBe(200);
  commands.push('OPTIONS');
  await c.provision();
  commands.push('Provision', 'Provision');
  expect((await c.command('Settings', devicePassword())).status).toBe(200);
  commands.push('Settings');
  const { byType, byName } = await setUpPhone(c);
  commands.push('Provision', 'Provision', 'FolderSync');
  const inbox = byType.get(2)!;
  const mail = await initialSync(c, inbox, { options: bodyOptions(2, 10_000) });
  expect(mail.changes).toHaveLength(3);
  commands.push('Sync', ...Array.from({ length: mail.rounds }, () => 'Sync'));
  const contacts = byName.get('Contacts')!;
  const book = await initialSync(c, contacts);
  commands.push('Sync', ...Array.from({ length: book.rounds }, () => 'Sync'));
  const appData = el('AirSync', 'ApplicationData', contactToApplicationData({ firstName: 'Zed', lastName: 'Contact', email1Address: CONTACT, picture: Buffer.from('PICTURE-BYTES').toString('base64') }, '14.1'));
  const add = await syncOne(c, { collectionId: contacts, syncKey: book.syncKey, commands: [{ kind: 'Add', clientId: 'z1', applicationData: appData }] });
  expect(add.responses.map((r) => r.status)).toEqual([1]);
  commands.push('Sync');
  const CM = 'ComposeMail';
  const sent = await c.command('SendMail', el(CM, 'SendMail', [el(CM, 'ClientId', `cap-${Date.now()}`), el(CM, 'Mime', mime('capture send', SENT_BODY))]));
  expect(sent.status).toBe(200);
  commands.push('SendMail');
  // 12.x form: the message itself as the body (message/rfc822), not WBXML.
  const sent12 = await c.command('SendMail', undefined, { rawBody: mime('capture send 12', `${SENT_BODY} 12`), params: { SaveInSent: 'T' }, headers: { 'Content-Type': 'message/rfc822' } });
  expect(sent12.status).toBe(200);
  commands.push('SendMail');
  const ping = await c.ping({ heartbeatInterval: 2, folders: [{ id: inbox, class: 'Email' }] });
  expect(ping.status).toBe(200);
  commands.push('Ping');
  return { commands, inbox };
}

describe('a recorded session, redacted (the default)', () => {
  let file: CaptureFile;
  let text: string;
  let name: string;
  let commands: string[];

  beforeAll(async () => {
    const deviceId = 'capRedacted1';
    ops.captureStart(USER, deviceId);
    const c = server.client({ deviceId, version: '14.1' });
    // Another device of the same mailbox, not recorded.
    const other = server.client({ deviceId: 'capOther1', version: '14.1' });
    await other.provision();
    ({ commands } = await session(c));
    await server.app.capture.idle();
    expect(ops.captureStop(USER, deviceId)).toHaveLength(1);
    const files = filesOf(deviceId);
    expect(files).toHaveLength(1);
    ({ file, text, name } = files[0]!);
    expect(filesOf('capOther1')).toEqual([]);
  }, 60_000);

  it('has every exchange in order, with command, status, XML and duration', () => {
    expect(file).toMatchObject({ format: 'eas-capture/1', source: 'recorded by eas-server', mailbox: hashAddress(USER), deviceId: 'capRedacted1', deviceType: 'TestPhone', redaction: { bodies: false, addresses: 'hashed' } });
    expect(file.exchanges.map(commandOf)).toEqual(commands);
    for (const x of file.exchanges) {
      expect(x.response.status).toBe(200);
      expect(x.durationMs).toBeGreaterThanOrEqual(0);
      expect(Number.isNaN(Date.parse(x.at))).toBe(false);
      if (x.method === 'POST') expect(x.requestHeaders['MS-ASProtocolVersion']).toBe('14.1');
    }
    const options = file.exchanges[0]!;
    expect(options.response.headers['MS-ASProtocolVersions']).toContain('14.1');
    const folderSync = file.exchanges.find((x) => commandOf(x) === 'FolderSync')!;
    expect(folderSync.request?.xml).toContain('<SyncKey>0</SyncKey>');
    // Nothing in it was redacted, so the exact bytes are kept for replay.
    expect(folderSync.request?.wbxml).toBeDefined();
    expect(folderSync.response.body?.xml).toContain('<Status>1</Status>');
    const ping = file.exchanges.at(-1)!;
    expect(ping.response.body?.xml).toContain('<Status>1</Status>');
    expect(ping.durationMs).toBeGreaterThanOrEqual(1500);
  });

  it('holds no password, no Authorization, no body text and no real address', () => {
    expect(text).not.toContain(stack().user(USER).password);
    expect(text).not.toContain(DEVICE_PW);
    expect(text).not.toMatch(/authorization|Basic [A-Za-z0-9+/=]{8}/i);
    expect(text).not.toContain(BODY);
    expect(text).not.toContain(SENT_BODY);
    expect(text).not.toContain('PICTURE-BYTES');
    expect(text).not.toContain(Buffer.from('PICTURE-BYTES').toString('base64'));
    expect(realAddresses(text)).toEqual([]);
    expect(text).not.toMatch(/example\.test|alice%40/i);
  });

  it('bodies read "[redacted N bytes]" and their WBXML is left out; a 12.x MIME body is type and size', () => {
    const syncs = file.exchanges.filter((x) => x.response.body?.xml?.includes('<email:Subject>Capture'));
    expect(syncs.length).toBeGreaterThan(0);
    for (const x of syncs) {
      expect(x.response.body!.xml).toMatch(/<airsyncbase:Data>\[redacted \d+ bytes\]<\/airsyncbase:Data>/);
      expect(x.response.body!.wbxml).toBeUndefined();
    }
    const sends = file.exchanges.filter((x) => commandOf(x) === 'SendMail');
    expect(sends[0]!.request?.xml).toMatch(/<Mime>\[redacted \d+ bytes\]<\/Mime>/);
    expect(sends[0]!.request?.wbxml).toBeUndefined();
    expect(sends[1]!.request).toEqual({ contentType: 'message/rfc822', size: expect.any(Number) });
    const settings = file.exchanges.find((x) => commandOf(x) === 'Settings')!;
    expect(settings.request?.xml).toMatch(/<Password>\[redacted 17 bytes\]<\/Password>/);
    const add = file.exchanges.find((x) => x.request?.xml?.includes('<Add>'))!;
    expect(add.request!.xml).toMatch(/<contacts:Picture>\[redacted \d+ bytes\]<\/contacts:Picture>/);
  });

  it('hashes the same address to the same value everywhere: mailbox, query User, XML', () => {
    const alice = hashAddress(USER);
    expect(file.mailbox).toBe(alice);
    const posts = file.exchanges.filter((x) => x.method === 'POST');
    expect(new Set(posts.map((x) => x.decodedQuery?.user))).toEqual(new Set([alice]));
    for (const x of posts) expect(decodeURIComponent(x.query)).toContain(`User=${alice}`);
    const mailXml = file.exchanges.map((x) => x.response.body?.xml ?? '').filter((x) => x.includes('<email:Subject>Capture')).join('');
    // Each of the three messages names its sender (From, and ReplyTo taken from it) and its recipient.
    const fromLines = mailXml.match(/<email:From>[^<]*<\/email:From>/g) ?? [];
    expect(fromLines).toEqual(Array(3).fill(`<email:From>"Dora" &lt;${hashAddress(SENDER)}&gt;</email:From>`));
    expect(mailXml.match(/<email:To>[^<]*<\/email:To>/g)).toEqual(Array(3).fill(`<email:To>${alice}</email:To>`));
    expect(text).toContain(hashAddress(CONTACT));
  });

  it('replays as it is, redacted, into another mailbox on a fresh server with no failed and no unbound step', async () => {
    // A fresh server (its own state database) that never saw the device; the same Ping heartbeat floor as the recording one.
    // The recorded mail went to someone else, so the stand-ins do too (--mail-to): mailed to self, they would reach
    // the INBOX the closing Ping watches, and it would rightly answer 2 where the recording had 1.
    const fresh = await startTestServer(stack(), { env: { EAS_PING_MIN_HEARTBEAT: 1 } });
    const sentBy = () => stack().smtpSink.messages.filter((m) => m.from === REPLAY_USER).length;
    const sentBefore = sentBy();
    try {
      let out = '';
      let err = '';
      const argv = ['--url', fresh.url, '--user', REPLAY_USER, '--password', stack().user(REPLAY_USER).password, '--mail-to', 'carol.elsewhere@example.test', join(dir, name)];
      const code = await replayMain(argv, { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`) });
      expect(err).toBe('');
      expect(out, out).toMatch(/ 0 failed, 0 unbound\n$/);
      expect(out.trimEnd().split('\n').pop()).toBe(`${file.exchanges.length} steps ok, 0 failed, 0 unbound`);
      expect(code).toBe(0);
      // One new device of the replayed mailbox, and both SendMails went out (their redacted MIME replaced by a stand-in message).
      expect(fresh.services.repos.devices.list(REPLAY_USER)).toHaveLength(1);
      const sent = stack().smtpSink.messages.filter((m) => m.from === REPLAY_USER).slice(sentBefore);
      expect(sent.map((m) => m.to)).toEqual([['carol.elsewhere@example.test'], ['carol.elsewhere@example.test']]);

      // The same recording with one answer changed (the FolderSync said Status 2): that step fails, and says why; exit code 1.
      const changed = structuredClone(file);
      const fsIndex = changed.exchanges.findIndex((x) => commandOf(x) === 'FolderSync');
      const body = changed.exchanges[fsIndex]!.response.body! as { xml?: string; wbxml?: string };
      body.xml = body.xml!.replace('<Status>1</Status>', '<Status>2</Status>');
      delete body.wbxml;
      const changedPath = join(dir, 'changed', 'session.json');
      mkdirSync(join(dir, 'changed'));
      writeFileSync(changedPath, JSON.stringify(changed));
      out = '';
      const code2 = await replayMain([...argv.slice(0, -1), changedPath], { out: (l) => (out += `${l}\n`), err: () => undefined });
      // (The contacts Sync also differs now: the first replay added its contact to this book. Only the FolderSync row is the point.)
      expect(code2).toBe(1);
      const row = out.split('\n').find((l) => l.startsWith(`${fsIndex + 1} `));
      expect(row).toMatch(/FolderSync\s+200\s+failed\s+FolderSync: Status at FolderSync\/Status was 1, expected 2/);
    } finally {
      await fresh.stop();
      fresh.cleanup();
    }
  }, 60_000);

  it('start and stop are audited', () => {
    const rows = server.services.repos.audit.list({ mailboxes: [USER] }).filter((r) => r.deviceId === 'capRedacted1');
    expect(rows.map((r) => [r.action, r.actor])).toEqual([
      ['capture.stop', 'test:capture'],
      ['capture.start', 'test:capture'],
    ]);
    expect(auditLines.map((l) => l.event)).toEqual(expect.arrayContaining(['audit.capture.start', 'audit.capture.stop']));
  });
});

describe('recording with --bodies', () => {
  it('keeps bodies, MIME and addresses, and still drops the passwords and the Authorization header', async () => {
    const deviceId = 'capBodies1';
    ops.captureStart(USER, deviceId, { bodies: true });
    const c = server.client({ deviceId, version: '14.1' });
    const { byType } = await setUpPhone(c);
    await c.command('Settings', devicePassword());
    await initialSync(c, byType.get(2)!, { options: bodyOptions(2, 10_000) });
    await server.app.capture.idle();
    ops.captureStop(USER, deviceId);
    const [f] = filesOf(deviceId);
    expect(f!.name).toMatch(/_bodies\.json$/);
    expect(f!.file).toMatchObject({ mailbox: USER, redaction: { bodies: true, addresses: 'kept' } });
    expect(f!.text).toContain(`${BODY} 0`);
    expect(f!.text).toContain(SENDER);
    expect(f!.text).not.toContain(DEVICE_PW);
    expect(f!.text).not.toContain(stack().user(USER).password);
    expect(f!.text).not.toMatch(/authorization/i);
    // Sync answers hide nothing here: their WBXML is kept for exact replay.
    const sync = f!.file.exchanges.find((x) => x.response.body?.xml?.includes(BODY))!;
    expect(Buffer.from(sync.response.body!.wbxml!, 'base64').includes(Buffer.from(BODY))).toBe(true);
  });
});

describe('eas-admin capture', () => {
  const admin = (...argv: string[]) => {
    let out = '';
    let log = '';
    const code = adminMain(['--db', server.dbFile, ...argv], (s) => (out += `${s}\n`), (s) => (log += `${s}\n`));
    return { code, out, log };
  };

  it('start --for records from another process until the time is up; list shows it meanwhile', async () => {
    const deviceId = 'capTimed1';
    const started = Date.now();
    const r = admin('capture', 'start', USER, deviceId, '--for', '3s');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^recording alice@example\.test device capTimed1 until \S+, redacted$/m);
    expect(r.log).toContain('"event":"audit.capture.start"');
    const listed = JSON.parse(admin('--json', 'capture', 'list').out);
    expect(listed).toEqual([expect.objectContaining({ mailbox: USER, deviceId, bodies: false, until: expect.any(Number) })]);
    // The server reads the table again at most once per second.
    await new Promise((res) => setTimeout(res, 1100));
    const c = server.client({ deviceId, version: '14.1' });
    await c.provision();
    expect((await c.folderSync('0')).status).toBe(1);
    await new Promise((res) => setTimeout(res, Math.max(0, started + 3300 - Date.now())));
    expect((await c.folderSync('0')).status).toBe(1);
    await server.app.capture.idle();
    const [f] = filesOf(deviceId);
    expect(f!.file.exchanges.map(commandOf)).toEqual(['Provision', 'Provision', 'FolderSync']);
    expect(JSON.parse(admin('--json', 'capture', 'list').out)).toEqual([]);
    expect(admin('capture', 'list').out).toBe('(no recordings)\n');
  });

  it('refuses an unknown mailbox, a bad --for and stopping what is not recorded (exit 2)', () => {
    const auditRows = () => server.services.repos.audit.list({ limit: 10_000 }).length;
    const rowsBefore = auditRows();
    expect(admin('capture', 'start', 'nobody@example.test').code).toBe(2);
    const bad = admin('capture', 'start', USER, '--for', '1w');
    expect([bad.code, bad.log]).toEqual([2, expect.stringContaining('--for must be a duration')]);
    expect(admin('capture', 'stop', USER, 'neverRecorded').code).toBe(2);
    const hostile = admin('capture', 'start', USER, '../../etc/passwd');
    expect([hostile.code, hostile.log]).toEqual([2, expect.stringContaining('not a DeviceId')]);
    // Nothing refused left a recording or an audit row behind.
    expect(admin('capture', 'list').out).toBe('(no recordings)\n');
    expect(auditRows()).toBe(rowsBefore);
    const all = admin('capture', 'start', USER);
    expect(all.out).toMatch(/every device until stopped/);
    expect(admin('capture', 'stop', USER).out).toBe('stopped alice@example.test every device\n');
  });
});

describe('an unwritable capture folder', () => {
  it('stops the recording with one capture.write-failed warning and an audit row; every request still answers 200', async () => {
    const base = mkdtempSync(join(tmpdir(), 'eas-capture-bad-'));
    writeFileSync(join(base, 'file'), '');
    const bad = await startTestServer(stack(), { env: { EAS_CAPTURE_DIR: join(base, 'file', 'sub') } });
    try {
      const warn = vi.spyOn(bad.services.log, 'warn');
      const badOps = new AdminOperations(bad.services.db, bad.services.repos, { actor: 'test:capture' }, () => undefined);
      badOps.captureStart(USER, 'capBad1');
      const c = bad.client({ deviceId: 'capBad1', version: '14.1' });
      const p = await c.provision();
      expect(p.responses.map((x) => x.status)).toEqual([200, 200]);
      await bad.app.capture.idle();
      expect((await c.folderSync('0')).response.status).toBe(200);
      await bad.app.capture.idle();
      const failed = warn.mock.calls.filter(([o]) => (o as { event?: string }).event === 'capture.write-failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]![0]).toMatchObject({ mailbox: USER, device: 'capBad1', code: expect.stringMatching(/ENOTDIR|EEXIST/) });
      expect(bad.services.repos.captures.list()).toEqual([]);
      const audit = bad.services.repos.audit.list({ mailboxes: [USER] })[0]!;
      expect(audit).toMatchObject({ actor: 'server', action: 'capture.stop', deviceId: 'capBad1', detail: { reason: 'write-failed' } });
    } finally {
      await bad.stop();
      bad.cleanup();
      rmSync(base, { recursive: true, force: true });
    }
  });
});
