import { createHash, randomInt } from 'node:crypto';
import type { EasProvisionDoc } from '../../protocol/commands/provision.ts';
import type { PolicyConfig } from '../config.ts';
import type { PolicySet } from '../state/policy-sets.ts';

/**
 * The EASProvisionDoc for the configured policy (MS-ASPROV 2.2.2.27).
 * Settings that are "not set" (0) are left out rather than sent as 0,
 * because 0 means "lock immediately" / "wipe after 0 attempts" to some clients.
 */
export function provisionDoc(p: PolicyConfig): EasProvisionDoc {
  return {
    DevicePasswordEnabled: p.devicePasswordEnabled,
    AlphanumericDevicePasswordRequired: p.alphanumericDevicePasswordRequired,
    PasswordRecoveryEnabled: false,
    RequireStorageCardEncryption: false,
    AttachmentsEnabled: p.attachmentsEnabled,
    MinDevicePasswordLength: p.minDevicePasswordLength,
    ...(p.maxInactivityTimeDeviceLock > 0 ? { MaxInactivityTimeDeviceLock: p.maxInactivityTimeDeviceLock } : {}),
    ...(p.maxDevicePasswordFailedAttempts > 0 ? { MaxDevicePasswordFailedAttempts: p.maxDevicePasswordFailedAttempts } : {}),
    AllowSimpleDevicePassword: p.allowSimpleDevicePassword,
    ...(p.devicePasswordExpiration > 0 ? { DevicePasswordExpiration: p.devicePasswordExpiration } : {}),
    DevicePasswordHistory: 0,
    AllowStorageCard: true,
    AllowCamera: true,
    RequireDeviceEncryption: p.requireDeviceEncryption,
    AllowUnsignedApplications: true,
    AllowUnsignedInstallationPackages: true,
    MinDevicePasswordComplexCharacters: p.alphanumericDevicePasswordRequired ? 1 : 0,
    AllowWiFi: true,
    AllowTextMessaging: true,
    AllowPOPIMAPEmail: true,
    AllowBluetooth: 2,
    AllowIrDA: true,
    RequireManualSyncWhenRoaming: false,
    AllowDesktopSync: true,
    MaxCalendarAgeFilter: 0,
    AllowHTMLEmail: true,
    MaxEmailAgeFilter: 0,
    MaxEmailBodyTruncationSize: -1,
    MaxEmailHTMLBodyTruncationSize: -1,
    RequireSignedSMIMEMessages: false,
    RequireEncryptedSMIMEMessages: false,
    RequireSignedSMIMEAlgorithm: 0,
    RequireEncryptionSMIMEAlgorithm: 0,
    AllowSMIMEEncryptionAlgorithmNegotiation: 2,
    AllowSMIMESoftCerts: true,
    AllowBrowser: true,
    AllowConsumerEmail: true,
    AllowRemoteDesktop: true,
    AllowInternetSharing: true,
  };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The 2.5 form of the policy (MS-ASPROV 2.2.2.24 Data, MS-WAP-Provisioning-XML):
 * Windows Mobile security policy 4131 (0 = device password required) and
 * 4133 (1 = unsigned CABs allowed), plus the LASSD password registry keys
 * when a password is required.
 */
export function wapProvisioningXml(p: PolicyConfig): string {
  const parm = (name: string, value: string | number): string => `<parm name="${esc(name)}" value="${esc(String(value))}"/>`;
  const reg = (key: string, body: string): string => `<characteristic type="${esc(key)}">${body}</characteristic>`;
  let registry = '';
  if (p.devicePasswordEnabled) {
    const lassd = 'HKLM\\Comm\\Security\\Policy\\LASSD';
    registry = reg(
      'Registry',
      (p.maxInactivityTimeDeviceLock > 0
        ? reg(`${lassd}\\AE\\{50C13377-C66D-400C-889E-C316FC4AB374}`, parm('AEFrequencyType', 1) + parm('AEFrequencyValue', Math.max(1, Math.round(p.maxInactivityTimeDeviceLock / 60))))
        : '') +
        (p.maxDevicePasswordFailedAttempts > 0 ? reg(lassd, parm('DeviceWipeThreshold', p.maxDevicePasswordFailedAttempts)) : '') +
        reg(`${lassd}\\LAP\\lap_pw`, parm('MinimumPasswordLength', p.minDevicePasswordLength) + parm('PasswordComplexity', p.alphanumericDevicePasswordRequired ? 0 : 2)),
    );
  }
  return (
    '<wap-provisioningdoc>' +
    reg('SecurityPolicy', parm('4131', p.devicePasswordEnabled ? 0 : 1) + parm('4133', 1)) +
    registry +
    '</wap-provisioningdoc>'
  );
}

/** Identifies a policy, so that a device holding a key for an older policy is asked to provision again (MS-ASCMD 2.2.2 Status 143). */
export function policyHash(p: PolicyConfig): string {
  return createHash('sha256').update(JSON.stringify(provisionDoc(p))).update(wapProvisioningXml(p)).digest('hex').slice(0, 16);
}

/**
 * A new policy key (MS-ASPROV 2.2.2.42): nonzero, and below 2^31 because
 * several clients store it in a signed 32-bit integer.
 */
export function newPolicyKey(): number {
  return randomInt(1, 0x7fffffff);
}

/** Whether the policy asks anything of the device that a device reporting "not applied" would not meet. */
export function policyRequiresSomething(p: PolicyConfig): boolean {
  return p.devicePasswordEnabled || p.requireDeviceEncryption;
}

/** The policy a device gets: the global one, with its policy set's settings over it. */
export interface DevicePolicy {
  readonly policy: PolicyConfig;
  readonly hash: string;
  /** The policy set's name; absent = the global EAS_POLICY_* policy. */
  readonly set?: string;
}

/** Hashes by the set's settings: a handful of sets, asked on every request. */
const hashes = new Map<string, string>();

/**
 * Resolves the device's policy (issue 12 item 4). A change of the set's
 * settings or of the assignment changes the hash, so the policy gate makes
 * the device provision again (Status 143 / HTTP 449), as for a change of
 * the global policy.
 */
export function devicePolicy(base: PolicyConfig, set: PolicySet | undefined): DevicePolicy {
  const policy = set ? { ...base, ...set.settings } : base;
  const key = JSON.stringify(policy);
  let hash = hashes.get(key);
  if (hash === undefined) {
    if (hashes.size > 1000) hashes.clear();
    hash = policyHash(policy);
    hashes.set(key, hash);
  }
  return { policy, hash, ...(set ? { set: set.name } : {}) };
}
