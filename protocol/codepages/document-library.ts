import type { CodePageDef } from './types.ts';

/**
 * Code page 19: DocumentLibrary (MS-ASWBXML 2.1.2.1.20).
 *
 * Tags exist from protocol 12.0 unless their row gives its own first (and last) version.
 */
export const documentLibraryPage: CodePageDef = {
  page: 19,
  ns: 'DocumentLibrary',
  section: 'MS-ASWBXML 2.1.2.1.20',
  since: '12.0',
  tags: [
    [0x05, 'LinkId'],
    [0x06, 'DisplayName'],
    [0x07, 'IsFolder'],
    [0x08, 'CreationDate'],
    [0x09, 'LastModifiedDate'],
    [0x0A, 'IsHidden'],
    [0x0B, 'ContentLength'],
    [0x0C, 'ContentType'],
  ],
};
