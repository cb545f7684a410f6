import type { CodePageDef } from './types.ts';

/**
 * Code page 7: FolderHierarchy (MS-ASWBXML 2.1.2.1.8).
 *
 * Tags exist from protocol 2.5 unless their row gives its own first (and last) version.
 */
export const folderHierarchyPage: CodePageDef = {
  page: 7,
  ns: 'FolderHierarchy',
  section: 'MS-ASWBXML 2.1.2.1.8',
  since: '2.5',
  tags: [
    [0x05, 'Folders', '2.5', '12.1'],
    [0x06, 'Folder', '2.5', '12.1'],
    [0x07, 'DisplayName'],
    [0x08, 'ServerId'],
    [0x09, 'ParentId'],
    [0x0A, 'Type'],
    [0x0B, 'Response', null],
    [0x0C, 'Status'],
    [0x0D, 'ContentClass', null],
    [0x0E, 'Changes'],
    [0x0F, 'Add'],
    [0x10, 'Delete'],
    [0x11, 'Update'],
    [0x12, 'SyncKey'],
    [0x13, 'FolderCreate'],
    [0x14, 'FolderDelete'],
    [0x15, 'FolderUpdate'],
    [0x16, 'FolderSync'],
    [0x17, 'Count'],
    [0x18, 'Version', null],
  ],
};
