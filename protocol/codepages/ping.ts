import type { CodePageDef } from './types.ts';

/**
 * Code page 13: Ping (MS-ASWBXML 2.1.2.1.14).
 *
 * Tags exist from protocol 2.5 unless their row gives its own first (and last) version.
 *
 * AutdState (0x06) is defined but not used by the protocol.
 */
export const pingPage: CodePageDef = {
  page: 13,
  ns: 'Ping',
  section: 'MS-ASWBXML 2.1.2.1.14',
  since: '2.5',
  tags: [
    [0x05, 'Ping'],
    [0x06, 'AutdState', null],
    [0x07, 'Status'],
    [0x08, 'HeartbeatInterval'],
    [0x09, 'Folders'],
    [0x0A, 'Folder'],
    [0x0B, 'Id'],
    [0x0C, 'Class'],
    [0x0D, 'MaxFolders'],
  ],
};
