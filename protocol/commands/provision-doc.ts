import { el, type WbxmlElement } from '../wbxml/tree.ts';
import { tagByName, tagInVersion } from '../codepages/index.ts';
import type { ProtocolVersion } from '../version.ts';

/**
 * Policy settings of an EASProvisionDoc (MS-ASPROV 2.2.2.27 and the setting
 * sections 2.2.2.1..2.2.2.62), named as their elements. Booleans are written
 * 1/0; `null` writes the empty element, which MS-ASPROV 3.2.5.1.1 uses for
 * "this setting is no longer set".
 */
export interface EasProvisionDoc {
  readonly AllowBluetooth?: number | null; // 0 disabled, 1 hands-free only, 2 allowed
  readonly AllowBrowser?: boolean | null;
  readonly AllowCamera?: boolean | null;
  readonly AllowConsumerEmail?: boolean | null;
  readonly AllowDesktopSync?: boolean | null;
  readonly AllowHTMLEmail?: boolean | null;
  readonly AllowInternetSharing?: boolean | null;
  readonly AllowIrDA?: boolean | null;
  readonly AllowPOPIMAPEmail?: boolean | null;
  readonly AllowRemoteDesktop?: boolean | null;
  readonly AllowSimpleDevicePassword?: boolean | null;
  readonly AllowSMIMEEncryptionAlgorithmNegotiation?: number | null;
  readonly AllowSMIMESoftCerts?: boolean | null;
  readonly AllowStorageCard?: boolean | null;
  readonly AllowTextMessaging?: boolean | null;
  readonly AllowUnsignedApplications?: boolean | null;
  readonly AllowUnsignedInstallationPackages?: boolean | null;
  /** MS-ASPROV 2.2.2.18; its WBXML tag is spelled AllowWifi (MS-ASWBXML 2.1.2.1.15). */
  readonly AllowWiFi?: boolean | null;
  readonly AlphanumericDevicePasswordRequired?: boolean | null;
  readonly AttachmentsEnabled?: boolean | null;
  readonly DevicePasswordEnabled?: boolean | null;
  readonly DevicePasswordExpiration?: number | null; // days
  readonly DevicePasswordHistory?: number | null;
  readonly MaxAttachmentSize?: number | null; // bytes
  readonly MaxCalendarAgeFilter?: number | null;
  readonly MaxDevicePasswordFailedAttempts?: number | null;
  readonly MaxEmailAgeFilter?: number | null;
  readonly MaxEmailBodyTruncationSize?: number | null; // KB, -1 no limit
  readonly MaxEmailHTMLBodyTruncationSize?: number | null;
  readonly MaxInactivityTimeDeviceLock?: number | null; // seconds
  readonly MinDevicePasswordComplexCharacters?: number | null;
  readonly MinDevicePasswordLength?: number | null;
  readonly PasswordRecoveryEnabled?: boolean | null;
  readonly RequireDeviceEncryption?: boolean | null;
  readonly RequireEncryptedSMIMEMessages?: boolean | null;
  readonly RequireEncryptionSMIMEAlgorithm?: number | null;
  readonly RequireManualSyncWhenRoaming?: boolean | null;
  readonly RequireSignedSMIMEAlgorithm?: number | null;
  readonly RequireSignedSMIMEMessages?: boolean | null;
  readonly RequireStorageCardEncryption?: boolean | null;
  /** In-ROM applications that must not run (ApplicationName each). */
  readonly UnapprovedInROMApplicationList?: readonly string[];
  /** SHA-1 hashes of applications that may run (Hash each). */
  readonly ApprovedApplicationList?: readonly string[];
}

/**
 * Element order of the EASProvisionDoc as MS-ASPROV 2.2.2.27 lists its
 * children; Exchange writes them in this order and some Android clients read
 * the document positionally.
 */
export const PROVISION_DOC_ORDER = [
  'DevicePasswordEnabled',
  'AlphanumericDevicePasswordRequired',
  'PasswordRecoveryEnabled',
  'RequireStorageCardEncryption',
  'AttachmentsEnabled',
  'MinDevicePasswordLength',
  'MaxInactivityTimeDeviceLock',
  'MaxDevicePasswordFailedAttempts',
  'MaxAttachmentSize',
  'AllowSimpleDevicePassword',
  'DevicePasswordExpiration',
  'DevicePasswordHistory',
  'AllowStorageCard',
  'AllowCamera',
  'RequireDeviceEncryption',
  'AllowUnsignedApplications',
  'AllowUnsignedInstallationPackages',
  'MinDevicePasswordComplexCharacters',
  'AllowWiFi',
  'AllowTextMessaging',
  'AllowPOPIMAPEmail',
  'AllowBluetooth',
  'AllowIrDA',
  'RequireManualSyncWhenRoaming',
  'AllowDesktopSync',
  'MaxCalendarAgeFilter',
  'AllowHTMLEmail',
  'MaxEmailAgeFilter',
  'MaxEmailBodyTruncationSize',
  'MaxEmailHTMLBodyTruncationSize',
  'RequireSignedSMIMEMessages',
  'RequireEncryptedSMIMEMessages',
  'RequireSignedSMIMEAlgorithm',
  'RequireEncryptionSMIMEAlgorithm',
  'AllowSMIMEEncryptionAlgorithmNegotiation',
  'AllowSMIMESoftCerts',
  'AllowBrowser',
  'AllowConsumerEmail',
  'AllowRemoteDesktop',
  'AllowInternetSharing',
  'UnapprovedInROMApplicationList',
  'ApprovedApplicationList',
] as const satisfies readonly (keyof EasProvisionDoc)[];

const PR = 'Provision';

/** The element a setting is written as, where it differs from the property: the tag table's spelling, and 12.0's older name. */
function elementName(name: (typeof PROVISION_DOC_ORDER)[number], version: ProtocolVersion): string {
  if (name === 'AllowWiFi') return 'AllowWifi';
  if (name === 'RequireStorageCardEncryption' && version === '12.0') return 'DeviceEncryptionEnabled';
  return name;
}

/**
 * Builds `<EASProvisionDoc>` with the settings present in `doc`, in
 * `PROVISION_DOC_ORDER`. Settings whose tag the device's version lacks
 * (most of them before 12.1) are left out rather than sent as tokens the
 * device cannot read.
 */
export function buildProvisionDoc(doc: EasProvisionDoc, version: ProtocolVersion): WbxmlElement {
  const children: WbxmlElement[] = [];
  for (const key of PROVISION_DOC_ORDER) {
    const v = doc[key];
    if (v === undefined) continue;
    const name = elementName(key, version);
    const tag = tagByName(PR, name);
    if (!tag || !tagInVersion(tag, version)) continue;
    if (name === 'UnapprovedInROMApplicationList') {
      children.push(el(PR, name, (v as readonly string[]).map((a) => el(PR, 'ApplicationName', a))));
    } else if (name === 'ApprovedApplicationList') {
      children.push(el(PR, name, (v as readonly string[]).map((h) => el(PR, 'Hash', h))));
    } else if (v === null) {
      children.push(el(PR, name));
    } else {
      children.push(el(PR, name, v as number | boolean));
    }
  }
  return el(PR, 'EASProvisionDoc', children);
}
