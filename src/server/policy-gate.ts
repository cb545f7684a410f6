import { CommonStatus } from '../../protocol/commands/common-status.ts';
import { versionAtLeast, type ProtocolVersion } from '../../protocol/version.ts';
import { statusOnlyBody } from '../commands/errors.ts';
import type { DeviceRow } from '../state/devices.ts';

/** Why a request may not run yet, and what to answer. */
export interface GateAnswer {
  readonly httpStatus: number;
  readonly easStatus?: number;
  readonly body?: ReturnType<typeof statusOnlyBody>;
  readonly reason: 'blocked' | 'quarantined' | 'wiped' | 'wipe-pending' | 'not-provisioned' | 'policy-refresh' | 'invalid-policy-key';
}

/**
 * Device checks before a command runs (MS-ASPROV 3.2.5.1, ARCHITECTURE rule 7):
 * blocked / quarantined / already wiped devices get 403; a pending wipe and a
 * missing, stale or wrong policy key make the device provision: HTTP 449 for
 * 12.x and older (and for commands without a status-only response), the
 * common status 140 / 142 / 143 / 144 inside the command's response from 14.0.
 * Provision is never gated by policy; `allowedWithoutPolicy` commands
 * (Settings, Ping) skip the policy check but not the wipe order.
 */
export function gateRequest(input: {
  readonly device: DeviceRow;
  readonly command: string;
  readonly version: ProtocolVersion;
  readonly sentPolicyKey: number;
  readonly allowedWithoutPolicy: boolean;
  readonly enforcePolicy: boolean;
  readonly currentPolicyHash: string;
}): GateAnswer | undefined {
  const { device, command, version } = input;
  if (device.accessState === 'blocked') return { httpStatus: 403, reason: 'blocked' };
  if (device.accessState === 'quarantined') return { httpStatus: 403, reason: 'quarantined' };
  if (device.wipeStatus === 'done') return { httpStatus: 403, reason: 'wiped' };
  if (command === 'Provision') return undefined;
  const wipe = device.wipeStatus === 'pending' || (device.wipeStatus === 'account-only' && versionAtLeast(version, '16.1'));
  if (wipe) return provisionAgain(command, version, CommonStatus.RemoteWipeRequested, 'wipe-pending');
  if (!input.enforcePolicy || input.allowedWithoutPolicy) return undefined;
  const key = input.sentPolicyKey;
  if (device.policyKey !== null && key === device.policyKey && device.policyHash === input.currentPolicyHash) return undefined;
  if (!key) return provisionAgain(command, version, CommonStatus.DeviceNotProvisioned, 'not-provisioned');
  if (key === device.policyKey) return provisionAgain(command, version, CommonStatus.PolicyRefresh, 'policy-refresh');
  return provisionAgain(command, version, CommonStatus.InvalidPolicyKey, 'invalid-policy-key');
}

function provisionAgain(command: string, version: ProtocolVersion, status: number, reason: GateAnswer['reason']): GateAnswer {
  const body = versionAtLeast(version, '14.0') ? statusOnlyBody(command, status, version) : undefined;
  return body ? { httpStatus: 200, easStatus: status, body, reason } : { httpStatus: 449, reason };
}
