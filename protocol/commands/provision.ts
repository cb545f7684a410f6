import { child, el, type WbxmlElement } from '../wbxml/tree.ts';
import { versionAtLeast, type ProtocolVersion } from '../version.ts';
import { parseDeviceInformation, type DeviceInformation } from './device-information.ts';
import { buildProvisionDoc, type EasProvisionDoc } from './provision-doc.ts';
import { compact, expectRoot, failWith, optInt, optText, reqInt, reqText, type Fail } from './util.ts';

export * from './provision-doc.ts';

/** Provision Status values (MS-ASPROV 2.2.2.54.2). */
export const ProvisionStatus = { Success: 1, ProtocolError: 2, ServerError: 3 } as const;

/** Policy Status values in responses (MS-ASPROV 2.2.2.54.1). */
export const PolicyStatus = {
  Success: 1,
  NoPolicy: 2,
  UnknownPolicyType: 3,
  PolicyDataCorrupt: 4,
  PolicyKeyMismatch: 5,
} as const;

/** Status the client reports when acknowledging a policy (MS-ASPROV 2.2.2.54.1 in requests). */
export const PolicyAckStatus = { Applied: 1, PartiallyApplied: 2, NotApplied: 3, ExternallyManaged: 4 } as const;

/** PolicyType values (MS-ASPROV 2.2.2.43): XML for 2.5, WBXML for 12.0 and later. */
export const PolicyType = { Wap: 'MS-WAP-Provisioning-XML', Wbxml: 'MS-EAS-Provisioning-WBXML' } as const;

/** The Policy a client asks for or acknowledges (MS-ASPROV 2.2.2.41). */
export interface ProvisionPolicyRequest {
  readonly policyType: string;
  /** Present in the acknowledgement: the temporary key from the first response. */
  readonly policyKey?: number;
  /** Present in the acknowledgement: see `PolicyAckStatus`. */
  readonly status?: number;
}

/**
 * A Provision request (MS-ASPROV 3.1.5.1): a policy request or
 * acknowledgement, and/or a remote wipe acknowledgement, with device
 * information from 14.1. No body reads as `{}` (the initial request of some
 * old clients).
 */
export interface ProvisionRequest {
  readonly deviceInformation?: DeviceInformation;
  readonly policy?: ProvisionPolicyRequest;
  /** Client's report after a remote wipe directive: 1 success, 2 failure (MS-ASPROV 2.2.2.54.3). */
  readonly remoteWipeStatus?: number;
  /** 16.1: report after an account-only wipe (MS-ASPROV 2.2.2.2). */
  readonly accountOnlyRemoteWipeStatus?: number;
}

/** The policy part of a Provision response. */
export interface ProvisionPolicyResponse {
  readonly policyType: string;
  readonly status: number;
  readonly policyKey?: number;
  /** 12.0+: the settings document; 2.5: `wapProvisioningXml` instead. */
  readonly doc?: EasProvisionDoc;
  readonly wapProvisioningXml?: string;
}

/** A Provision response (MS-ASPROV 3.2.5.1). */
export interface ProvisionResponse {
  readonly status: number;
  /** 14.1+: answer to the DeviceInformation the client sent (Settings status values). */
  readonly deviceInformationStatus?: number;
  readonly policy?: ProvisionPolicyResponse;
  /** Orders a full device wipe (MS-ASPROV 2.2.2.53). */
  readonly remoteWipe?: boolean;
  /** 16.1: orders removal of this account's data only (MS-ASPROV 2.2.2.2). */
  readonly accountOnlyRemoteWipe?: boolean;
}

const PR = 'Provision';

function wipeStatus(root: WbxmlElement, name: string, fail: Fail): number | undefined {
  const w = child(root, name, PR);
  return w ? reqInt(w, 'Status', PR, fail) : undefined;
}

/** Parses a Provision request; grammar errors are Status 2 (protocol error). */
export function parseProvisionRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): ProvisionRequest {
  if (!root) return {};
  const fail = failWith('Provision', ProvisionStatus.ProtocolError);
  expectRoot(root, PR, 'Provision', fail);
  const di = child(root, 'DeviceInformation', 'Settings');
  const policies = child(root, 'Policies', PR);
  let policy: ProvisionPolicyRequest | undefined;
  if (policies) {
    const p = child(policies, 'Policy', PR) ?? fail('Policies without Policy');
    const key = optText(p, 'PolicyKey', PR, fail);
    if (key !== undefined && (!/^\d{1,10}$/.test(key) || Number(key) > 0xffffffff)) fail('PolicyKey is not an unsigned 32-bit integer');
    policy = compact({ policyType: reqText(p, 'PolicyType', PR, fail), policyKey: key === undefined ? undefined : Number(key), status: optInt(p, 'Status', PR, fail) });
  }
  return compact({
    // DeviceInformation inside Provision is a 14.1 addition; reading it whenever present costs nothing and keeps what a device told us.
    deviceInformation: di ? parseDeviceInformation(di, fail) : undefined,
    policy,
    remoteWipeStatus: wipeStatus(root, 'RemoteWipe', fail),
    accountOnlyRemoteWipeStatus: wipeStatus(root, 'AccountOnlyRemoteWipe', fail),
  });
}

function buildPolicy(p: ProvisionPolicyResponse, version: ProtocolVersion): WbxmlElement {
  let data: WbxmlElement | undefined;
  if (p.doc) data = el(PR, 'Data', [buildProvisionDoc(p.doc, version)]);
  else if (p.wapProvisioningXml !== undefined) data = el(PR, 'Data', p.wapProvisioningXml);
  return el(PR, 'Policies', [
    el(PR, 'Policy', [
      el(PR, 'PolicyType', p.policyType),
      el(PR, 'Status', p.status),
      p.policyKey !== undefined ? el(PR, 'PolicyKey', String(p.policyKey)) : undefined,
      data,
    ]),
  ]);
}

/**
 * Builds a Provision response (MS-ASPROV 3.2.5.1.1): settings:DeviceInformation
 * (14.1+), Status, Policies/Policy { PolicyType, Status, PolicyKey, Data },
 * RemoteWipe, AccountOnlyRemoteWipe (16.1 only).
 */
export function buildProvisionResponse(res: ProvisionResponse, version: ProtocolVersion): WbxmlElement {
  return el(PR, 'Provision', [
    res.deviceInformationStatus !== undefined && versionAtLeast(version, '14.1')
      ? el('Settings', 'DeviceInformation', [el('Settings', 'Status', res.deviceInformationStatus)])
      : undefined,
    el(PR, 'Status', res.status),
    res.policy ? buildPolicy(res.policy, version) : undefined,
    res.remoteWipe ? el(PR, 'RemoteWipe') : undefined,
    res.accountOnlyRemoteWipe && versionAtLeast(version, '16.1') ? el(PR, 'AccountOnlyRemoteWipe') : undefined,
  ]);
}
