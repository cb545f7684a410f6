/**
 * Out of Office (Settings Oof, MS-ASCMD 2.2.1.18) on the real stack:
 * Dovecot's Pigeonhole runs the Sieve vacation at LMTP delivery and its
 * replies reach the SMTP sink; ManageSieve is read directly to see what the
 * server wrote, and written directly to play webmail.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { child, childrenNamed, el, textOf, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { withManageSieve, type ManageSieveConnection, type ManageSieveEndpoint } from '../../backends/sieve/client.ts';
import type { EasClient } from '../../src/client/index.ts';
import { simpleMessage, useStack } from '../harness/use-stack.ts';
import { startTestServer, type TestServer } from './server-setup.ts';

const stack = useStack();
const USER = 'alice@example.test';
const S = 'Settings';
let server: TestServer;
let n = 0;

const endpoint = (): ManageSieveEndpoint => ({ host: stack().managesieve!.host, port: stack().managesieve!.port, starttls: 'auto', verifyTls: false });
const sieve = <T>(fn: (c: ManageSieveConnection) => Promise<T>): Promise<T> => withManageSieve(endpoint(), { user: USER, password: stack().user(USER).password }, fn);

interface OofMsg {
  appliesTo: 'Internal' | 'ExternalKnown' | 'ExternalUnknown';
  enabled: boolean;
  text?: string;
  bodyType?: string;
}

function oofSet(state: number | undefined, messages: OofMsg[], times?: { start: string; end: string }): WbxmlElement {
  return el(S, 'Settings', [
    el(S, 'Oof', [
      el(S, 'Set', [
        state !== undefined ? el(S, 'OofState', state) : undefined,
        times ? el(S, 'StartTime', times.start) : undefined,
        times ? el(S, 'EndTime', times.end) : undefined,
        ...messages.map((m) =>
          el(S, 'OofMessage', [
            el(S, `AppliesTo${m.appliesTo}`),
            el(S, 'Enabled', m.enabled ? 1 : 0),
            m.text !== undefined ? el(S, 'ReplyMessage', m.text) : undefined,
            el(S, 'BodyType', m.bodyType ?? 'Text'),
          ]),
        ),
      ]),
    ]),
  ]);
}

async function set(c: EasClient, body: WbxmlElement): Promise<number> {
  const res = await c.command('Settings', body);
  expect(res.status).toBe(200);
  expect(textOf(child(res.body!, 'Status', S))).toBe('1');
  return Number(textOf(child(child(res.body!, 'Oof', S)!, 'Status', S)));
}

async function get(c: EasClient, bodyType = 'Text') {
  const res = await c.command('Settings', el(S, 'Settings', [el(S, 'Oof', [el(S, 'Get', [el(S, 'BodyType', bodyType)])])]));
  expect(res.status).toBe(200);
  const oof = child(res.body!, 'Oof', S)!;
  const g = child(oof, 'Get', S);
  const messages = g
    ? childrenNamed(g, 'OofMessage', S).map((m) => ({
        appliesTo: (m.children ?? []).find((x) => x.name.startsWith('AppliesTo'))!.name.slice('AppliesTo'.length),
        enabled: textOf(child(m, 'Enabled', S)) === '1',
        text: textOf(child(m, 'ReplyMessage', S)) ?? '',
      }))
    : [];
  return {
    status: Number(textOf(child(oof, 'Status', S))),
    state: g ? Number(textOf(child(g, 'OofState', S))) : undefined,
    start: g ? textOf(child(g, 'StartTime', S)) : undefined,
    end: g ? textOf(child(g, 'EndTime', S)) : undefined,
    messages,
  };
}

/** Delivers from `from` over LMTP; resolves with the auto-reply to `from` the sink received, if any, within `waitMs`. */
async function deliverFrom(from: string, subject: string, waitMs = 8000): Promise<string | undefined> {
  await stack().deliver(USER, simpleMessage({ subject, from, to: USER }), { from });
  try {
    const m = await stack().smtpSink.waitForMessage((x) => x.to.includes(from), waitMs);
    return m.raw.toString('utf8');
  } catch {
    return undefined;
  }
}

async function replyText(raw: string): Promise<string> {
  return ((await simpleParser(raw)).text ?? '').replace(/\r\n/g, '\n').trimEnd();
}

const uniq = (tag: string): string => `${tag}-${Date.now().toString(36)}-${n++}`;
const inAYear = (): { start: string; end: string } => {
  const start = new Date(Math.floor(Date.now() / 1000) * 1000 + 365 * 86_400_000);
  return { start: start.toISOString(), end: new Date(start.getTime() + 7 * 86_400_000).toISOString() };
};

beforeAll(async () => {
  if (!stack().managesieve) throw new Error('Pigeonhole is not installed: run .ci/setup (dovecot-sieve, dovecot-managesieved)');
  server = await startTestServer(stack(), { env: { EAS_MANAGESIEVE_URL: stack().managesieve!.url } });
});
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

// Every test starts with no scripts at all.
beforeEach(async () => {
  await sieve(async (c) => {
    await c.setActive('');
    for (const s of await c.listScripts()) await c.deleteScript(s.name);
  });
});

const HOSTILE = 'Away "until" Monday; \\ back } soon\n.\n..\nvacation "x"; fileinto "Junk"; stop;\n${hex:41} # not a comment';

describe.each(['12.1', '14.1', '16.1'] as const)('Settings Oof at EAS %s', (version) => {
  const phone = (): EasClient => server.client({ user: USER, version, deviceId: `oof${version.replace('.', '')}` });

  it('OOF set from EAS is the active Sieve script and answers an outside sender and a colleague', async () => {
    const ext = `External reply ${version}`;
    const int = `Internal reply ${version}`;
    const status = await set(phone(), oofSet(1, [
      { appliesTo: 'Internal', enabled: true, text: int },
      { appliesTo: 'ExternalKnown', enabled: true, text: ext },
      { appliesTo: 'ExternalUnknown', enabled: true, text: ext },
    ]));
    expect(status).toBe(1);
    const [scripts, text] = await sieve(async (c) => [await c.listScripts(), await c.getScript('eas-oof')] as const);
    expect(scripts).toEqual([{ name: 'eas-oof', active: true }]);
    expect(text).toContain(`"${ext}"`);
    expect(text).toContain('address :domain :is "from" "example.test"');

    const outsider = `${uniq('ext')}@other.test`;
    const toOutsider = await deliverFrom(outsider, 'Question');
    expect(toOutsider).toBeDefined();
    expect(toOutsider).toMatch(/^Auto-Submitted: auto-replied/m);
    expect(await replyText(toOutsider!)).toBe(ext);

    const colleague = `${uniq('col')}@example.test`;
    expect(await replyText((await deliverFrom(colleague, 'Lunch?'))!)).toBe(int);
  });

  it('OOF with a schedule reads back with the same times and does not answer before it starts', async () => {
    const times = inAYear();
    expect(await set(phone(), oofSet(2, [{ appliesTo: 'ExternalUnknown', enabled: true, text: 'Later' }], times))).toBe(1);
    const g = await get(phone());
    expect(g).toMatchObject({ status: 1, state: 2, start: times.start, end: times.end });
    expect(g.messages.find((m) => m.appliesTo === 'ExternalUnknown')).toEqual({ appliesTo: 'ExternalUnknown', enabled: true, text: 'Later' });
    // Pigeonhole sends a vacation reply during the LMTP transaction: none recorded by then means none sent.
    const outsider = `${uniq('early')}@other.test`;
    await stack().deliver(USER, simpleMessage({ subject: 'Too early', from: outsider }), { from: outsider });
    expect(stack().smtpSink.messages.some((m) => m.to.includes(outsider))).toBe(false);
    // The same check sees a reply that is sent: with OOF on now, it is recorded when LMTP returns.
    expect(await set(phone(), oofSet(1, [{ appliesTo: 'ExternalUnknown', enabled: true, text: 'Now' }]))).toBe(1);
    const now = `${uniq('now')}@other.test`;
    await stack().deliver(USER, simpleMessage({ subject: 'In time', from: now }), { from: now });
    expect(stack().smtpSink.messages.some((m) => m.to.includes(now))).toBe(true);
  });

  it('a vacation written over ManageSieve by webmail shows in Settings Get', async () => {
    const script = [
      'require ["vacation","date","relational"];',
      '# rule:[Holiday]',
      'if allof (currentdate :value "ge" "date" "2027-07-01", currentdate :value "le" "date" "2027-07-14")',
      '{',
      '\tvacation :days 1 :subject "Holiday" text:',
      'On holiday "until" the 15th;',
      '..see you.',
      '.',
      ';',
      '}',
      '',
    ].join('\r\n');
    await sieve(async (c) => {
      await c.putScript('roundcube', script);
      await c.setActive('roundcube');
    });
    const g = await get(phone());
    expect(g).toMatchObject({ status: 1, state: 2, start: '2027-07-01T00:00:00.000Z', end: '2027-07-15T00:00:00.000Z' });
    const text = 'On holiday "until" the 15th;\r\n.see you.';
    expect(g.messages.map((m) => [m.appliesTo, m.enabled, m.text.trimEnd()])).toEqual([
      ['Internal', true, text],
      ['ExternalKnown', true, text],
      ['ExternalUnknown', true, text],
    ]);
    // Turning it off from the phone deactivates webmail's script without deleting it.
    expect(await set(phone(), oofSet(0, []))).toBe(1);
    expect(await sieve((c) => c.listScripts())).toEqual([{ name: 'roundcube', active: false }]);
    expect((await get(phone())).state).toBe(0);
  });

  it("the user's own rules keep running beside the OOF and are active again after it is off", async () => {
    const rules = 'require ["fileinto"];\r\nif header :contains "subject" "[list]" { fileinto "Archive"; }\r\n';
    await sieve(async (c) => {
      await c.putScript('my-rules', rules);
      await c.setActive('my-rules');
    });
    expect(await set(phone(), oofSet(1, [{ appliesTo: 'ExternalUnknown', enabled: true, text: 'Gone fishing' }]))).toBe(1);
    const during = await sieve(async (c) => ({ list: await c.listScripts(), rules: await c.getScript('my-rules') }));
    expect(during.list.find((s) => s.active)?.name).toBe('eas-main');
    expect(during.rules).toBe(rules);

    const outsider = `${uniq('list')}@other.test`;
    const subject = `[list] ${uniq('digest')}`;
    expect(await replyText((await deliverFrom(outsider, subject))!)).toBe('Gone fishing');
    const imap = await stack().imapClient(USER);
    try {
      await imap.mailboxOpen('Archive');
      expect(await imap.search({ subject })).toHaveLength(1);
    } finally {
      await imap.logout();
    }

    expect(await set(phone(), oofSet(0, []))).toBe(1);
    const after = await sieve(async (c) => ({ list: await c.listScripts(), rules: await c.getScript('my-rules') }));
    expect(after.list).toEqual([{ name: 'my-rules', active: true }]);
    expect(after.rules).toBe(rules);
    expect((await get(phone())).state).toBe(0);
  });

  it('hostile reply text is stored as data: it reads back, Pigeonhole compiles it, and it runs no command', async () => {
    expect(await set(phone(), oofSet(1, [{ appliesTo: 'ExternalUnknown', enabled: true, text: HOSTILE }]))).toBe(1);
    const expected = HOSTILE.replace(/\n/g, '\r\n');
    const g = await get(phone());
    expect(g.messages.find((m) => m.appliesTo === 'ExternalUnknown')!.text).toBe(expected);
    await sieve(async (c) => c.checkScript(await c.getScript('eas-oof')));

    const outsider = `${uniq('hostile')}@other.test`;
    const subject = uniq('hostile');
    const reply = await deliverFrom(outsider, subject);
    expect(await replyText(reply!)).toBe(HOSTILE.trimEnd());
    // `fileinto "Junk"` inside the text did not run: the mail is in the INBOX.
    const imap = await stack().imapClient(USER);
    try {
      await imap.mailboxOpen('INBOX');
      expect(await imap.search({ subject })).toHaveLength(1);
      await imap.mailboxOpen('Junk');
      expect(await imap.search({ subject })).toHaveLength(0);
    } finally {
      await imap.logout();
    }
  });

  it.each<[string, WbxmlElement]>([
    // (A NUL cannot even be sent: WBXML inline strings end at NUL; replyProblem's unit test covers it.)
    ['an unreadable StartTime', oofSet(2, [{ appliesTo: 'ExternalUnknown', enabled: true, text: 'x' }], { start: 'next monday', end: '2027-01-01T00:00:00.000Z' })],
    ['OofState 2 without times', oofSet(2, [{ appliesTo: 'ExternalUnknown', enabled: true, text: 'x' }])],
    ['EndTime before StartTime', oofSet(2, [{ appliesTo: 'ExternalUnknown', enabled: true, text: 'x' }], { start: '2027-02-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' })],
    ['a reply over 64 KiB', oofSet(1, [{ appliesTo: 'ExternalUnknown', enabled: true, text: 'x'.repeat(70_000) }])],
  ])('%s gets InvalidArguments (5) and changes nothing', async (_what, body) => {
    expect(await set(phone(), oofSet(1, [{ appliesTo: 'ExternalUnknown', enabled: true, text: 'Before' }]))).toBe(1);
    const before = await sieve(async (c) => ({ list: await c.listScripts(), text: await c.getScript('eas-oof') }));
    expect(await set(phone(), body)).toBe(5);
    const after = await sieve(async (c) => ({ list: await c.listScripts(), text: await c.getScript('eas-oof') }));
    expect(after).toEqual(before);
  });
});

describe('Settings Oof with ManageSieve down', () => {
  let down: TestServer;
  beforeAll(async () => {
    // A port that was free a moment ago: nothing listens there.
    const { freePorts } = await import('../../src/devstack/net.ts');
    const [port] = await freePorts(1);
    down = await startTestServer(stack(), { env: { EAS_MANAGESIEVE_URL: `sieve://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await down?.stop();
    down?.cleanup();
  });

  it('Get and Set answer ServerUnavailable (4) and nothing changes', async () => {
    const c = down.client({ user: USER });
    expect((await get(c)).status).toBe(4);
    expect(await set(c, oofSet(1, [{ appliesTo: 'ExternalUnknown', enabled: true, text: 'x' }]))).toBe(4);
    expect(await sieve((s) => s.listScripts())).toEqual([]);
  });
});
