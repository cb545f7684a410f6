import { describe, expect, it } from 'vitest';
import { el } from '../../protocol/wbxml/tree.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { decodeWbxml } from '../../protocol/wbxml/decoder.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import {
  buildFolderSyncRequest,
  buildFolderSyncResponse,
  buildSyncRequest,
  buildSyncResponse,
  FolderType,
  parseFolderSyncRequest,
  parseSyncRequest,
  type SyncRequest,
  type SyncResponse,
} from '../../protocol/commands/index.ts';

/** What the wire does to a tree: encode at `version`, decode again. */
function overTheWire(tree: Parameters<typeof encodeWbxml>[0], version: ProtocolVersion) {
  return decodeWbxml(encodeWbxml(tree, { version }));
}

const VERSIONS: ProtocolVersion[] = ['12.1', '14.1', '16.1'];

describe.each(VERSIONS)('round trip build -> encode -> decode -> parse at %s', (version) => {
  const at14 = version !== '12.1';

  it('Sync request comes back as the same typed request', () => {
    const appData = el('AirSync', 'ApplicationData', [el('Email', 'Read', '1'), el('Email', 'Flag')]);
    const req: SyncRequest = {
      empty: false,
      collectionsPresent: true,
      collections: [
        {
          syncKey: '{5b1f}7',
          collectionId: '5',
          ...(at14 ? {} : { class: 'Email' }),
          deletesAsMoves: true,
          getChanges: true,
          windowSize: 50,
          options: [
            {
              ...(at14 ? { class: 'Email' } : {}),
              filterType: 3,
              bodyPreferences: [{ type: 2, truncationSize: 32768, allOrNone: false, ...(at14 ? { preview: 100 } : {}) }],
              bodyPartPreferences: [],
              conflict: 1,
              mimeSupport: 0,
            },
          ],
          commands: [
            { kind: 'Change', serverId: '5:1', applicationData: appData },
            { kind: 'Delete', serverId: '5:2' },
            { kind: 'Fetch', serverId: '5:3' },
          ],
        },
        { syncKey: '0', collectionId: '9', options: [], commands: [] },
      ],
      partial: true,
      ...(at14 ? { heartbeatInterval: 600 } : { wait: 10 }),
      windowSize: 100,
    };
    const tree = buildSyncRequest(req, version)!;
    expect(parseSyncRequest(overTheWire(tree, version), version)).toEqual(req);
  });

  it('Sync response tree survives the wire unchanged', () => {
    const res: SyncResponse = {
      collections: [
        {
          syncKey: '{5b1f}8',
          collectionId: '5',
          status: 1,
          moreAvailable: true,
          commands: [
            { kind: 'Add', serverId: '5:10', applicationData: [el('Email', 'Subject', 'Grüße'), el('Email', 'Read', '0')] },
            { kind: 'Delete', serverId: '5:2' },
          ],
          responses: [{ kind: 'Change', serverId: '5:1', status: 1 }],
        },
      ],
    };
    const tree = buildSyncResponse(res, version);
    expect(overTheWire(tree, version)).toEqual(tree);
  });

  it('FolderSync request and response survive the wire', () => {
    const req = { syncKey: '0' };
    expect(parseFolderSyncRequest(overTheWire(buildFolderSyncRequest(req, version), version), version)).toEqual(req);
    const tree = buildFolderSyncResponse(
      {
        status: 1,
        syncKey: '1',
        changes: {
          adds: [
            { serverId: '1', parentId: '0', displayName: 'Inbox', type: FolderType.Inbox },
            { serverId: '2', parentId: '0', displayName: 'Kalender', type: FolderType.Calendar },
          ],
          updates: [],
          deletes: [],
        },
      },
      version,
    );
    expect(overTheWire(tree, version)).toEqual(tree);
  });
});

describe('empty requests', () => {
  it('an empty Sync request is no body at all, and parses back as empty', () => {
    expect(buildSyncRequest({ empty: true }, '14.1')).toBeUndefined();
    expect(parseSyncRequest(undefined, '14.1')).toEqual({ empty: true });
  });
});
