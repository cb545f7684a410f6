import type { CodePageDef } from './types.ts';

/**
 * Code page 12: Contacts2 (MS-ASWBXML 2.1.2.1.13).
 *
 * Tags exist from protocol 2.5 unless their row gives its own first (and last) version.
 */
export const contacts2Page: CodePageDef = {
  page: 12,
  ns: 'Contacts2',
  section: 'MS-ASWBXML 2.1.2.1.13',
  since: '2.5',
  tags: [
    [0x05, 'CustomerId'],
    [0x06, 'GovernmentId'],
    [0x07, 'IMAddress'],
    [0x08, 'IMAddress2'],
    [0x09, 'IMAddress3'],
    [0x0A, 'ManagerName'],
    [0x0B, 'CompanyMainPhone'],
    [0x0C, 'AccountName'],
    [0x0D, 'NickName'],
    [0x0E, 'MMS'],
  ],
};
