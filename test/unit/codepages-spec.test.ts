/**
 * The code-page data checked against the published spec tables.
 *
 * Two kinds of source:
 * - MS-ASWBXML code-page tables ("Tag name | Token | Protocol versions"): pages
 *   10, 11, 12 and 25 are checked row for row, as the whole table.
 * - For the other pages, MS-ASWBXML's table was not reachable, so each sampled
 *   row takes its versions from the element's "Protocol Versions" table in
 *   MS-ASCMD / MS-ASEMAIL / MS-ASCAL / MS-ASCNTC / MS-ASTASK / MS-ASAIRS /
 *   MS-ASPROV / MS-ASNOTE / MS-ASRM (section given per row). Tokens for those
 *   rows are the MS-ASWBXML tokens (cross-checked against an independent
 *   implementation's tables and the shared WBXML fixtures).
 */
import { describe, expect, it } from 'vitest';
import { WbxmlError } from '../../protocol/errors.ts';
import { tagByName, tagByToken } from '../../protocol/codepages/index.ts';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from '../../protocol/version.ts';
import { decodeWbxml, el, encodeWbxml } from '../../protocol/wbxml/index.ts';

/** "All" in MS-ASWBXML, "Yes" in every row of an element's Protocol Versions table. */
const ALL: readonly ProtocolVersion[] = PROTOCOL_VERSIONS;
/** The versions from `v` on. */
const from = (v: ProtocolVersion): readonly ProtocolVersion[] => PROTOCOL_VERSIONS.slice(PROTOCOL_VERSIONS.indexOf(v));
const ONLY_25: readonly ProtocolVersion[] = ['2.5'];
const UP_TO_141: readonly ProtocolVersion[] = ['2.5', '12.0', '12.1', '14.0', '14.1'];

type Row = readonly [page: number, ns: string, token: number, name: string, versions: readonly ProtocolVersion[], source: string];

/** Complete MS-ASWBXML tables (every row of the page). */
const FULL_TABLES: Record<string, readonly Row[]> = {
  'MS-ASWBXML 2.1.2.1.11 Code Page 10: ResolveRecipients': [
    [10, 'ResolveRecipients', 0x05, 'ResolveRecipients', ALL, ''],
    [10, 'ResolveRecipients', 0x06, 'Response', ALL, ''],
    [10, 'ResolveRecipients', 0x07, 'Status', ALL, ''],
    [10, 'ResolveRecipients', 0x08, 'Type', ALL, ''],
    [10, 'ResolveRecipients', 0x09, 'Recipient', ALL, ''],
    [10, 'ResolveRecipients', 0x0a, 'DisplayName', ALL, ''],
    [10, 'ResolveRecipients', 0x0b, 'EmailAddress', ALL, ''],
    [10, 'ResolveRecipients', 0x0c, 'Certificates', ALL, ''],
    [10, 'ResolveRecipients', 0x0d, 'Certificate', ALL, ''],
    [10, 'ResolveRecipients', 0x0e, 'MiniCertificate', ALL, ''],
    [10, 'ResolveRecipients', 0x0f, 'Options', ALL, ''],
    [10, 'ResolveRecipients', 0x10, 'To', ALL, ''],
    [10, 'ResolveRecipients', 0x11, 'CertificateRetrieval', ALL, ''],
    [10, 'ResolveRecipients', 0x12, 'RecipientCount', ALL, ''],
    [10, 'ResolveRecipients', 0x13, 'MaxCertificates', ALL, ''],
    [10, 'ResolveRecipients', 0x14, 'MaxAmbiguousRecipients', ALL, ''],
    [10, 'ResolveRecipients', 0x15, 'CertificateCount', ALL, ''],
    [10, 'ResolveRecipients', 0x16, 'Availability', from('14.0'), ''],
    [10, 'ResolveRecipients', 0x17, 'StartTime', from('14.0'), ''],
    [10, 'ResolveRecipients', 0x18, 'EndTime', from('14.0'), ''],
    [10, 'ResolveRecipients', 0x19, 'MergedFreeBusy', from('14.0'), ''],
    [10, 'ResolveRecipients', 0x1a, 'Picture', from('14.1'), ''],
    [10, 'ResolveRecipients', 0x1b, 'MaxSize', from('14.1'), ''],
    [10, 'ResolveRecipients', 0x1c, 'Data', from('14.1'), ''],
    [10, 'ResolveRecipients', 0x1d, 'MaxPictures', from('14.1'), ''],
  ],
  'MS-ASWBXML 2.1.2.1.12 Code Page 11: ValidateCert': [
    [11, 'ValidateCert', 0x05, 'ValidateCert', ALL, ''],
    [11, 'ValidateCert', 0x06, 'Certificates', ALL, ''],
    [11, 'ValidateCert', 0x07, 'Certificate', ALL, ''],
    [11, 'ValidateCert', 0x08, 'CertificateChain', ALL, ''],
    [11, 'ValidateCert', 0x09, 'CheckCRL', ALL, ''],
    [11, 'ValidateCert', 0x0a, 'Status', ALL, ''],
  ],
  'MS-ASWBXML 2.1.2.1.13 Code Page 12: Contacts2': [
    [12, 'Contacts2', 0x05, 'CustomerId', ALL, ''],
    [12, 'Contacts2', 0x06, 'GovernmentId', ALL, ''],
    [12, 'Contacts2', 0x07, 'IMAddress', ALL, ''],
    [12, 'Contacts2', 0x08, 'IMAddress2', ALL, ''],
    [12, 'Contacts2', 0x09, 'IMAddress3', ALL, ''],
    [12, 'Contacts2', 0x0a, 'ManagerName', ALL, ''],
    [12, 'Contacts2', 0x0b, 'CompanyMainPhone', ALL, ''],
    [12, 'Contacts2', 0x0c, 'AccountName', ALL, ''],
    [12, 'Contacts2', 0x0d, 'NickName', ALL, ''],
    [12, 'Contacts2', 0x0e, 'MMS', ALL, ''],
  ],
  'MS-ASWBXML 2.1.2.1.26 Code Page 25: Find': [
    [25, 'Find', 0x05, 'Find', ['16.1'], ''],
    [25, 'Find', 0x06, 'SearchId', ['16.1'], ''],
    [25, 'Find', 0x07, 'ExecuteSearch', ['16.1'], ''],
    [25, 'Find', 0x08, 'MailBoxSearchCriterion', ['16.1'], ''],
    [25, 'Find', 0x09, 'Query', ['16.1'], ''],
    [25, 'Find', 0x0a, 'Status', ['16.1'], ''],
    [25, 'Find', 0x0b, 'FreeText', ['16.1'], ''],
    [25, 'Find', 0x0c, 'Options', ['16.1'], ''],
    [25, 'Find', 0x0d, 'Range', ['16.1'], ''],
    [25, 'Find', 0x0e, 'DeepTraversal', ['16.1'], ''],
    [25, 'Find', 0x11, 'Response', ['16.1'], ''],
    [25, 'Find', 0x12, 'Result', ['16.1'], ''],
    [25, 'Find', 0x13, 'Properties', ['16.1'], ''],
    [25, 'Find', 0x14, 'Preview', ['16.1'], ''],
    [25, 'Find', 0x15, 'HasAttachments', ['16.1'], ''],
    [25, 'Find', 0x16, 'Total', ['16.1'], ''],
    [25, 'Find', 0x17, 'DisplayCc', ['16.1'], ''],
    [25, 'Find', 0x18, 'DisplayBcc', ['16.1'], ''],
    [25, 'Find', 0x19, 'GalSearchCriterion', ['16.1'], ''],
    [25, 'Find', 0x20, 'MaxPictures', ['16.1'], ''],
    [25, 'Find', 0x21, 'MaxSize', ['16.1'], ''],
    [25, 'Find', 0x22, 'Picture', ['16.1'], ''],
  ],
};

/** One or more rows per page, versions from the element's own Protocol Versions table. */
const SAMPLES: readonly Row[] = [
  // 0 AirSync
  [0, 'AirSync', 0x1c, 'Collections', ALL, 'MS-ASCMD 2.2.3.31.2'],
  [0, 'AirSync', 0x19, 'Truncation', ONLY_25, 'MS-ASCMD 2.2.3.185 (truncates only the 2.5 body elements)'],
  // 1 Contacts
  [1, 'Contacts', 0x0b, 'BodyTruncated', ONLY_25, 'MS-ASCNTC 2.2.2.9'],
  [1, 'Contacts', 0x16, 'Category', ALL, 'MS-ASCNTC 2.2.2.20'],
  [1, 'Contacts', 0x3c, 'Picture', ALL, 'MS-ASCNTC 2.2.2.58'],
  // 2 Email
  [2, 'Email', 0x06, 'Attachments', ONLY_25, 'MS-ASEMAIL 2.2.2.4.2'],
  [2, 'Email', 0x07, 'AttName', ONLY_25, 'MS-ASEMAIL 2.2.2.6'],
  [2, 'Email', 0x0e, 'BodyTruncated', ONLY_25, 'MS-ASEMAIL 2.2.2.13'],
  [2, 'Email', 0x10, 'DisplayName', ONLY_25, 'MS-ASEMAIL 2.2.2.28'],
  [2, 'Email', 0x0f, 'DateReceived', ALL, 'MS-ASEMAIL 2.2.2.24'],
  [2, 'Email', 0x14, 'Subject', ALL, 'MS-ASEMAIL 2.2.2.75.1'],
  [2, 'Email', 0x1b, 'Categories', from('14.0'), 'MS-ASEMAIL 2.2.2.16'],
  [2, 'Email', 0x1c, 'Category', from('14.0'), 'MS-ASEMAIL 2.2.2.17'],
  [2, 'Email', 0x1d, 'DtStamp', ALL, 'MS-ASEMAIL 2.2.2.30'],
  [2, 'Email', 0x23, 'Organizer', ALL, 'MS-ASEMAIL 2.2.2.57'],
  [2, 'Email', 0x26, 'ResponseRequested', ALL, 'MS-ASEMAIL 2.2.2.67'],
  [2, 'Email', 0x31, 'StartTime', ALL, 'MS-ASEMAIL 2.2.2.73'],
  [2, 'Email', 0x33, 'TimeZone', ALL, 'MS-ASEMAIL 2.2.2.78'],
  [2, 'Email', 0x3b, 'Status', from('12.0'), 'MS-ASEMAIL 2.2.2.74'],
  // 4 Calendar
  [4, 'Calendar', 0x05, 'Timezone', ALL, 'MS-ASCAL 2.2.2.44'],
  [4, 'Calendar', 0x0b, 'Body', ONLY_25, 'MS-ASCAL 2.2.2.7.2'],
  [4, 'Calendar', 0x0e, 'Categories', ALL, 'MS-ASCAL 2.2.2.11'],
  [4, 'Calendar', 0x14, 'Exceptions', ALL, 'MS-ASCAL 2.2.2.22'],
  [4, 'Calendar', 0x16, 'ExceptionStartTime', UP_TO_141, 'MS-ASCAL 2.2.2.23'],
  [4, 'Calendar', 0x27, 'StartTime', ALL, 'MS-ASCAL 2.2.2.42'],
  [4, 'Calendar', 0x34, 'ResponseRequested', from('14.0'), 'MS-ASCAL 2.2.2.39'],
  [4, 'Calendar', 0x3a, 'OnlineMeetingConfLink', from('14.1'), 'MS-ASCAL 2.2.2.33'],
  [4, 'Calendar', 0x3b, 'OnlineMeetingExternalLink', from('14.1'), 'MS-ASCAL 2.2.2.34'],
  [4, 'Calendar', 0x3c, 'ClientUid', from('16.0'), 'MS-ASCAL 2.2.2.13'],
  // 5 Move
  [5, 'Move', 0x05, 'MoveItems', ALL, 'MS-ASCMD 2.2.3.119'],
  [5, 'Move', 0x06, 'Move', ALL, 'MS-ASCMD 2.2.3.117.2'],
  [5, 'Move', 0x07, 'SrcMsgId', ALL, 'MS-ASCMD 2.2.3.175'],
  [5, 'Move', 0x0a, 'Response', ALL, 'MS-ASCMD 2.2.3.153.5'],
  [5, 'Move', 0x0c, 'DstMsgId', ALL, 'MS-ASCMD 2.2.3.52'],
  // 6 GetItemEstimate
  [6, 'GetItemEstimate', 0x0c, 'Estimate', ALL, 'MS-ASCMD 2.2.3.65'],
  [6, 'GetItemEstimate', 0x0d, 'Response', ALL, 'MS-ASCMD 2.2.3.153.3'],
  // 7 FolderHierarchy
  [7, 'FolderHierarchy', 0x17, 'Count', ALL, 'MS-ASCMD 2.2.3.37'],
  // 8 MeetingResponse
  [8, 'MeetingResponse', 0x07, 'MeetingResponse', ALL, 'MS-ASCMD 2.2.3.106'],
  [8, 'MeetingResponse', 0x0a, 'Result', ALL, 'MS-ASCMD 2.2.3.155.2'],
  [8, 'MeetingResponse', 0x0c, 'UserResponse', ALL, 'MS-ASCMD 2.2.3.194'],
  [8, 'MeetingResponse', 0x12, 'SendResponse', from('16.0'), 'MS-ASCMD 2.2.1.11 / 2.2.3.163'],
  // 9 Tasks
  [9, 'Tasks', 0x07, 'BodyTruncated', ONLY_25, 'MS-ASTASK 2.2.2.3'],
  [9, 'Tasks', 0x09, 'Category', ALL, 'MS-ASTASK 2.2.2.6'],
  [9, 'Tasks', 0x0a, 'Complete', ALL, 'MS-ASTASK 2.2.2.7'],
  [9, 'Tasks', 0x20, 'Subject', ALL, 'MS-ASTASK 2.2.2.27'],
  // 13 Ping
  [13, 'Ping', 0x05, 'Ping', ALL, 'MS-ASCMD 2.2.3.136'],
  [13, 'Ping', 0x09, 'Folders', ALL, 'MS-ASCMD 2.2.3.75.2'],
  [13, 'Ping', 0x0a, 'Folder', ALL, 'MS-ASCMD 2.2.3.71.2'],
  [13, 'Ping', 0x0d, 'MaxFolders', ALL, 'MS-ASCMD 2.2.3.102'],
  // 14 Provision
  [14, 'Provision', 0x0c, 'RemoteWipe', ALL, 'MS-ASPROV 2.2.2.45'],
  [14, 'Provision', 0x10, 'RequireStorageCardEncryption', from('12.1'), 'MS-ASPROV 2.2.2.52'],
  [14, 'Provision', 0x13, 'AttachmentsEnabled', from('12.0'), 'MS-ASPROV 2.2.2.23'],
  [14, 'Provision', 0x17, 'MaxAttachmentSize', from('12.0'), 'MS-ASPROV 2.2.2.30'],
  [14, 'Provision', 0x1b, 'AllowStorageCard', from('12.1'), 'MS-ASPROV 2.2.2.15'],
  [14, 'Provision', 0x1d, 'RequireDeviceEncryption', from('12.1'), 'MS-ASPROV 2.2.2.46'],
  [14, 'Provision', 0x21, 'AllowWifi', from('12.1'), 'MS-ASPROV 2.2.2.19'],
  [14, 'Provision', 0x29, 'AllowHTMLEmail', from('12.1'), 'MS-ASPROV 2.2.2.7'],
  [14, 'Provision', 0x2e, 'RequireEncryptedSMIMEMessages', from('12.1'), 'MS-ASPROV 2.2.2.47'],
  [14, 'Provision', 0x30, 'RequireEncryptionSMIMEAlgorithm', from('12.1'), 'MS-ASPROV 2.2.2.48'],
  [14, 'Provision', 0x31, 'AllowSMIMEEncryptionAlgorithmNegotiation', from('12.1'), 'MS-ASPROV 2.2.2.13'],
  [14, 'Provision', 0x3b, 'AccountOnlyRemoteWipe', ['16.1'], 'MS-ASPROV 2.2.2.1'],
  // 15 Search
  [15, 'Search', 0x17, 'DeepTraversal', from('12.0'), 'MS-ASCMD 2.2.3.41.2'],
  [15, 'Search', 0x18, 'LongId', from('12.0'), 'MS-ASCMD 2.2.3.98.3'],
  [15, 'Search', 0x22, 'MaxSize', from('14.1'), 'MS-ASCMD 2.2.3.105.3'],
  // 16 GAL
  [16, 'GAL', 0x12, 'Data', from('14.1'), 'MS-ASCMD 2.2.3.39.4'],
  // 17 AirSyncBase
  [17, 'AirSyncBase', 0x07, 'TruncationSize', from('12.0'), 'MS-ASAIRS 2.2.2.40.2'],
  [17, 'AirSyncBase', 0x0c, 'EstimatedDataSize', from('12.0'), 'MS-ASAIRS 2.2.2.23.1'],
  [17, 'AirSyncBase', 0x0d, 'Truncated', from('12.0'), 'MS-ASAIRS 2.2.2.39.1'],
  [17, 'AirSyncBase', 0x0e, 'Attachments', from('12.0'), 'MS-ASAIRS 2.2.2.8'],
  [17, 'AirSyncBase', 0x10, 'DisplayName', from('12.0'), 'MS-ASAIRS 2.2.2.22.2'],
  [17, 'AirSyncBase', 0x13, 'ContentId', from('12.0'), 'MS-ASAIRS 2.2.2.16.2'],
  [17, 'AirSyncBase', 0x1c, 'Add', from('16.0'), 'MS-ASAIRS 2.2.2.2'],
  // 18 Settings
  [18, 'Settings', 0x17, 'Model', from('12.0'), 'MS-ASCMD 2.2.3.115'],
  [18, 'Settings', 0x20, 'UserAgent', from('12.1'), 'MS-ASCMD 2.2.3.190'],
  [18, 'Settings', 0x26, 'AccountId', from('14.1'), 'MS-ASCMD 2.2.3.3.2'],
  // 20 ItemOperations
  [20, 'ItemOperations', 0x16, 'Move', from('14.0'), 'MS-ASCMD 2.2.3.117.1'],
  [20, 'ItemOperations', 0x18, 'ConversationId', from('14.0'), 'MS-ASCMD 2.2.3.35.1'],
  // 21 ComposeMail
  [21, 'ComposeMail', 0x05, 'SendMail', from('14.0'), 'MS-ASCMD 2.2.3.162'],
  // 22 Email2
  [22, 'Email2', 0x0b, 'LastVerbExecuted', from('14.0'), 'MS-ASEMAIL 2.2.2.44'],
  [22, 'Email2', 0x0c, 'LastVerbExecutionTime', from('14.0'), 'MS-ASEMAIL 2.2.2.45'],
  [22, 'Email2', 0x15, 'IsDraft', from('16.0'), 'MS-ASEMAIL 2.2.2.42'],
  [22, 'Email2', 0x17, 'Send', from('16.0'), 'MS-ASEMAIL 2.2.2.69'],
  // 23 Notes
  [23, 'Notes', 0x06, 'MessageClass', from('14.0'), 'MS-ASNOTE 2.2.2.5'],
  [23, 'Notes', 0x08, 'Categories', from('14.0'), 'MS-ASNOTE 2.2.2.2'],
  // 24 RightsManagement
  [24, 'RightsManagement', 0x05, 'RightsManagementSupport', from('14.1'), 'MS-ASRM 2.2.2.15'],
  [24, 'RightsManagement', 0x06, 'RightsManagementTemplates', from('14.1'), 'MS-ASRM 2.2.2.17'],
  [24, 'RightsManagement', 0x08, 'RightsManagementLicense', from('14.1'), 'MS-ASEMAIL (rm:RightsManagementLicense) / MS-ASRM 2.2.2.14'],
];

function expectRow([page, ns, token, name, versions]: Row): void {
  const byName = tagByName(ns, name);
  expect(byName, `${ns}:${name} is defined`).toBeDefined();
  expect(byName!.page).toBe(page);
  expect(byName!.token).toBe(token);
  expect(byName!.versions).toEqual(versions);
}

describe('code pages against the MS-ASWBXML tables (whole page)', () => {
  for (const [section, rows] of Object.entries(FULL_TABLES)) {
    it(`${section}: every row has its token, name and versions`, () => {
      for (const row of rows) {
        expectRow(row);
        // The spec name is also what the decoder reports for the token.
        expect(tagByToken(row[0], row[2])!.name).toBe(row[3]);
      }
    });

    it(`${section}: defines no token the table lacks`, () => {
      const page = rows[0]![0];
      const listed = new Set(rows.map((r) => r[2]));
      for (let t = 0x05; t <= 0x3f; t++) {
        if (!listed.has(t)) expect(tagByToken(page, t), `token 0x${t.toString(16)}`).toBeUndefined();
      }
    });
  }
});

describe('code pages against the element Protocol Versions tables (samples)', () => {
  it.each(SAMPLES.map((r) => [`${r[1]}:${r[3]} 0x${r[2].toString(16)} (${r[5]})`, r] as const))('%s', (_label, row) => {
    expectRow(row);
  });

  it('covers every code page except the retired AirNotify (3) and DocumentLibrary (19, no version table found)', () => {
    const pages = new Set([...SAMPLES, ...Object.values(FULL_TABLES).flat()].map((r) => r[0]));
    const missing = Array.from({ length: 26 }, (_, i) => i).filter((p) => !pages.has(p));
    expect(missing).toEqual([3, 19]);
  });
});

describe('spec spellings that differ from the names the decoder reports', () => {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

  it('email:DtStamp (MS-ASEMAIL 2.2.2.30) encodes like the legacy DTStamp and decodes as DTStamp', () => {
    const spec = encodeWbxml(el('Email', 'DtStamp', '2026-11-23T10:00:00.000Z'), { version: '16.1' });
    const legacy = encodeWbxml(el('Email', 'DTStamp', '2026-11-23T10:00:00.000Z'), { version: '16.1' });
    expect(hex(spec)).toBe(hex(legacy));
    expect(decodeWbxml(spec)).toMatchObject({ ns: 'Email', name: 'DTStamp' });
    expect(tagByName('Email', 'DtStamp')!.versions).toEqual(ALL);
  });

  it('calendar:Timezone (MS-ASCAL 2.2.2.44) encodes like TimeZone in every version', () => {
    for (const v of PROTOCOL_VERSIONS) {
      expect(hex(encodeWbxml(el('Calendar', 'Timezone', 'AAAA'), { version: v }))).toBe(hex(encodeWbxml(el('Calendar', 'TimeZone', 'AAAA'), { version: v })));
    }
  });

  it('provision:AllowWifi is the MS-ASPROV 2.2.2.19 spelling; AllowWiFi is not a tag', () => {
    expect(tagByName('Provision', 'AllowWifi')).toMatchObject({ token: 0x21 });
    expect(tagByName('Provision', 'AllowWiFi')).toBeUndefined();
  });

  it('rm:RemoveRightsManagementDistribution is accepted as the MS-ASWBXML name of token 0x18', () => {
    expect(tagByName('RightsManagement', 'RemoveRightsManagementDistribution')).toMatchObject({ token: 0x18, versions: from('14.1') });
    expect(tagByToken(24, 0x18)!.name).toBe('RemoveRightsManagementProtection');
  });
});

describe('tags removed in later versions are refused there', () => {
  const refused = (ns: string, name: string, v: ProtocolVersion): string | undefined => {
    try {
      encodeWbxml(el(ns, name, 'x'), { version: v });
      return undefined;
    } catch (e) {
      return e instanceof WbxmlError ? e.code : String(e);
    }
  };

  it('calendar:ExceptionStartTime stops after 14.1 (MS-ASCAL 2.2.2.23)', () => {
    expect(refused('Calendar', 'ExceptionStartTime', '14.1')).toBeUndefined();
    expect(refused('Calendar', 'ExceptionStartTime', '16.0')).toBe('TokenNotInVersion');
  });

  it('2.5 body tags are refused from 12.0 (MS-ASEMAIL 2.2.2.13, MS-ASCAL 2.2.2.7.2)', () => {
    expect(refused('Email', 'BodyTruncated', '2.5')).toBeUndefined();
    expect(refused('Email', 'BodyTruncated', '12.0')).toBe('TokenNotInVersion');
    expect(refused('Calendar', 'Body', '12.0')).toBe('TokenNotInVersion');
  });

  it('16.x-only tags are refused below 16.0 (MS-ASAIRS 2.2.2.2, MS-ASEMAIL 2.2.2.42)', () => {
    expect(refused('AirSyncBase', 'Add', '14.1')).toBe('TokenNotInVersion');
    expect(refused('Email2', 'IsDraft', '14.1')).toBe('TokenNotInVersion');
    expect(refused('Email2', 'IsDraft', '16.0')).toBeUndefined();
  });
});
