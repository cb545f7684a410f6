import {
  buildProvisionResponse,
  parseProvisionRequest,
  PolicyAckStatus,
  PolicyStatus,
  PolicyType,
  ProvisionStatus,
  type ProvisionRequest,
  type ProvisionResponse,
} from '../../protocol/commands/provision.ts';
import { versionAtLeast } from '../../protocol/version.ts';
import type { Services } from '../server/services.ts';
import type { DeviceInformation } from '../state/devices.ts';
import type { DeviceInformation as WireDeviceInformation } from '../../protocol/commands/device-information.ts';
import { StatusError } from './errors.ts';
import { devicePolicy, newPolicyKey, policyRequiresSomething, provisionDoc, wapProvisioningXml } from './policy.ts';
import type { CommandContext, CommandHandler, CommandResult } from './types.ts';

/** The device-information shape of the state layer. */
export function toStoredInformation(d: WireDeviceInformation): DeviceInformation {
  return {
    ...(d.model !== undefined ? { model: d.model } : {}),
    ...(d.imei !== undefined ? { imei: d.imei } : {}),
    ...(d.friendlyName !== undefined ? { friendlyName: d.friendlyName } : {}),
    ...(d.os !== undefined ? { os: d.os } : {}),
    ...(d.osLanguage !== undefined ? { osLanguage: d.osLanguage } : {}),
    ...(d.phoneNumber !== undefined ? { phoneNumber: d.phoneNumber } : {}),
    ...(d.mobileOperator !== undefined ? { mobileOperator: d.mobileOperator } : {}),
    ...(d.userAgent !== undefined ? { userAgent: d.userAgent } : {}),
    ...(d.enableOutboundSMS !== undefined ? { enableOutboundSms: d.enableOutboundSMS } : {}),
  };
}

function answer(ctx: CommandContext<Services>, res: ProvisionResponse): CommandResult {
  return { body: buildProvisionResponse(res, ctx.protocolVersion), easStatus: res.status };
}

/**
 * Provision (MS-ASPROV 3.2.5.1). Initial request: the policy for the
 * device's version (WBXML EASProvisionDoc from 12.0, WAP XML for 2.5) with
 * a temporary key; acknowledgement: the final key, which every later
 * request must carry. A pending remote wipe (or 16.1 account-only wipe) is
 * ordered instead of the policy, and its acknowledgement is recorded.
 */
export const provisionHandler: CommandHandler<ProvisionRequest, Services> = {
  name: 'Provision',
  allowedWithoutPolicy: true,
  acceptsEmptyBody: true,
  parse: (body, ctx) => parseProvisionRequest(body, ctx.protocolVersion),
  async handle(ctx, req) {
    const { repos, db, config } = ctx.services;
    const device = repos.devices.get(ctx.mailbox, ctx.deviceId);
    if (!device) throw new Error('device row missing during Provision');
    const infoStatus = req.deviceInformation ? 1 : undefined;
    const accountOnly = versionAtLeast(ctx.protocolVersion, '16.1');

    // Wipe acknowledgements (MS-ASPROV 3.1.5.1.2.2 / 3.1.5.1.2.3).
    if (req.remoteWipeStatus !== undefined || req.accountOnlyRemoteWipeStatus !== undefined) {
      const status = req.remoteWipeStatus ?? req.accountOnlyRemoteWipeStatus;
      const ordered = device.wipeStatus === 'pending' || device.wipeStatus === 'account-only';
      db.transaction(() => {
        if (!ordered) return;
        // Acknowledged: the device is blocked from now on (a wiped phone that adds the account again is refused until an operator allows it).
        repos.devices.setWipe(ctx.mailbox, ctx.deviceId, 'done');
        repos.devices.setAccessState(ctx.mailbox, ctx.deviceId, 'blocked');
        repos.audit.record({ actor: 'server', action: 'wipe.acknowledged', mailbox: ctx.mailbox, deviceId: ctx.deviceId, detail: { kind: device.wipeStatus, status } });
      })();
      ctx.log.warn({ event: ordered ? 'audit.wipe.acknowledged' : 'provision.wipe-acknowledged', status, accountOnly: req.accountOnlyRemoteWipeStatus !== undefined });
      return answer(ctx, { status: ProvisionStatus.Success });
    }

    if (req.deviceInformation) {
      const info = toStoredInformation(req.deviceInformation);
      db.transaction(() => repos.devices.setInformation(ctx.mailbox, ctx.deviceId, info))();
    }

    // A pending wipe is ordered in answer to any other Provision (MS-ASPROV 3.2.5.1.1).
    if (device.wipeStatus === 'pending' || (device.wipeStatus === 'account-only' && accountOnly)) {
      if (device.wipeSentAt === null) {
        db.transaction(() => {
          repos.devices.markWipeSent(ctx.mailbox, ctx.deviceId);
          repos.audit.record({ actor: 'server', action: 'wipe.sent', mailbox: ctx.mailbox, deviceId: ctx.deviceId, detail: { kind: device.wipeStatus } });
        })();
      }
      ctx.log.warn({ event: 'audit.wipe.sent', kind: device.wipeStatus });
      return answer(ctx, {
        status: ProvisionStatus.Success,
        ...(infoStatus ? { deviceInformationStatus: infoStatus } : {}),
        ...(device.wipeStatus === 'pending' ? { remoteWipe: true } : { accountOnlyRemoteWipe: true }),
      });
    }
    if (device.wipeStatus === 'account-only') {
      ctx.log.warn({ event: 'provision.account-only-wipe-unsupported', version: ctx.protocolVersion }, 'account-only wipe needs protocol 16.1; device left as is');
    }

    const expectedType = ctx.protocolVersion === '2.5' ? PolicyType.Wap : PolicyType.Wbxml;
    const policyType = req.policy?.policyType ?? expectedType;
    if (policyType !== expectedType) {
      return answer(ctx, {
        status: ProvisionStatus.Success,
        ...(infoStatus ? { deviceInformationStatus: infoStatus } : {}),
        policy: { policyType, status: PolicyStatus.UnknownPolicyType },
      });
    }

    // The device's policy set, else the global policy (issue 12 item 4).
    const { policy, hash, set } = devicePolicy(config.policy, repos.policySets.forDevice(ctx.mailbox, ctx.deviceId));
    if (req.policy?.policyKey !== undefined && req.policy.policyKey !== 0) {
      // Acknowledgement phase (MS-ASPROV 3.2.5.1.2).
      const ack = req.policy.status ?? PolicyAckStatus.Applied;
      const known = req.policy.policyKey === device.pendingPolicyKey || (req.policy.policyKey === device.policyKey && device.policyHash === hash);
      if (!known) {
        ctx.log.info({ event: 'provision.key-mismatch' });
        return answer(ctx, { status: ProvisionStatus.Success, policy: { policyType, status: PolicyStatus.PolicyKeyMismatch } });
      }
      if (ack !== PolicyAckStatus.Applied && ack !== PolicyAckStatus.PartiallyApplied && policyRequiresSomething(policy)) {
        ctx.log.warn({ event: 'provision.not-applied', ack });
        // 139: the device cannot comply and the policy demands it (MS-ASPROV 3.1.5.2).
        if (versionAtLeast(ctx.protocolVersion, '14.0')) throw new StatusError('Provision', 139);
        throw new StatusError('Provision', 139, 'device cannot apply the policy', 403);
      }
      const finalKey = device.policyKey !== null && req.policy.policyKey === device.policyKey ? device.policyKey : newPolicyKey();
      db.transaction(() => repos.devices.acknowledgePolicy(ctx.mailbox, ctx.deviceId, finalKey, hash))();
      ctx.log.info({ event: 'provision.acknowledged', ack });
      return answer(ctx, {
        status: ProvisionStatus.Success,
        ...(infoStatus ? { deviceInformationStatus: infoStatus } : {}),
        policy: { policyType, status: PolicyStatus.Success, policyKey: finalKey },
      });
    }

    // Initial phase (MS-ASPROV 3.2.5.1.1): the policy and a temporary key.
    const tempKey = newPolicyKey();
    db.transaction(() => repos.devices.setPendingPolicyKey(ctx.mailbox, ctx.deviceId, tempKey))();
    ctx.log.info({ event: 'provision.policy-sent', policySet: set ?? null });
    return answer(ctx, {
      status: ProvisionStatus.Success,
      ...(infoStatus ? { deviceInformationStatus: infoStatus } : {}),
      policy: {
        policyType,
        status: PolicyStatus.Success,
        policyKey: tempKey,
        ...(policyType === PolicyType.Wap ? { wapProvisioningXml: wapProvisioningXml(policy) } : { doc: provisionDoc(policy) }),
      },
    });
  },
};
