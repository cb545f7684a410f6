import type { CodePageDef } from './types.ts';

/**
 * Code page 15: Search (MS-ASWBXML 2.1.2.1.16).
 *
 * Tags exist from protocol 2.5 unless their row gives its own first (and last) version.
 *
 * EAS 2.5 searches only the GAL; the mailbox search query tags arrive with
 * 12.0.
 */
export const searchPage: CodePageDef = {
  page: 15,
  ns: 'Search',
  section: 'MS-ASWBXML 2.1.2.1.16',
  since: '2.5',
  tags: [
    [0x05, 'Search'],
    [0x07, 'Store'],
    [0x08, 'Name'],
    [0x09, 'Query'],
    [0x0A, 'Options'],
    [0x0B, 'Range'],
    [0x0C, 'Status'],
    [0x0D, 'Response'],
    [0x0E, 'Result'],
    [0x0F, 'Properties'],
    [0x10, 'Total'],
    [0x11, 'EqualTo', '12.0'],
    [0x12, 'Value', '12.0'],
    [0x13, 'And', '12.0'],
    [0x14, 'Or', '12.0'],
    [0x15, 'FreeText', '12.0'],
    [0x17, 'DeepTraversal', '12.0'],
    [0x18, 'LongId', '12.0'],
    [0x19, 'RebuildResults', '12.0'],
    [0x1A, 'LessThan', '12.0'],
    [0x1B, 'GreaterThan', '12.0'],
    [0x1C, 'Schema', null],
    [0x1D, 'Supported', null],
    [0x1E, 'UserName', '12.1'],
    [0x1F, 'Password', '12.1'],
    [0x20, 'ConversationId', '14.0'],
    [0x21, 'Picture', '14.1'],
    [0x22, 'MaxSize', '14.1'],
    [0x23, 'MaxPictures', '14.1'],
  ],
};
