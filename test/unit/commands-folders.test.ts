import { describe, expect, it } from 'vitest';
import { ns, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { buildFolderSyncResponse, FolderSyncStatus, FolderType, parseFolderSyncRequest } from '../../protocol/commands/folder-sync.ts';
import { buildFolderCreateResponse, FolderCommandStatus, parseFolderCreateRequest } from '../../protocol/commands/folder-create.ts';
import { buildFolderUpdateResponse, parseFolderUpdateRequest } from '../../protocol/commands/folder-update.ts';
import { buildFolderDeleteResponse, parseFolderDeleteRequest } from '../../protocol/commands/folder-delete.ts';
import { xml, commandFailure } from './helpers/wire.ts';

const fh = ns('FolderHierarchy');

describe('FolderSync (MS-ASCMD 2.2.1.5)', () => {
  it('reads the SyncKey', () => {
    expect(parseFolderSyncRequest(fh('FolderSync', [fh('SyncKey', '0')]), '14.1')).toEqual({ syncKey: '0' });
  });

  it.each<[string, WbxmlElement | undefined]>([
    ['no body', undefined],
    ['no SyncKey', fh('FolderSync')],
    ['an empty SyncKey', fh('FolderSync', [{ ns: 'FolderHierarchy', name: 'SyncKey', text: '' }])],
    ['a wrong root', fh('FolderCreate', [fh('SyncKey', '0')])],
  ])('refuses %s with Status 10', (_w, root) => {
    expect(commandFailure(() => parseFolderSyncRequest(root, '14.1'))).toEqual({ command: 'FolderSync', status: FolderSyncStatus.IncorrectlyFormattedRequest });
  });

  it('writes Status, SyncKey and Changes with Count, Delete, Update, Add in that order', () => {
    const tree = buildFolderSyncResponse(
      {
        status: 1,
        syncKey: '2',
        changes: {
          adds: [
            { serverId: '1', parentId: '0', displayName: 'Inbox', type: FolderType.Inbox },
            { serverId: '9', parentId: '1', displayName: 'Work', type: FolderType.UserMail },
          ],
          updates: [{ serverId: '4', parentId: '0', displayName: 'Renamed', type: FolderType.UserMail }],
          deletes: ['7'],
        },
      },
      '14.1',
    );
    expect(xml(tree)).toBe(
      '<FolderHierarchy:FolderSync><Status>1</Status><SyncKey>2</SyncKey><Changes><Count>4</Count>' +
        '<Delete><ServerId>7</ServerId></Delete>' +
        '<Update><ServerId>4</ServerId><ParentId>0</ParentId><DisplayName>Renamed</DisplayName><Type>12</Type></Update>' +
        '<Add><ServerId>1</ServerId><ParentId>0</ParentId><DisplayName>Inbox</DisplayName><Type>2</Type></Add>' +
        '<Add><ServerId>9</ServerId><ParentId>1</ParentId><DisplayName>Work</DisplayName><Type>12</Type></Add>' +
        '</Changes></FolderHierarchy:FolderSync>',
    );
  });

  it('writes Count 0 when nothing changed, and only Status on failure', () => {
    expect(xml(buildFolderSyncResponse({ status: 1, syncKey: '3', changes: { adds: [], updates: [], deletes: [] } }, '12.1'))).toBe(
      '<FolderHierarchy:FolderSync><Status>1</Status><SyncKey>3</SyncKey><Changes><Count>0</Count></Changes></FolderHierarchy:FolderSync>',
    );
    expect(xml(buildFolderSyncResponse({ status: FolderSyncStatus.InvalidSyncKey }, '2.5'))).toBe(
      '<FolderHierarchy:FolderSync><Status>9</Status></FolderHierarchy:FolderSync>',
    );
  });
});

describe('FolderCreate (MS-ASCMD 2.2.1.3)', () => {
  it('reads SyncKey, ParentId, DisplayName and Type', () => {
    const root = fh('FolderCreate', [fh('SyncKey', '2'), fh('ParentId', '0'), fh('DisplayName', 'Projects'), fh('Type', '12')]);
    expect(parseFolderCreateRequest(root, '14.1')).toEqual({ syncKey: '2', parentId: '0', displayName: 'Projects', type: 12 });
  });

  it.each<[string, WbxmlElement]>([
    ['no DisplayName', fh('FolderCreate', [fh('SyncKey', '2'), fh('ParentId', '0'), fh('Type', '12')])],
    ['a system folder type', fh('FolderCreate', [fh('SyncKey', '2'), fh('ParentId', '0'), fh('DisplayName', 'x'), fh('Type', '2')])],
    ['a non-numeric Type', fh('FolderCreate', [fh('SyncKey', '2'), fh('ParentId', '0'), fh('DisplayName', 'x'), fh('Type', 'mail')])],
  ])('refuses %s with Status 10', (_w, root) => {
    expect(commandFailure(() => parseFolderCreateRequest(root, '14.1'))).toEqual({ command: 'FolderCreate', status: 10 });
  });

  it('writes Status, SyncKey, ServerId', () => {
    expect(xml(buildFolderCreateResponse({ status: 1, syncKey: '3', serverId: '12' }, '14.1'))).toBe(
      '<FolderHierarchy:FolderCreate><Status>1</Status><SyncKey>3</SyncKey><ServerId>12</ServerId></FolderHierarchy:FolderCreate>',
    );
    expect(xml(buildFolderCreateResponse({ status: FolderCommandStatus.AlreadyExists }, '14.1'))).toBe(
      '<FolderHierarchy:FolderCreate><Status>2</Status></FolderHierarchy:FolderCreate>',
    );
  });
});

describe('FolderUpdate (MS-ASCMD 2.2.1.6)', () => {
  it('reads SyncKey, ServerId, ParentId, DisplayName', () => {
    const root = fh('FolderUpdate', [fh('SyncKey', '3'), fh('ServerId', '12'), fh('ParentId', '1'), fh('DisplayName', 'Old projects')]);
    expect(parseFolderUpdateRequest(root, '14.1')).toEqual({ syncKey: '3', serverId: '12', parentId: '1', displayName: 'Old projects' });
  });

  it('refuses a request without ServerId with Status 10', () => {
    const root = fh('FolderUpdate', [fh('SyncKey', '3'), fh('ParentId', '1'), fh('DisplayName', 'x')]);
    expect(commandFailure(() => parseFolderUpdateRequest(root, '14.1'))).toEqual({ command: 'FolderUpdate', status: 10 });
  });

  it('writes Status, SyncKey', () => {
    expect(xml(buildFolderUpdateResponse({ status: 1, syncKey: '4' }, '14.1'))).toBe(
      '<FolderHierarchy:FolderUpdate><Status>1</Status><SyncKey>4</SyncKey></FolderHierarchy:FolderUpdate>',
    );
  });
});

describe('FolderDelete (MS-ASCMD 2.2.1.4)', () => {
  it('reads SyncKey and ServerId', () => {
    expect(parseFolderDeleteRequest(fh('FolderDelete', [fh('SyncKey', '4'), fh('ServerId', '12')]), '14.1')).toEqual({ syncKey: '4', serverId: '12' });
  });

  it('refuses a request without SyncKey with Status 10', () => {
    expect(commandFailure(() => parseFolderDeleteRequest(fh('FolderDelete', [fh('ServerId', '12')]), '14.1'))).toEqual({ command: 'FolderDelete', status: 10 });
  });

  it('writes Status, SyncKey, or only Status for a special folder', () => {
    expect(xml(buildFolderDeleteResponse({ status: 1, syncKey: '5' }, '14.1'))).toBe(
      '<FolderHierarchy:FolderDelete><Status>1</Status><SyncKey>5</SyncKey></FolderHierarchy:FolderDelete>',
    );
    expect(xml(buildFolderDeleteResponse({ status: FolderCommandStatus.SpecialFolder }, '14.1'))).toBe(
      '<FolderHierarchy:FolderDelete><Status>3</Status></FolderHierarchy:FolderDelete>',
    );
  });
});
