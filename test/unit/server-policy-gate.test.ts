import { describe, expect, it } from 'vitest';
import { gateRequest } from '../../src/server/policy-gate.ts';
import type { DeviceRow } from '../../src/state/devices.ts';

const device = (over: Partial<DeviceRow> = {}): DeviceRow => ({
  mailbox: 'alice',
  deviceId: 'D',
  deviceType: 'T',
  userAgent: null,
  firstSeen: 0,
  lastSeen: 0,
  protocolVersion: '14.1',
  policyKey: 42,
  policyHash: 'h',
  pendingPolicyKey: null,
  info: {},
  wipeStatus: 'none',
  wipeRequestedAt: null,
  wipeDoneAt: null,
  accessState: 'allowed',
  ...over,
});

const gate = (over: Partial<Parameters<typeof gateRequest>[0]> = {}) =>
  gateRequest({ device: device(), command: 'FolderSync', version: '14.1', sentPolicyKey: 42, allowedWithoutPolicy: false, enforcePolicy: true, currentPolicyHash: 'h', ...over });

describe('policy gate (MS-ASPROV 3.2.5.1)', () => {
  it('lets a device with the current key through', () => {
    expect(gate()).toBeUndefined();
  });
  it.each([
    [{ sentPolicyKey: 0 }, 142, 'not-provisioned'],
    [{ sentPolicyKey: 7 }, 144, 'invalid-policy-key'],
    [{ currentPolicyHash: 'new' }, 143, 'policy-refresh'],
    [{ device: device({ wipeStatus: 'pending' }) }, 140, 'wipe-pending'],
  ])('14.1 %j → Status %i in the command body', (over, status, reason) => {
    const a = gate(over as Partial<Parameters<typeof gateRequest>[0]>);
    expect(a).toMatchObject({ httpStatus: 200, easStatus: status, reason });
    expect(a?.body?.name).toBe('FolderSync');
  });
  it('12.1 gets HTTP 449 instead', () => {
    expect(gate({ version: '12.1', sentPolicyKey: 0 })).toMatchObject({ httpStatus: 449, reason: 'not-provisioned' });
  });
  it('commands without a status-only response get 449 even in 14.1 (GetAttachment)', () => {
    expect(gate({ command: 'GetAttachment', sentPolicyKey: 0 })).toMatchObject({ httpStatus: 449 });
  });
  it('Provision is never gated; allowedWithoutPolicy skips the key check but not a wipe', () => {
    expect(gate({ command: 'Provision', sentPolicyKey: 0, device: device({ wipeStatus: 'pending' }) })).toBeUndefined();
    expect(gate({ command: 'Settings', allowedWithoutPolicy: true, sentPolicyKey: 0 })).toBeUndefined();
    expect(gate({ command: 'Ping', allowedWithoutPolicy: true, device: device({ wipeStatus: 'pending' }) })?.easStatus).toBe(140);
  });
  it('blocked, quarantined and wiped devices get 403', () => {
    expect(gate({ device: device({ accessState: 'blocked' }) })?.httpStatus).toBe(403);
    expect(gate({ device: device({ accessState: 'quarantined' }) })?.httpStatus).toBe(403);
    expect(gate({ device: device({ wipeStatus: 'done' }), command: 'Provision' })?.httpStatus).toBe(403);
  });
  it('no enforcement: any key passes', () => {
    expect(gate({ enforcePolicy: false, sentPolicyKey: 0 })).toBeUndefined();
  });
  it('16.1 account-only wipe is ordered; before 16.1 it cannot be', () => {
    expect(gate({ version: '16.1', device: device({ wipeStatus: 'account-only' }) })?.easStatus).toBe(140);
    expect(gate({ version: '14.1', device: device({ wipeStatus: 'account-only' }) })).toBeUndefined();
  });
});
