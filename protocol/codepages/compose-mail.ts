import type { CodePageDef } from './types.ts';

/**
 * Code page 21: ComposeMail (MS-ASWBXML 2.1.2.1.22).
 *
 * Tags exist from protocol 14.0 unless their row gives its own first (and last) version.
 *
 * Before 14.0, SendMail/SmartReply/SmartForward send raw MIME with query
 * parameters instead of a WBXML body (MS-ASCMD 2.2.1.17).
 */
export const composeMailPage: CodePageDef = {
  page: 21,
  ns: 'ComposeMail',
  section: 'MS-ASWBXML 2.1.2.1.22',
  since: '14.0',
  tags: [
    [0x05, 'SendMail'],
    [0x06, 'SmartForward'],
    [0x07, 'SmartReply'],
    [0x08, 'SaveInSentItems'],
    [0x09, 'ReplaceMime'],
    [0x0B, 'Source'],
    [0x0C, 'FolderId'],
    [0x0D, 'ItemId'],
    [0x0E, 'LongId'],
    [0x0F, 'InstanceId'],
    [0x10, 'Mime'],
    [0x11, 'ClientId'],
    [0x12, 'Status'],
    [0x13, 'AccountId', '14.1'],
    [0x15, 'Forwardees', '16.0'],
    [0x16, 'Forwardee', '16.0'],
    [0x17, 'Name', '16.0'],
    [0x18, 'Email', '16.0'],
  ],
};
