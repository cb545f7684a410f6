import type { CodePageDef } from './types.ts';

/**
 * Code page 14: Provision (MS-ASWBXML 2.1.2.1.15).
 *
 * Tags exist from protocol 2.5 unless their row gives its own first (and last) version.
 *
 * Token 0x10 is DeviceEncryptionEnabled in 12.0 and
 * RequireStorageCardEncryption from 12.1 (MS-ASPROV 2.2.2.52: 12.1..16.1); it
 * decodes as the later name, and both names encode. MS-ASPROV has no
 * DeviceEncryptionEnabled element, so the 12.0 name comes from MS-ASWBXML only.
 *
 * The 12.0 rows match MS-ASPROV's "Protocol Versions" tables (e.g. 2.2.2.23
 * AttachmentsEnabled, 2.2.2.30 MaxAttachmentSize: 12.0+), the 12.1 rows too
 * (2.2.2.15 AllowStorageCard, 2.2.2.19 AllowWifi, 2.2.2.46 RequireDeviceEncryption:
 * 12.1+), and 2.2.2.1 AccountOnlyRemoteWipe is 16.1 only.
 */
export const provisionPage: CodePageDef = {
  page: 14,
  ns: 'Provision',
  section: 'MS-ASWBXML 2.1.2.1.15',
  since: '2.5',
  tags: [
    [0x05, 'Provision'],
    [0x06, 'Policies'],
    [0x07, 'Policy'],
    [0x08, 'PolicyType'],
    [0x09, 'PolicyKey'],
    [0x0A, 'Data'],
    [0x0B, 'Status'],
    [0x0C, 'RemoteWipe'],
    [0x0D, 'EASProvisionDoc', '12.0'],
    [0x0E, 'DevicePasswordEnabled', '12.0'],
    [0x0F, 'AlphanumericDevicePasswordRequired', '12.0'],
    [0x10, 'RequireStorageCardEncryption', '12.1'],
    [0x10, 'DeviceEncryptionEnabled', '12.0', '12.0'],
    [0x11, 'PasswordRecoveryEnabled', '12.0'],
    [0x12, 'DocumentBrowseEnabled', null],
    [0x13, 'AttachmentsEnabled', '12.0'],
    [0x14, 'MinDevicePasswordLength', '12.0'],
    [0x15, 'MaxInactivityTimeDeviceLock', '12.0'],
    [0x16, 'MaxDevicePasswordFailedAttempts', '12.0'],
    [0x17, 'MaxAttachmentSize', '12.0'],
    [0x18, 'AllowSimpleDevicePassword', '12.0'],
    [0x19, 'DevicePasswordExpiration', '12.0'],
    [0x1A, 'DevicePasswordHistory', '12.0'],
    [0x1B, 'AllowStorageCard', '12.1'],
    [0x1C, 'AllowCamera', '12.1'],
    [0x1D, 'RequireDeviceEncryption', '12.1'],
    [0x1E, 'AllowUnsignedApplications', '12.1'],
    [0x1F, 'AllowUnsignedInstallationPackages', '12.1'],
    [0x20, 'MinDevicePasswordComplexCharacters', '12.1'],
    // MS-ASPROV 2.2.2.19 spells it AllowWifi (lower-case f), not AllowWiFi.
    [0x21, 'AllowWifi', '12.1'],
    [0x22, 'AllowTextMessaging', '12.1'],
    [0x23, 'AllowPOPIMAPEmail', '12.1'],
    [0x24, 'AllowBluetooth', '12.1'],
    [0x25, 'AllowIrDA', '12.1'],
    [0x26, 'RequireManualSyncWhenRoaming', '12.1'],
    [0x27, 'AllowDesktopSync', '12.1'],
    [0x28, 'MaxCalendarAgeFilter', '12.1'],
    [0x29, 'AllowHTMLEmail', '12.1'],
    [0x2A, 'MaxEmailAgeFilter', '12.1'],
    [0x2B, 'MaxEmailBodyTruncationSize', '12.1'],
    [0x2C, 'MaxEmailHTMLBodyTruncationSize', '12.1'],
    [0x2D, 'RequireSignedSMIMEMessages', '12.1'],
    [0x2E, 'RequireEncryptedSMIMEMessages', '12.1'],
    [0x2F, 'RequireSignedSMIMEAlgorithm', '12.1'],
    [0x30, 'RequireEncryptionSMIMEAlgorithm', '12.1'],
    [0x31, 'AllowSMIMEEncryptionAlgorithmNegotiation', '12.1'],
    [0x32, 'AllowSMIMESoftCerts', '12.1'],
    [0x33, 'AllowBrowser', '12.1'],
    [0x34, 'AllowConsumerEmail', '12.1'],
    [0x35, 'AllowRemoteDesktop', '12.1'],
    [0x36, 'AllowInternetSharing', '12.1'],
    [0x37, 'UnapprovedInROMApplicationList', '12.1'],
    [0x38, 'ApplicationName', '12.1'],
    [0x39, 'ApprovedApplicationList', '12.1'],
    [0x3A, 'Hash', '12.1'],
    [0x3B, 'AccountOnlyRemoteWipe', '16.1'],
  ],
};
