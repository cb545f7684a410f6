import { describe, expect, it } from 'vitest';
import { el, ns, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { CommandParseError } from '../../protocol/commands/errors.ts';
import { buildSyncResponse, parseSyncRequest, SyncStatus, type SyncRequestBody, type SyncResponse } from '../../protocol/commands/sync.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { xml } from './helpers/wire.ts';

const as = ns('AirSync');
const asb = ns('AirSyncBase');

function statusOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof CommandParseError) {
      expect(e.command).toBe('Sync');
      return e.status;
    }
    throw e;
  }
  return undefined;
}

const appData = as('ApplicationData', [el('Email', 'Read', '1')]);

describe('parseSyncRequest (MS-ASCMD 2.2.1.21)', () => {
  it('reads collections, options, client commands in order and the top-level fields (14.1)', () => {
    const root = as('Sync', [
      as('Collections', [
        as('Collection', [
          as('SyncKey', '{a}3'),
          as('CollectionId', '5'),
          as('DeletesAsMoves', '1'),
          as('GetChanges'),
          as('WindowSize', '25'),
          as('Options', [
            as('FilterType', '3'),
            asb('BodyPreference', [asb('Type', '2'), asb('TruncationSize', '51200'), asb('AllOrNone', '0'), asb('Preview', '255')]),
            as('MIMESupport', '1'),
            as('MIMETruncation', '8'),
            as('Conflict', '1'),
            el('RightsManagement', 'RightsManagementSupport', '1'),
          ]),
          as('Options', [as('Class', 'SMS'), as('FilterType', '0'), asb('BodyPreference', [asb('Type', '1')])]),
          as('Commands', [
            as('Add', [as('ClientId', 'c1'), appData]),
            as('Change', [as('ServerId', '5:1'), appData]),
            as('Delete', [as('ServerId', '5:2')]),
            as('Fetch', [as('ServerId', '5:3')]),
          ]),
        ]),
        as('Collection', [as('SyncKey', '0'), as('CollectionId', '8')]),
      ]),
      as('Wait', '10'),
      as('WindowSize', '100'),
      as('Partial', '1'),
    ]);
    const req = parseSyncRequest(root, '14.1') as SyncRequestBody;
    expect(req.empty).toBe(false);
    expect(req.wait).toBe(10);
    expect(req.windowSize).toBe(100);
    expect(req.partial).toBe(true);
    expect(req.heartbeatInterval).toBeUndefined();
    expect(req.collections).toHaveLength(2);
    const [c1, c2] = req.collections;
    expect(c1).toMatchObject({ syncKey: '{a}3', collectionId: '5', deletesAsMoves: true, getChanges: true, windowSize: 25 });
    expect(c1!.options).toEqual([
      {
        filterType: 3,
        bodyPreferences: [{ type: 2, truncationSize: 51200, allOrNone: false, preview: 255 }],
        bodyPartPreferences: [],
        mimeSupport: 1,
        mimeTruncation: 8,
        conflict: 1,
        rightsManagementSupport: true,
      },
      { class: 'SMS', filterType: 0, bodyPreferences: [{ type: 1 }], bodyPartPreferences: [] },
    ]);
    expect(c1!.commands.map((c) => c.kind)).toEqual(['Add', 'Change', 'Delete', 'Fetch']);
    expect(c1!.commands[0]).toEqual({ kind: 'Add', clientId: 'c1', applicationData: appData });
    expect(c1!.commands[1]).toEqual({ kind: 'Change', serverId: '5:1', applicationData: appData });
    expect(c1!.commands[2]).toEqual({ kind: 'Delete', serverId: '5:2' });
    expect(c1!.commands[3]).toEqual({ kind: 'Fetch', serverId: '5:3' });
    expect(c2).toEqual({ syncKey: '0', collectionId: '8', options: [], commands: [] });
  });

  it('reads the 2.5 form: Class in the collection, Truncation in Options', () => {
    const root = as('Sync', [
      as('Collections', [
        as('Collection', [
          as('Class', 'Email'),
          as('SyncKey', '1'),
          as('CollectionId', '2'),
          as('GetChanges', '0'),
          as('Options', [as('FilterType', '2'), as('Truncation', '4'), as('MIMESupport', '0')]),
        ]),
      ]),
    ]);
    const req = parseSyncRequest(root, '2.5') as SyncRequestBody;
    expect(req.collections[0]).toEqual({
      syncKey: '1',
      collectionId: '2',
      class: 'Email',
      getChanges: false,
      options: [{ filterType: 2, truncation: 4, mimeSupport: 0, bodyPreferences: [], bodyPartPreferences: [] }],
      commands: [],
    });
  });

  it('reads Supported as the list of ghosted element names', () => {
    const root = as('Sync', [
      as('Collections', [
        as('Collection', [as('SyncKey', '0'), as('CollectionId', '3'), as('Supported', [el('Contacts', 'FileAs'), el('Contacts', 'Birthday')])]),
      ]),
    ]);
    const req = parseSyncRequest(root, '14.1') as SyncRequestBody;
    expect(req.collections[0]!.supported).toEqual([
      { ns: 'Contacts', name: 'FileAs' },
      { ns: 'Contacts', name: 'Birthday' },
    ]);
  });

  it('treats no body and an empty <Sync/> as the empty request', () => {
    expect(parseSyncRequest(undefined, '14.1')).toEqual({ empty: true });
    expect(parseSyncRequest(as('Sync'), '14.1')).toEqual({ empty: true });
  });

  it('keeps a Wait-only request without Collections apart from the empty one', () => {
    const req = parseSyncRequest(as('Sync', [as('HeartbeatInterval', '480')]), '14.1') as SyncRequestBody;
    expect(req).toEqual({ empty: false, collectionsPresent: false, collections: [], partial: false, heartbeatInterval: 480 });
  });

  const coll = (...children: WbxmlElement[]) => as('Sync', [as('Collections', [as('Collection', children)])]);
  it.each<[string, WbxmlElement]>([
    ['a collection without SyncKey', coll(as('CollectionId', '1'))],
    ['a collection without CollectionId', coll(as('SyncKey', '1'))],
    ['an Add without ClientId', coll(as('SyncKey', '1'), as('CollectionId', '1'), as('Commands', [as('Add', [appData])]))],
    ['a Change without ApplicationData', coll(as('SyncKey', '1'), as('CollectionId', '1'), as('Commands', [as('Change', [as('ServerId', '1:1')])]))],
    ['an unknown operation', coll(as('SyncKey', '1'), as('CollectionId', '1'), as('Commands', [as('Frob', [as('ServerId', '1:1')])]))],
    ['FilterType 9', coll(as('SyncKey', '1'), as('CollectionId', '1'), as('Options', [as('FilterType', '9')]))],
    ['a non-numeric WindowSize', coll(as('SyncKey', '1'), as('CollectionId', '1'), as('WindowSize', 'lots'))],
    ['BodyPreference Type 7', coll(as('SyncKey', '1'), as('CollectionId', '1'), as('Options', [asb('BodyPreference', [asb('Type', '7')])]))],
    ['BodyPreference without Type', coll(as('SyncKey', '1'), as('CollectionId', '1'), as('Options', [asb('BodyPreference', [asb('TruncationSize', '5')])]))],
    ['a SyncKey of 65 characters', coll(as('SyncKey', 'k'.repeat(65)), as('CollectionId', '1'))],
    ['Wait together with HeartbeatInterval', as('Sync', [as('Wait', '5'), as('HeartbeatInterval', '300')])],
    ['a root that is not AirSync:Sync', el('Ping', 'Ping', [el('Ping', 'HeartbeatInterval', '60')])],
  ])('refuses %s with Status 4', (_what, root) => {
    expect(statusOf(() => parseSyncRequest(root, '14.1'))).toBe(SyncStatus.ProtocolError);
  });
});

describe('buildSyncResponse (MS-ASCMD 2.2.1.21)', () => {
  const subject = [el('Email', 'Subject', 'Hi')];
  const response = (cls?: string): SyncResponse => ({
    collections: [
      {
        ...(cls ? { class: cls } : {}),
        syncKey: '{k}4',
        collectionId: '5',
        status: 1,
        moreAvailable: true,
        commands: [
          { kind: 'Add', class: 'Email', serverId: '5:9', applicationData: subject },
          { kind: 'Change', serverId: '5:1', applicationData: [el('Email', 'Read', '1')] },
          { kind: 'Delete', serverId: '5:2' },
          { kind: 'SoftDelete', serverId: '5:3' },
        ],
        responses: [
          { kind: 'Add', clientId: 'c1', serverId: '5:10', status: 1, applicationData: [el('AirSyncBase', 'Attachments')] },
          { kind: 'Change', serverId: '5:4', status: 8 },
          { kind: 'Delete', serverId: '5:5', status: 8 },
          { kind: 'Fetch', serverId: '5:6', status: 1, applicationData: subject },
        ],
      },
    ],
  });

  it('writes a 14.1 collection as SyncKey, CollectionId, Status, MoreAvailable, Commands, Responses', () => {
    expect(xml(buildSyncResponse(response('Email'), '14.1'))).toBe(
      '<AirSync:Sync><Collections><Collection>' +
        '<SyncKey>{k}4</SyncKey><CollectionId>5</CollectionId><Status>1</Status><MoreAvailable/>' +
        '<Commands>' +
        '<Add><Class>Email</Class><ServerId>5:9</ServerId><ApplicationData><Email:Subject>Hi</Email:Subject></ApplicationData></Add>' +
        '<Change><ServerId>5:1</ServerId><ApplicationData><Email:Read>1</Email:Read></ApplicationData></Change>' +
        '<Delete><ServerId>5:2</ServerId></Delete>' +
        '<SoftDelete><ServerId>5:3</ServerId></SoftDelete>' +
        '</Commands>' +
        '<Responses>' +
        '<Add><ClientId>c1</ClientId><ServerId>5:10</ServerId><Status>1</Status></Add>' +
        '<Change><ServerId>5:4</ServerId><Status>8</Status></Change>' +
        '<Delete><ServerId>5:5</ServerId><Status>8</Status></Delete>' +
        '<Fetch><ServerId>5:6</ServerId><Status>1</Status><ApplicationData><Email:Subject>Hi</Email:Subject></ApplicationData></Fetch>' +
        '</Responses>' +
        '</Collection></Collections></AirSync:Sync>',
    );
  });

  it('writes collection Class first for 2.5 and no item-level Class', () => {
    const out = xml(buildSyncResponse(response('Email'), '2.5'));
    expect(out.startsWith('<AirSync:Sync><Collections><Collection><Class>Email</Class><SyncKey>{k}4</SyncKey>')).toBe(true);
    expect(out).toContain('<Add><ServerId>5:9</ServerId>');
  });

  it('writes collection Class for 12.1 but not for 14.0 and later', () => {
    expect(xml(buildSyncResponse(response('Email'), '12.1'))).toContain('<Collection><Class>Email</Class>');
    expect(xml(buildSyncResponse(response('Email'), '16.1'))).toContain('<Collection><SyncKey>');
  });

  it('adds ApplicationData to an Add response from 16.0 only', () => {
    expect(xml(buildSyncResponse(response(), '16.1'))).toContain(
      '<Add><ClientId>c1</ClientId><ServerId>5:10</ServerId><Status>1</Status><ApplicationData><AirSyncBase:Attachments/></ApplicationData></Add>',
    );
    expect(xml(buildSyncResponse(response(), '14.1'))).toContain('<Add><ClientId>c1</ClientId><ServerId>5:10</ServerId><Status>1</Status></Add>');
  });

  it('omits MoreAvailable, Commands and Responses when there is nothing to say', () => {
    const res: SyncResponse = { collections: [{ syncKey: '1', collectionId: '3', status: 1, commands: [], responses: [] }] };
    expect(xml(buildSyncResponse(res, '14.1'))).toBe(
      '<AirSync:Sync><Collections><Collection><SyncKey>1</SyncKey><CollectionId>3</CollectionId><Status>1</Status></Collection></Collections></AirSync:Sync>',
    );
  });

  it('writes a top-level failure with Limit and no Collections (Status 14)', () => {
    const res: SyncResponse = { status: SyncStatus.InvalidWaitOrHeartbeat, limit: 59, collections: [{ syncKey: '1', collectionId: '3', status: 1 }] };
    expect(xml(buildSyncResponse(res, '14.1'))).toBe('<AirSync:Sync><Status>14</Status><Limit>59</Limit></AirSync:Sync>');
  });

  it('writes a per-collection invalid SyncKey (Status 3)', () => {
    const res: SyncResponse = { collections: [{ syncKey: '0', collectionId: '3', status: SyncStatus.InvalidSyncKey }] };
    expect(xml(buildSyncResponse(res, '12.1'))).toBe(
      '<AirSync:Sync><Collections><Collection><SyncKey>0</SyncKey><CollectionId>3</CollectionId><Status>3</Status></Collection></Collections></AirSync:Sync>',
    );
  });

  it.each<ProtocolVersion>(['2.5', '12.0', '12.1', '14.0', '14.1', '16.0', '16.1'])('keeps the Add response ApplicationData out of %s unless 16.x', (v) => {
    const has = xml(buildSyncResponse(response(), v)).includes('<ClientId>c1</ClientId><ServerId>5:10</ServerId><Status>1</Status><ApplicationData>');
    expect(has).toBe(v.startsWith('16'));
  });
});
