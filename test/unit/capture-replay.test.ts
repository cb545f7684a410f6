/**
 * Capture replay without a server: the structural comparison (compare.ts),
 * learning the replayed server's values (learn.ts), binding requests
 * (binder.ts), fresh device ids and writing answers back (update.ts).
 */
import { describe, expect, it } from 'vitest';
import { fromXml } from '../../protocol/xml/index.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { bindRequest } from '../../src/capture/replay/binder.ts';
import { Bindings } from '../../src/capture/replay/bindings.ts';
import { compareAnswers, shapeOf, type Answer } from '../../src/capture/replay/compare.ts';
import { freshDeviceId } from '../../src/capture/replay/identity.ts';
import { learnAnswer, pairUp } from '../../src/capture/replay/learn.ts';
import { placeholderMime } from '../../src/capture/replay/placeholders.ts';

const x = (s: string): WbxmlElement => fromXml(s.replace(/>\s+</g, '><').trim());
const answer = (xml: string, status = 200): Answer => ({ status, headers: {}, body: { kind: 'wbxml', tree: x(xml) } });

const SYNC = (o: { key?: string; id?: string; status?: string; serverId?: string; date?: string; cc?: boolean; more?: boolean } = {}): string => `
<Sync xmlns="AirSync" xmlns:email="Email"><Collections><Collection>
  <SyncKey>${o.key ?? 'k1'}</SyncKey><CollectionId>${o.id ?? '5'}</CollectionId><Status>${o.status ?? '1'}</Status>${o.more ? '<MoreAvailable/>' : ''}
  <Commands><Add><ServerId>${o.serverId ?? '5:1'}</ServerId><ApplicationData><email:Subject>Hello</email:Subject>
    <email:DateReceived>${o.date ?? '2025-03-04T09:00:00.000Z'}</email:DateReceived>${o.cc ? '<email:Cc>b@example.test</email:Cc>' : ''}</ApplicationData></Add></Commands>
</Collection></Collections></Sync>`;

describe('structural comparison', () => {
  it('the same answer passes', () => {
    expect(compareAnswers('Sync', answer(SYNC()), answer(SYNC()))).toEqual([]);
  });

  it('changed ids, keys, dates and counts pass', () => {
    const recorded = answer(SYNC());
    const actual = answer(
      SYNC({ key: '{5e0a}17', id: '12', serverId: '12:77', date: '2031-01-01T00:00:00.000Z' }).replace('</Add></Commands>', '</Add><Add><ServerId>12:78</ServerId><ApplicationData/></Add></Commands>'),
    );
    expect(compareAnswers('Sync', recorded, actual)).toEqual([]);
  });

  it('optional fields inside an item do not matter (Email with and without Cc)', () => {
    expect(compareAnswers('Sync', answer(SYNC()), answer(SYNC({ cc: true })))).toEqual([]);
  });

  it('a changed Status fails with the path and both values', () => {
    expect(compareAnswers('Sync', answer(SYNC({ status: '3' })), answer(SYNC({ status: '1' })))).toEqual([
      'Sync: Status at Sync/Collections/Collection/Status was 1, expected 3',
    ]);
  });

  it('a missing element fails, and so does one that was not there', () => {
    const noCommands = answer(`<Sync xmlns="AirSync"><Collections><Collection><SyncKey>k</SyncKey><CollectionId>5</CollectionId><Status>1</Status></Collection></Collections></Sync>`);
    expect(compareAnswers('Sync', answer(SYNC()), noCommands)).toEqual([
      'missing element Sync/Collections/Collection/Commands',
      'missing element Sync/Collections/Collection/Commands/Add',
      'missing element Sync/Collections/Collection/Commands/Add/ServerId',
      'missing element Sync/Collections/Collection/Commands/Add/ApplicationData',
    ]);
    expect(compareAnswers('Sync', answer(SYNC()), answer(SYNC({ more: true })))).toEqual(['unexpected element Sync/Collections/Collection/MoreAvailable']);
  });

  it('HTTP status, root element and body kind are compared', () => {
    const folderSync = answer('<FolderSync xmlns="FolderHierarchy"><Status>1</Status></FolderSync>');
    expect(compareAnswers('Sync', answer(SYNC()), folderSync)).toEqual(['FolderSync (FolderHierarchy), expected Sync (AirSync)']);
    expect(compareAnswers('FolderSync', { status: 449, headers: {}, body: { kind: 'none' } }, folderSync)).toEqual([
      'HTTP 200, expected 449',
      'FolderSync (FolderHierarchy), expected no body',
    ]);
  });

  it('statuses are compared as sets per path: two collections with 1 equal one', () => {
    const two = SYNC().replace('</Collection></Collections>', '</Collection><Collection><SyncKey>x</SyncKey><CollectionId>7</CollectionId><Status>1</Status></Collection></Collections>');
    expect(compareAnswers('Sync', answer(SYNC()), answer(two))).toEqual([]);
    const mixed = two.replace('<CollectionId>7</CollectionId><Status>1</Status>', '<CollectionId>7</CollectionId><Status>8</Status>');
    expect(compareAnswers('Sync', answer(SYNC()), answer(mixed))).toEqual(['Sync: Status at Sync/Collections/Collection/Status was 1,8, expected 1']);
  });

  it('paths name other namespaces by prefix and stop at item data', () => {
    const shape = shapeOf(x(`<Search xmlns="Search" xmlns:airsync="AirSync" xmlns:email="Email"><Status>1</Status><Response><Store><Status>1</Status>
      <Result><airsync:Class>Email</airsync:Class><Properties><email:Subject>s</email:Subject></Properties></Result></Store></Response></Search>`));
    expect([...shape.paths]).toContain('Search/Response/Store/Result/airsync:Class');
    expect([...shape.paths]).toContain('Search/Response/Store/Result/Properties');
    expect([...shape.paths].some((p) => p.includes('email:Subject'))).toBe(false);
    expect([...shape.statuses.keys()]).toEqual(['Search/Status', 'Search/Response/Store/Status']);
  });

  it('OPTIONS: the versions and commands the session uses must still be advertised', () => {
    const rec: Answer = { status: 200, headers: { 'MS-ASProtocolVersions': '14.1,16.1', 'MS-ASProtocolCommands': 'Sync,FolderSync,Find' }, body: { kind: 'none' } };
    const act: Answer = { status: 200, headers: { 'ms-asprotocolversions': '14.1', 'ms-asprotocolcommands': 'Sync,FolderSync' }, body: { kind: 'none' } };
    expect(compareAnswers('OPTIONS', rec, act, { version: '16.1', commands: ['FolderSync', 'Find'] })).toEqual([
      'MS-ASProtocolVersions lacks 16.1, which this session uses',
      'MS-ASProtocolCommands lacks Find, which this session uses',
    ]);
    expect(compareAnswers('OPTIONS', rec, act, { version: '14.1', commands: ['FolderSync'] })).toEqual([]);
  });
});

const FOLDERS = (adds: [string, string, string][]): string =>
  `<FolderSync xmlns="FolderHierarchy"><Status>1</Status><SyncKey>1</SyncKey><Changes><Count>${adds.length}</Count>${adds
    .map(([id, name, type]) => `<Add><ServerId>${id}</ServerId><ParentId>0</ParentId><DisplayName>${name}</DisplayName><Type>${type}</Type></Add>`)
    .join('')}</Changes></FolderSync>`;

describe('binding', () => {
  it('folders pair by Type, then DisplayName, then order', () => {
    const b = new Bindings();
    const rec = x(FOLDERS([['5', 'Inbox', '2'], ['1', 'Calendar', '8'], ['20', 'Projects', '12'], ['21', 'Misc', '12']]));
    const act = x(FOLDERS([['1', 'INBOX', '2'], ['11', 'Calendar', '8'], ['7', 'Archive', '12'], ['8', 'projects', '12']]));
    learnAnswer(b, rec, act, undefined);
    expect(['5', '1', '20', '21'].map((id) => b.get('folder', id))).toEqual(['1', '11', '8', '7']);
    expect(b.get('hierarchyKey', '1')).toBe('1');
  });

  it('collection SyncKeys are scoped by collection; items pair by Subject before position', () => {
    const b = new Bindings();
    b.set({ kind: 'folder', recorded: '5', actual: '1' });
    const items = (id: string, list: [string, string][]): string => `<Sync xmlns="AirSync" xmlns:email="Email"><Collections><Collection><SyncKey>${id === '5' ? 'r2' : 'a2'}</SyncKey>
      <CollectionId>${id}</CollectionId><Status>1</Status><Commands>${list.map(([s, subj]) => `<Add><ServerId>${s}</ServerId><ApplicationData><email:Subject>${subj}</email:Subject></ApplicationData></Add>`).join('')}</Commands></Collection></Collections></Sync>`;
    learnAnswer(b, x(items('5', [['5:1', 'Second'], ['5:2', 'Gone']])), x(items('1', [['1:7', 'First'], ['1:8', 'Second']])), undefined);
    expect(b.get('syncKey', 'r2', '5')).toBe('a2');
    expect(b.get('syncKey', 'r2', '6')).toBeUndefined();
    expect(b.get('item', '5:1')).toBe('1:8');
    expect(b.get('item', '5:2')).toBe('1:7');
  });

  it('pairUp takes a key only where it is unique on both sides', () => {
    expect(pairUp(['a', 'b', 'b'], ['b', 'a', 'b', 'c'], (s) => s)).toEqual([
      [0, 1],
      [1, 0],
      [2, 2],
    ]);
  });

  it('a client Add binds its ServerId by ClientId; MoveItems by SrcMsgId; Search LongIds; policy keys', () => {
    const b = new Bindings();
    b.set({ kind: 'item', recorded: '5:1', actual: '1:1' });
    const resp = (sid: string): string => `<Sync xmlns="AirSync"><Collections><Collection><SyncKey>k</SyncKey><CollectionId>5</CollectionId><Status>1</Status>
      <Responses><Add><ClientId>c-1</ClientId><ServerId>${sid}</ServerId><Status>1</Status></Add></Responses></Collection></Collections></Sync>`;
    learnAnswer(b, x(resp('5:9')), x(resp('1:42')), undefined);
    expect(b.get('item', '5:9')).toBe('1:42');
    const move = (src: string, dst: string): string => `<MoveItems xmlns="Move"><Response><SrcMsgId>${src}</SrcMsgId><Status>3</Status><DstMsgId>${dst}</DstMsgId></Response></MoveItems>`;
    learnAnswer(b, x(move('5:1', '7:1')), x(move('1:1', '12:3')), undefined);
    expect(b.get('item', '7:1')).toBe('12:3');
    const search = (id: string, subject: string): string => `<Search xmlns="Search" xmlns:email="Email"><Status>1</Status><Response><Store><Status>1</Status>
      <Result><LongId>${id}</LongId><Properties><email:Subject>${subject}</email:Subject></Properties></Result></Store></Response></Search>`;
    learnAnswer(b, x(search('RgAAAA1', 'Hi')), x(search('1.22.3', 'Hi')), undefined);
    expect(b.get('longId', 'RgAAAA1')).toBe('1.22.3');
    const prov = (k: string): string => `<Provision xmlns="Provision"><Status>1</Status><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType><Status>1</Status><PolicyKey>${k}</PolicyKey></Policy></Policies></Provision>`;
    learnAnswer(b, x(prov('111')), x(prov('999')), undefined);
    expect(b.get('policyKey', '111')).toBe('999');
    expect(b.policyKey).toBe('999');
  });

  it('a request gets the bound values, the replaying address and placeholders; the rest is unbound', () => {
    const b = new Bindings();
    b.set({ kind: 'folder', recorded: '5', actual: '1' });
    b.set({ kind: 'syncKey', recorded: 'r1', actual: 'a1', scope: '5' });
    b.set({ kind: 'item', recorded: '5:1', actual: '1:4' });
    const req = x(`<Sync xmlns="AirSync" xmlns:email="Email" xmlns:airsyncbase="AirSyncBase"><Collections>
      <Collection><SyncKey>r1</SyncKey><CollectionId>5</CollectionId><Commands><Change><ServerId>5:1</ServerId><ApplicationData>
        <email:To>u-40180b29@redacted.invalid</email:To><airsyncbase:Body><airsyncbase:Data>[redacted 12 bytes]</airsyncbase:Data></airsyncbase:Body></ApplicationData></Change>
        <Delete><ServerId>5:99</ServerId></Delete></Commands></Collection>
      <Collection><SyncKey>0</SyncKey><CollectionId>77</CollectionId></Collection></Collections></Sync>`);
    const bound = bindRequest(b, req, { CollectionId: '5', ItemId: '5:404' }, { recorded: 'u-40180b29@redacted.invalid', replaying: 'alice@example.test' });
    const xml = JSON.stringify(bound.tree);
    expect(xml).toContain('"text":"a1"');
    expect(xml).toContain('"text":"1:4"');
    expect(xml).toContain('"text":"alice@example.test"');
    expect(xml).toContain('"text":"eas-replay p"');
    expect(bound.params).toEqual({ CollectionId: '1', ItemId: '5:404' });
    expect(bound.unbound).toEqual([
      { kind: 'item', value: '5:404', at: 'query ItemId' },
      { kind: 'item', value: '5:99', at: 'Sync/Collections/Collection/Commands/Delete/ServerId' },
      { kind: 'folder', value: '77', at: 'Sync/Collections/Collection/CollectionId' },
    ]);
  });

  it('a header policy key is always the device key of the moment, never unbound', () => {
    const b = new Bindings();
    b.policyKey = '42';
    const req = x('<Provision xmlns="Provision"><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType><PolicyKey>7</PolicyKey><Status>1</Status></Policy></Policies></Provision>');
    const bound = bindRequest(b, req, {}, {});
    expect(JSON.stringify(bound.tree)).toContain('"text":"42"');
    expect(bound.unbound).toEqual([]);
  });

  it('redacted MIME becomes a message from and to the replaying user, of about the size', () => {
    const mime = placeholderMime(2000, { replaying: 'alice@example.test' });
    expect(mime).toMatch(/^From: alice@example\.test\r\nTo: alice@example\.test\r\n/);
    expect(Buffer.byteLength(mime)).toBe(2000);
  });
});

describe('fresh device ids', () => {
  it.each([
    ['j95cmdo6sh45veof6dm6j3futk', /^[a-z0-9]{26}$/],
    ['6F24CAD599A5BF1A690246B8C68FAE8D', /^[0-9A-F]{32}$/],
    ['224c6d7124be43638aaf13ebc79d3d46', /^[0-9a-f]{32}$/],
    ['androidc195792594', /^androidc\d{9}$/],
    ['SEC11DD4CC863755', /^SEC[0-9A-Z]{13}$/],
    ['ApplF17KQ2XXDTTN', /^Appl[A-Z0-9]{12}$/],
  ])('%s keeps its shape', (id, shape) => {
    const fresh = freshDeviceId(id);
    expect(fresh).toMatch(shape);
    expect(fresh).not.toBe(id);
    expect(fresh).toHaveLength(id.length);
  });
});
