/**
 * Provisioning that the replayed server asks for and the recording did not
 * show (a recording made on a server without policies, or begun after the
 * device had its key): HTTP 449, or the common Status 142/143/144 at the
 * top of the answer (MS-ASCMD 2.2.2, MS-ASPROV 3.1.5.1). The replay then
 * does what a device does: the two-phase Provision (request the policy,
 * acknowledge it with the temporary key), keeps the final key and sends the
 * step again. 14.1 and later send DeviceInformation in the first request
 * (MS-ASPROV 2.2.2.53): the session's own when a request of it has one.
 */
import { child, childText, el, findElement, type WbxmlElement } from '../../../protocol/wbxml/tree.ts';
import { versionAtLeast, type ProtocolVersion } from '../../../protocol/version.ts';
import { policyTypeFor, provisionRequest } from '../../client/requests.ts';
import type { StepBody } from './steps.ts';

/** Common statuses that mean "provision first" (MS-ASCMD 2.2.2): DeviceNotProvisioned, PolicyRefresh, InvalidPolicyKey. */
export const PROVISION_STATUSES: ReadonlySet<string> = new Set(['142', '143', '144']);

/** Whether an answer asks the device to provision. */
export function asksToProvision(status: number, body: StepBody): boolean {
  if (status === 449) return true;
  if (body.kind !== 'wbxml') return false;
  const s = body.tree.children?.find((c) => c.name === 'Status');
  return s?.text !== undefined && PROVISION_STATUSES.has(s.text.trim());
}

/** The first settings:DeviceInformation of the session's requests, if any. */
export function sessionDeviceInformation(trees: readonly (WbxmlElement | undefined)[]): WbxmlElement | undefined {
  for (const t of trees) {
    const f = t ? findElement(t, (e) => e.ns === 'Settings' && e.name === 'DeviceInformation') : undefined;
    if (f) return f;
  }
  return undefined;
}

/** The initial Provision request (phase 1), with the session's DeviceInformation element as it was recorded. */
export function provisionPhase1(version: ProtocolVersion, deviceInformation: WbxmlElement | undefined, deviceType: string, userAgent?: string): WbxmlElement {
  const request = provisionRequest({ policyType: policyTypeFor(version) }, version);
  if (!versionAtLeast(version, '14.1')) return request;
  const S = 'Settings';
  const info =
    deviceInformation ??
    el(S, 'DeviceInformation', [el(S, 'Set', [el(S, 'Model', deviceType), el(S, 'FriendlyName', 'eas-replay'), userAgent ? el(S, 'UserAgent', userAgent) : undefined])]);
  return { ...request, children: [info, ...(request.children ?? [])] };
}

/** The acknowledgement (phase 2): the temporary key and Status 1, policy applied. */
export function provisionPhase2(version: ProtocolVersion, tempKey: string): WbxmlElement {
  return provisionRequest({ policyType: policyTypeFor(version), policyKey: tempKey, status: 1 }, version);
}

/** The PolicyKey of a Provision answer. */
export function answeredPolicyKey(body: StepBody): string | undefined {
  if (body.kind !== 'wbxml') return undefined;
  const policy = child(child(body.tree, 'Policies', 'Provision') ?? body.tree, 'Policy', 'Provision');
  return policy ? childText(policy, 'PolicyKey', 'Provision') : undefined;
}
