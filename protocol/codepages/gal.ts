import type { CodePageDef } from './types.ts';

/**
 * Code page 16: GAL (MS-ASWBXML 2.1.2.1.17).
 *
 * Tags exist from protocol 2.5 unless their row gives its own first (and last) version.
 */
export const galPage: CodePageDef = {
  page: 16,
  ns: 'GAL',
  section: 'MS-ASWBXML 2.1.2.1.17',
  since: '2.5',
  tags: [
    [0x05, 'DisplayName'],
    [0x06, 'Phone'],
    [0x07, 'Office'],
    [0x08, 'Title'],
    [0x09, 'Company'],
    [0x0A, 'Alias'],
    [0x0B, 'FirstName'],
    [0x0C, 'LastName'],
    [0x0D, 'HomePhone'],
    [0x0E, 'MobilePhone'],
    [0x0F, 'EmailAddress'],
    [0x10, 'Picture', '14.1'],
    [0x11, 'Status', '14.1'],
    [0x12, 'Data', '14.1'],
  ],
};
