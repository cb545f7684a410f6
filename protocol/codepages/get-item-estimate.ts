import type { CodePageDef } from './types.ts';

/**
 * Code page 6: GetItemEstimate (MS-ASWBXML 2.1.2.1.7).
 *
 * Tags exist from protocol 2.5 unless their row gives its own first (and last) version.
 *
 * MS-ASWBXML names this page "ItemEstimate"; MS-ASCMD examples and real
 * servers use xmlns="GetItemEstimate", which is what we read and write. From
 * 14.0 the class is given by airsync:Class / the collection itself.
 */
export const getItemEstimatePage: CodePageDef = {
  page: 6,
  ns: 'GetItemEstimate',
  section: 'MS-ASWBXML 2.1.2.1.7',
  since: '2.5',
  tags: [
    [0x05, 'GetItemEstimate'],
    [0x06, 'Version', null],
    [0x07, 'Collections'],
    [0x08, 'Collection'],
    [0x09, 'Class', '2.5', '12.1'],
    [0x0A, 'CollectionId'],
    [0x0B, 'DateTime', null],
    [0x0C, 'Estimate'],
    [0x0D, 'Response'],
    [0x0E, 'Status'],
  ],
};
