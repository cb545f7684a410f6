import type { CodePageDef } from './types.ts';

/**
 * Code page 5: Move (MS-ASWBXML 2.1.2.1.6).
 *
 * Tags exist from protocol 2.5 unless their row gives its own first (and last) version.
 */
export const movePage: CodePageDef = {
  page: 5,
  ns: 'Move',
  section: 'MS-ASWBXML 2.1.2.1.6',
  since: '2.5',
  tags: [
    [0x05, 'MoveItems'],
    [0x06, 'Move'],
    [0x07, 'SrcMsgId'],
    [0x08, 'SrcFldId'],
    [0x09, 'DstFldId'],
    [0x0A, 'Response'],
    [0x0B, 'Status'],
    [0x0C, 'DstMsgId'],
  ],
};
