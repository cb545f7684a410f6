import { CommonStatus } from '../../protocol/commands/common-status.ts';
import { versionAtLeast, type ProtocolVersion } from '../../protocol/version.ts';
import { statusOnlyBody } from '../commands/errors.ts';
import type { AccessState, DeviceRow } from '../state/devices.ts';

/** Why a request may not run yet, and what to answer. */
export interface GateAnswer {
  readonly httpStatus: number;
  readonly easStatus?: number;
  readonly body?: ReturnType<typeof statusOnlyBody>;
  readonly reason: 'blocked' | 'quarantined' | 'wiped' | 'wipe-pending' | 'not-provisioned' | 'policy-refresh' | 'invalid-policy-key';
}

/**
 * What a quarantined device may do (src/commands/quarantine-sync.ts): set
 * up the account and list the folders, and Sync, which shows it only the
 * notice. Everything else (Ping included, so that it does not poll in a
 * loop) is refused as for a blocked device.
 */
export const QUARANTINE_COMMANDS: ReadonlySet<string> = new Set(['Provision', 'Settings', 'FolderSync', 'Sync']);

/**
 * Device checks before a command runs (MS-ASPROV 3.2.5.1, ARCHITECTURE rule 7),
 * in this order:
 *
 * - a device that acknowledged a wipe is refused;
 * - a pending wipe (16.1 account-only wipe from 16.1 only) is carried out
 *   first, even on a blocked or quarantined device: Provision gets it, every
 *   other command makes the device provision (Status 140 / HTTP 449);
 * - blocked (and quarantined, for commands outside QUARANTINE_COMMANDS):
 *   common Status 129 DeviceIsBlockedForThisUser in the command's response
 *   from 14.0, HTTP 403 before 14.0 and for commands without a status-only
 *   response (MS-ASCMD 2.2.2);
 * - a missing, stale or wrong policy key makes the device provision: HTTP
 *   449 for 12.x and older (and for commands without a status-only
 *   response), the common status 142 / 143 / 144 from 14.0. Provision is
 *   never gated by policy; `allowedWithoutPolicy` commands (Settings, Ping)
 *   skip the policy check.
 *
 * `access` is the device's effective access (src/server/access.ts).
 */
export function gateRequest(input: {
  readonly device: DeviceRow;
  readonly access: AccessState;
  readonly command: string;
  readonly version: ProtocolVersion;
  readonly sentPolicyKey: number;
  readonly allowedWithoutPolicy: boolean;
  readonly enforcePolicy: boolean;
  readonly currentPolicyHash: string;
}): GateAnswer | undefined {
  const { device, command, version, access } = input;
  if (device.wipeStatus === 'done') return refuse(command, version, 'wiped');
  const wipe = device.wipeStatus === 'pending' || (device.wipeStatus === 'account-only' && versionAtLeast(version, '16.1'));
  if (command === 'Provision') return !wipe && access === 'blocked' ? refuse(command, version, 'blocked') : undefined;
  if (wipe) return provisionAgain(command, version, CommonStatus.RemoteWipeRequested, 'wipe-pending');
  if (access === 'blocked') return refuse(command, version, 'blocked');
  if (access === 'quarantined' && !QUARANTINE_COMMANDS.has(command)) return refuse(command, version, 'quarantined');
  if (!input.enforcePolicy || input.allowedWithoutPolicy) return undefined;
  const key = input.sentPolicyKey;
  if (device.policyKey !== null && key === device.policyKey && device.policyHash === input.currentPolicyHash) return undefined;
  if (!key) return provisionAgain(command, version, CommonStatus.DeviceNotProvisioned, 'not-provisioned');
  if (key === device.policyKey) return provisionAgain(command, version, CommonStatus.PolicyRefresh, 'policy-refresh');
  return provisionAgain(command, version, CommonStatus.InvalidPolicyKey, 'invalid-policy-key');
}

/** Status 129 in the command's own response from 14.0, HTTP 403 otherwise (MS-ASCMD 2.2.2, 3.2.5.1). */
function refuse(command: string, version: ProtocolVersion, reason: GateAnswer['reason']): GateAnswer {
  const body = versionAtLeast(version, '14.0') ? statusOnlyBody(command, CommonStatus.DeviceIsBlockedForThisUser, version) : undefined;
  return body ? { httpStatus: 200, easStatus: CommonStatus.DeviceIsBlockedForThisUser, body, reason } : { httpStatus: 403, reason };
}

function provisionAgain(command: string, version: ProtocolVersion, status: number, reason: GateAnswer['reason']): GateAnswer {
  const body = versionAtLeast(version, '14.0') ? statusOnlyBody(command, status, version) : undefined;
  return body ? { httpStatus: 200, easStatus: status, body, reason } : { httpStatus: 449, reason };
}
