import type { CodePageDef } from './types.ts';

/**
 * Code page 23: Notes (MS-ASWBXML 2.1.2.1.24).
 *
 * Tags exist from protocol 14.0 unless their row gives its own first (and last) version.
 */
export const notesPage: CodePageDef = {
  page: 23,
  ns: 'Notes',
  section: 'MS-ASWBXML 2.1.2.1.24',
  since: '14.0',
  tags: [
    [0x05, 'Subject'],
    [0x06, 'MessageClass'],
    [0x07, 'LastModifiedDate'],
    [0x08, 'Categories'],
    [0x09, 'Category'],
  ],
};
