/**
 * The recorder's redaction (src/capture/redact.ts, exchange.ts): what a
 * capture file may hold by default and with --bodies.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildExchange, captureBody } from '../../src/capture/exchange.ts';
import { hashAddress, hashAddresses, hashLogin, redactedXml, redactQuery } from '../../src/capture/redact.ts';
import { base64Query, plainQuery } from '../../src/client/query.ts';
import { parseQuery } from '../../protocol/http/request-line.ts';
import { decodeWbxmlFragment } from '../../protocol/wbxml/decoder.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { toXml } from '../../protocol/xml/index.ts';
import { renderXml } from '../../src/capture/xml.ts';
import { el, type WbxmlElement } from '../../protocol/wbxml/tree.ts';

const ALICE = 'alice@example.test';
const hashedAlice = `u-${createHash('sha256').update(ALICE).digest('hex').slice(0, 8)}@redacted.invalid`;
const wbxml = (tree: WbxmlElement): Buffer => Buffer.from(encodeWbxml(tree, { version: '16.1' }));

/** A Sync answer with one mail: addresses in From/To, an HTML body, a preview. */
function syncAnswer(body = '<p>the secret body</p>'): WbxmlElement {
  return el('AirSync', 'Sync', [
    el('AirSync', 'Collections', [
      el('AirSync', 'Collection', [
        el('AirSync', 'SyncKey', '2'),
        el('AirSync', 'CollectionId', '1'),
        el('AirSync', 'Status', '1'),
        el('AirSync', 'Commands', [
          el('AirSync', 'Add', [
            el('AirSync', 'ServerId', '1:1'),
            el('AirSync', 'ApplicationData', [
              el('Email', 'To', `"Alice A." <Alice@Example.test>, bob@example.test`),
              el('Email', 'From', `carol@elsewhere.test`),
              el('Email', 'Subject', 'Lunch'),
              el('AirSyncBase', 'Body', [el('AirSyncBase', 'Type', '2'), el('AirSyncBase', 'Data', body)]),
              el('AirSyncBase', 'Preview', 'the secret'),
            ]),
          ]),
        ]),
      ]),
    ]),
  ]);
}

describe('addresses', () => {
  it('an address becomes u-<8 hex of sha256 of it in lower case>@redacted.invalid, the same wherever and however it is written', () => {
    expect(hashAddress(ALICE)).toBe(hashedAlice);
    expect(hashAddress('ALICE@example.TEST')).toBe(hashedAlice);
    expect(hashAddress('bob@example.test')).not.toBe(hashedAlice);
    expect(hashAddresses(`"Alice" <alice@example.test>; mailto:Alice@Example.test`)).toBe(`"Alice" <${hashedAlice}>; mailto:${hashedAlice}`);
  });

  it('hashing twice changes nothing; text without an address is returned as is', () => {
    const once = hashAddresses(`to ${ALICE} and x@localhost`);
    expect(hashAddresses(once)).toBe(once);
    expect(once).not.toContain('@localhost');
    expect(hashAddresses('no address here, 5 @ 6')).toBe('no address here, 5 @ 6');
  });

  it('a login that is an address hashes as the address; a bare login as user-<8 hex>', () => {
    expect(hashLogin(ALICE)).toBe(hashedAlice);
    expect(hashLogin('alice')).toMatch(/^user-[0-9a-f]{8}$/);
    expect(hashLogin('Alice')).toBe(hashLogin('alice'));
    expect(hashLogin(hashLogin('alice'))).toBe(hashLogin('alice'));
  });
});

describe('XML of a body', () => {
  it('bodies, previews and passwords read "[redacted N bytes]"; addresses are hashed; the rest stays', () => {
    const { xml, changed } = redactedXml(syncAnswer(), { bodies: false });
    expect(changed).toBe(true);
    expect(xml).toContain('<airsyncbase:Data>[redacted 22 bytes]</airsyncbase:Data>');
    expect(xml).toContain('<airsyncbase:Preview>[redacted 10 bytes]</airsyncbase:Preview>');
    expect(xml).not.toMatch(/secret/);
    expect(xml).not.toMatch(/example\.test|elsewhere\.test/i);
    expect(xml).toContain(`&quot;Alice A.&quot;`.replace(/&quot;/g, '"'));
    expect(xml.split(hashedAlice)).toHaveLength(2);
    expect(xml).toContain('<email:Subject>Lunch</email:Subject>');
  });

  it('with bodies kept, only passwords go', () => {
    const settings = el('Settings', 'Settings', [el('Settings', 'DevicePassword', [el('Settings', 'Password', 'hunter2')])]);
    const a = redactedXml(settings, { bodies: true });
    expect(a).toEqual({ xml: expect.stringContaining('<Password>[redacted 7 bytes]</Password>'), changed: true });
    expect(a.xml).not.toContain('hunter2');
    const b = redactedXml(syncAnswer(), { bodies: true });
    expect(b.changed).toBe(false);
    expect(b.xml).toContain('the secret body');
    expect(b.xml).toContain('Alice@Example.test');
  });

  it.each([
    ['ComposeMail:Mime (opaque)', el('ComposeMail', 'SendMail', [el('ComposeMail', 'ClientId', '1'), el('ComposeMail', 'Mime', Buffer.from('Subject: x\r\n\r\nsecret text'))]), 'ComposeMail', 'Mime', 25],
    ['Email:MIMEData', el('AirSync', 'ApplicationData', [el('Email', 'MIMEData', 'secret text')]), 'email', 'MIMEData', 11],
    ['Email:Body (2.5)', el('AirSync', 'ApplicationData', [el('Email', 'Body', 'secret text')]), 'email', 'Body', 11],
    ['ItemOperations:Data', el('ItemOperations', 'ItemOperations', [el('ItemOperations', 'Response', [el('ItemOperations', 'Fetch', [el('ItemOperations', 'Properties', [el('ItemOperations', 'Data', 'c2VjcmV0IHRleHQ=')])])])]), 'ItemOperations', 'Data', 16],
    ['Contacts:Picture', el('AirSync', 'ApplicationData', [el('Contacts', 'Picture', '/9j/secret')]), 'contacts', 'Picture', 10],
    ['ItemOperations:Password', el('ItemOperations', 'ItemOperations', [el('ItemOperations', 'Fetch', [el('ItemOperations', 'Options', [el('ItemOperations', 'Password', 'secret pw')])])]), 'ItemOperations', 'Password', 9],
    ['Search:Password', el('Search', 'Search', [el('Search', 'Store', [el('Search', 'Options', [el('Search', 'Password', 'secret pw')])])]), 'Search', 'Password', 9],
  ])('%s is redacted with its size', (_label, tree, prefix, name, size) => {
    const { xml, changed } = redactedXml(tree, { bodies: false });
    expect(changed).toBe(true);
    expect(xml).not.toContain('secret');
    const q = tree.ns.toLowerCase() === prefix.toLowerCase() ? name : `${prefix.toLowerCase()}:${name}`;
    expect(xml).toContain(`<${q}>[redacted ${size} bytes]</${q}>`);
  });

  it('nothing to redact: changed is false and the XML is the plain rendering', () => {
    const tree = el('FolderHierarchy', 'FolderSync', [el('FolderHierarchy', 'SyncKey', '0')]);
    expect(redactedXml(tree, { bodies: false })).toEqual({ xml: '<FolderSync xmlns="FolderHierarchy"><SyncKey>0</SyncKey></FolderSync>', changed: false });
  });
});

describe('bodies of an exchange', () => {
  it('keeps the WBXML only when the XML hides nothing', () => {
    const plain = wbxml(el('FolderHierarchy', 'FolderSync', [el('FolderHierarchy', 'SyncKey', '0')]));
    expect(captureBody(plain, 'application/vnd.ms-sync.wbxml', false)).toEqual({ xml: expect.stringContaining('<SyncKey>0</SyncKey>'), wbxml: plain.toString('base64') });
    const secret = wbxml(syncAnswer());
    const b = captureBody(secret, 'application/vnd.ms-sync.wbxml', false)!;
    expect(b.wbxml).toBeUndefined();
    expect(b.xml).toContain('[redacted');
    expect(captureBody(secret, 'application/vnd.ms-sync.wbxml', true)).toEqual({ xml: expect.stringContaining('the secret body'), wbxml: secret.toString('base64') });
  });

  it('a MIME body (12.x SendMail) is type and size, with the text only when bodies are kept', () => {
    const mime = Buffer.from(`From: ${ALICE}\r\nSubject: hi\r\n\r\nsecret text\r\n`);
    expect(captureBody(mime, 'message/rfc822', false)).toEqual({ contentType: 'message/rfc822', size: mime.length });
    expect(captureBody(mime, 'message/rfc822', true)).toEqual({ contentType: 'message/rfc822', size: mime.length, text: mime.toString() });
    expect(captureBody(mime, undefined, false)).toEqual({ contentType: 'application/octet-stream', size: mime.length });
  });

  it('an undecodable WBXML body is type and size only unless bodies are kept; an empty one is absent', () => {
    const bad = Buffer.from([0x03, 0x01, 0x6a, 0x00, 0x45, 0x99]);
    expect(captureBody(bad, undefined, false)).toEqual({ contentType: 'application/vnd.ms-sync.wbxml', size: 6 });
    expect(captureBody(bad, undefined, true)).toMatchObject({ wbxml: bad.toString('base64') });
    expect(captureBody(Buffer.alloc(0), undefined, false)).toBeUndefined();
  });
});

describe('query', () => {
  const q = { command: 'Sync' as const, user: ALICE, deviceId: 'Dev1', deviceType: 'iPhone', version: '14.1' as const, policyKey: 7, params: { CollectionId: '3' } };

  it('plain: User is hashed, the rest is kept; a query without an address is returned byte for byte', () => {
    const out = redactQuery(plainQuery(q));
    expect(out).not.toMatch(/example/);
    expect(parseQuery(out)).toMatchObject({ command: 'Sync', user: hashedAlice, deviceId: 'Dev1', deviceType: 'iPhone', params: { CollectionId: '3' } });
    const bare = 'Cmd=Ping&User=alice&DeviceId=Dev1&DeviceType=iPhone';
    expect(parseQuery(redactQuery(bare)).user).toBe(hashLogin('alice'));
    const none = 'Cmd=Ping&DeviceId=Dev1&DeviceType=iPhone';
    expect(redactQuery(none)).toBe(none);
  });

  it('base64: decoded, User hashed, encoded again with the same command, device, version and policy key', () => {
    const raw = base64Query(q);
    expect(Buffer.from(decodeURIComponent(raw), 'base64').toString('latin1')).toContain(ALICE);
    const out = redactQuery(raw);
    expect(Buffer.from(decodeURIComponent(out), 'base64').toString('latin1')).not.toContain('example');
    expect(parseQuery(out)).toMatchObject({ form: 'base64', command: 'Sync', user: hashedAlice, deviceId: 'Dev1', protocolVersion: '14.1', policyKey: 7, params: { CollectionId: '3' } });
  });
});

describe('exchange', () => {
  const raw = {
    at: Date.UTC(2026, 0, 2, 3, 4, 5),
    method: 'POST' as const,
    query: plainQuery({ command: 'FolderSync', user: ALICE, deviceId: 'Dev1', deviceType: 'iPhone', version: '14.1', policyKey: 0 }),
    line: parseQuery(plainQuery({ command: 'FolderSync', user: ALICE, deviceId: 'Dev1', deviceType: 'iPhone', version: '14.1', policyKey: 0 })),
    requestHeaders: { authorization: `Basic ${Buffer.from(`${ALICE}:pw-1234`).toString('base64')}`, 'ms-asprotocolversion': '14.1', 'user-agent': 'Phone/1', cookie: 'x=1' },
    status: 200,
    responseHeaders: { 'content-type': 'application/vnd.ms-sync.wbxml', 'ms-server-activesync': '14.1' },
    responseBody: wbxml(el('FolderHierarchy', 'FolderSync', [el('FolderHierarchy', 'Status', '1')])),
    durationMs: 12.345,
  };

  it('keeps the headers that change an answer and never Authorization or cookies; the user is hashed in query and decodedQuery', () => {
    const ex = buildExchange(raw, false);
    const text = JSON.stringify(ex);
    expect(text).not.toMatch(/authorization|Basic |pw-1234|cookie|example\.test/i);
    expect(ex).toMatchObject({
      at: '2026-01-02T03:04:05.000Z',
      method: 'POST',
      decodedQuery: { form: 'plain', command: 'FolderSync', user: hashedAlice, deviceId: 'Dev1', deviceType: 'iPhone' },
      requestHeaders: { 'MS-ASProtocolVersion': '14.1', 'User-Agent': 'Phone/1' },
      response: { status: 200, headers: { 'Content-Type': 'application/vnd.ms-sync.wbxml' }, body: { xml: expect.stringContaining('<Status>1</Status>') } },
      durationMs: 12.3,
    });
    expect(ex.query).toContain(encodeURIComponent(hashedAlice));
  });

  it('with bodies kept the user and query stay as sent, and Authorization is still not recorded', () => {
    const ex = buildExchange(raw, true);
    expect(ex.query).toBe(raw.query);
    expect(ex.decodedQuery?.user).toBe(ALICE);
    expect(JSON.stringify(ex)).not.toMatch(/authorization|pw-1234/i);
  });
});

describe('renderXml (the recorder\'s fast rendering)', () => {
  const FIXTURES = new URL('../../../shared/fixtures/wbxml/', import.meta.url);
  const fixtureTrees = (): [string, WbxmlElement][] =>
    readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.wbxml'))
      .flatMap((f) => {
        const bytes = readFileSync(new URL(f, FIXTURES));
        // A document is a fragment with a header; the Horde fixtures are bare fragments.
        const trees = bytes[0] === 0x03 ? decodeWbxmlFragment(bytes.subarray(4)) : decodeWbxmlFragment(bytes);
        return trees.map((t, i): [string, WbxmlElement] => [`${f} #${i}`, t]);
      });
  const redactData = (e: WbxmlElement): string | undefined => (e.name === 'Data' || e.name === 'ApplicationData' ? 'X' : undefined);

  it('writes what toXml writes, with and without a redact function, for every WBXML fixture', () => {
    const trees = fixtureTrees();
    expect(trees.length).toBeGreaterThanOrEqual(10);
    for (const [, t] of trees) {
      expect(renderXml(t)).toBe(toXml(t));
      expect(renderXml(t, redactData)).toBe(toXml(t, { redact: redactData }));
    }
  });

  it('and for the corner cases: an empty, a text and an opaque root; a hidden container that names other namespaces', () => {
    const cases = [
      el('Ping', 'Ping'),
      el('Ping', 'Status', '1 < 2 & "3"'),
      el('ComposeMail', 'Mime', Buffer.from('bytes')),
      syncAnswer(),
    ];
    for (const t of cases) {
      expect(renderXml(t)).toBe(toXml(t));
      expect(renderXml(t, redactData)).toBe(toXml(t, { redact: redactData }));
    }
    expect(renderXml(syncAnswer(), redactData)).toContain('xmlns:email="Email"');
  });
});
