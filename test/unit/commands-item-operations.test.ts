import { describe, expect, it } from 'vitest';
import { el, ns, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { buildItemOperationsResponse, ItemOperationsStatus, parseItemOperationsRequest } from '../../protocol/commands/item-operations.ts';
import { xml, commandFailure } from './helpers/wire.ts';

const io = ns('ItemOperations');
const as = ns('AirSync');
const asb = ns('AirSyncBase');

describe('parseItemOperationsRequest (MS-ASCMD 2.2.1.10)', () => {
  it('reads Fetch (item and attachment), EmptyFolderContents and Move in document order', () => {
    const root = io('ItemOperations', [
      io('Fetch', [
        io('Store', 'Mailbox'),
        as('CollectionId', '5'),
        as('ServerId', '5:3'),
        io('Options', [as('MIMESupport', '2'), asb('BodyPreference', [asb('Type', '4'), asb('TruncationSize', '100000')])]),
      ]),
      io('Fetch', [io('Store', 'Mailbox'), asb('FileReference', '5:3:1'), io('Options', [io('Range', '0-1023')])]),
      io('EmptyFolderContents', [as('CollectionId', '4'), io('Options', [io('DeleteSubFolders')])]),
      io('Move', [io('ConversationId', new Uint8Array([1, 2, 3])), io('DstFldId', '9'), io('Options', [io('MoveAlways')])]),
    ]);
    expect(parseItemOperationsRequest(root, '14.1')).toEqual({
      operations: [
        {
          kind: 'Fetch',
          store: 'Mailbox',
          collectionId: '5',
          serverId: '5:3',
          options: { mimeSupport: 2, bodyPreferences: [{ type: 4, truncationSize: 100000 }], bodyPartPreferences: [] },
        },
        { kind: 'Fetch', store: 'Mailbox', fileReference: '5:3:1', options: { range: { start: 0, end: 1023 }, bodyPreferences: [], bodyPartPreferences: [] } },
        { kind: 'EmptyFolderContents', collectionId: '4', deleteSubFolders: true },
        { kind: 'Move', conversationId: new Uint8Array([1, 2, 3]), dstFldId: '9', moveAlways: true },
      ],
    });
  });

  it.each<[string, WbxmlElement | undefined, number]>([
    ['no body', undefined, ItemOperationsStatus.ProtocolError],
    ['no operation', io('ItemOperations'), ItemOperationsStatus.ProtocolError],
    ['a Fetch without Store', io('ItemOperations', [io('Fetch', [as('ServerId', '1:1')])]), ItemOperationsStatus.ProtocolError],
    ['a Fetch naming no item', io('ItemOperations', [io('Fetch', [io('Store', 'Mailbox'), as('CollectionId', '1')])]), ItemOperationsStatus.ProtocolError],
    ['an EmptyFolderContents without CollectionId', io('ItemOperations', [io('EmptyFolderContents')]), ItemOperationsStatus.ProtocolError],
    ['a Move without DstFldId', io('ItemOperations', [io('Move', [io('ConversationId', 'abc')])]), ItemOperationsStatus.ProtocolError],
    [
      'a Range that ends before it starts',
      io('ItemOperations', [io('Fetch', [io('Store', 'Mailbox'), asb('FileReference', 'f'), io('Options', [io('Range', '100-5')])])]),
      ItemOperationsStatus.InvalidByteRange,
    ],
  ])('refuses %s with the matching status', (_w, root, status) => {
    expect(commandFailure(() => parseItemOperationsRequest(root, '14.1'))).toEqual({ command: 'ItemOperations', status });
  });
});

describe('buildItemOperationsResponse (MS-ASCMD 2.2.1.10)', () => {
  it('writes Status then one result per operation, a Fetch as Status, ids, Class, Properties', () => {
    const tree = buildItemOperationsResponse(
      {
        status: 1,
        results: [
          {
            kind: 'Fetch',
            status: 1,
            collectionId: '5',
            serverId: '5:3',
            class: 'Email',
            properties: [el('Email', 'Subject', 'Hi'), asb('Body', [asb('Type', '1'), asb('Data', 'Hello')])],
          },
          { kind: 'Fetch', status: 1, fileReference: '5:3:1', file: { contentType: 'text/plain', range: { start: 0, end: 4 }, total: 5, data: new TextEncoder().encode('hello') } },
          { kind: 'Fetch', status: 1, fileReference: '5:3:2', file: { contentType: 'image/png', part: 1 } },
          { kind: 'EmptyFolderContents', status: 1, collectionId: '4' },
          { kind: 'Move', status: 1, conversationId: new Uint8Array([0xab]) },
        ],
      },
      '14.1',
    );
    expect(xml(tree)).toBe(
      '<ItemOperations:ItemOperations><Status>1</Status><Response>' +
        '<Fetch><Status>1</Status><AirSync:CollectionId>5</AirSync:CollectionId><AirSync:ServerId>5:3</AirSync:ServerId><AirSync:Class>Email</AirSync:Class>' +
        '<Properties><Email:Subject>Hi</Email:Subject><AirSyncBase:Body><Type>1</Type><Data>Hello</Data></AirSyncBase:Body></Properties></Fetch>' +
        '<Fetch><Status>1</Status><AirSyncBase:FileReference>5:3:1</AirSyncBase:FileReference>' +
        '<Properties><AirSyncBase:ContentType>text/plain</AirSyncBase:ContentType><Range>0-4</Range><Total>5</Total><Data>aGVsbG8=</Data></Properties></Fetch>' +
        '<Fetch><Status>1</Status><AirSyncBase:FileReference>5:3:2</AirSyncBase:FileReference>' +
        '<Properties><AirSyncBase:ContentType>image/png</AirSyncBase:ContentType><Part>1</Part></Properties></Fetch>' +
        '<EmptyFolderContents><Status>1</Status><AirSync:CollectionId>4</AirSync:CollectionId></EmptyFolderContents>' +
        '<Move><Status>1</Status><ConversationId>[ab]</ConversationId></Move>' +
        '</Response></ItemOperations:ItemOperations>',
    );
  });

  it('writes only Status for a global failure', () => {
    expect(xml(buildItemOperationsResponse({ status: ItemOperationsStatus.ProtocolError }, '12.1'))).toBe(
      '<ItemOperations:ItemOperations><Status>2</Status></ItemOperations:ItemOperations>',
    );
  });
});
