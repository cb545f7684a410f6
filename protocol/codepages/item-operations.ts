import type { CodePageDef } from './types.ts';

/**
 * Code page 20: ItemOperations (MS-ASWBXML 2.1.2.1.21).
 *
 * Tags exist from protocol 12.0 unless their row gives its own first (and last) version.
 */
export const itemOperationsPage: CodePageDef = {
  page: 20,
  ns: 'ItemOperations',
  section: 'MS-ASWBXML 2.1.2.1.21',
  since: '12.0',
  tags: [
    [0x05, 'ItemOperations'],
    [0x06, 'Fetch'],
    [0x07, 'Store'],
    [0x08, 'Options'],
    [0x09, 'Range'],
    [0x0A, 'Total'],
    [0x0B, 'Properties'],
    [0x0C, 'Data'],
    [0x0D, 'Status'],
    [0x0E, 'Response'],
    [0x0F, 'Version'],
    [0x10, 'Schema'],
    [0x11, 'Part'],
    [0x12, 'EmptyFolderContents'],
    [0x13, 'DeleteSubFolders'],
    [0x14, 'UserName', '12.1'],
    [0x15, 'Password', '12.1'],
    [0x16, 'Move', '14.0'],
    [0x17, 'DstFldId', '14.0'],
    [0x18, 'ConversationId', '14.0'],
    [0x19, 'MoveAlways', '14.0'],
  ],
};
