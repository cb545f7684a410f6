import { describe, expect, it } from 'vitest';
import { gateRequest } from '../../src/server/policy-gate.ts';
import { deviceRow } from './helpers/device-row.ts';

const device = deviceRow;

const gate = (over: Partial<Parameters<typeof gateRequest>[0]> = {}) =>
  gateRequest({ device: device(), access: 'allowed', command: 'FolderSync', version: '14.1', sentPolicyKey: 42, allowedWithoutPolicy: false, enforcePolicy: true, currentPolicyHash: 'h', ...over });

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
  it('blocked devices get Status 129 from 14.0 and HTTP 403 before; a wiped device is refused even for Provision', () => {
    expect(gate({ access: 'blocked' })).toMatchObject({ httpStatus: 200, easStatus: 129, reason: 'blocked' });
    expect(gate({ access: 'blocked', version: '12.1' })).toMatchObject({ httpStatus: 403, reason: 'blocked' });
    expect(gate({ access: 'blocked', command: 'GetAttachment' })).toMatchObject({ httpStatus: 403 });
    expect(gate({ access: 'blocked', command: 'Provision' })).toMatchObject({ easStatus: 129 });
    expect(gate({ device: device({ wipeStatus: 'done' }), command: 'Provision' })).toMatchObject({ reason: 'wiped' });
  });
  it('quarantined devices may provision, list folders and Sync (the notice), nothing else', () => {
    for (const command of ['Provision', 'Settings', 'FolderSync', 'Sync']) expect(gate({ access: 'quarantined', command, allowedWithoutPolicy: command === 'Settings' })).toBeUndefined();
    expect(gate({ access: 'quarantined', command: 'Ping' })).toMatchObject({ easStatus: 129, reason: 'quarantined' });
    expect(gate({ access: 'quarantined', command: 'SendMail', version: '12.1' })).toMatchObject({ httpStatus: 403 });
  });
  it('a pending wipe goes out even to a blocked device', () => {
    expect(gate({ access: 'blocked', command: 'Provision', device: device({ wipeStatus: 'pending' }) })).toBeUndefined();
    expect(gate({ access: 'blocked', device: device({ wipeStatus: 'pending' }) })?.easStatus).toBe(140);
  });
  it('no enforcement: any key passes', () => {
    expect(gate({ enforcePolicy: false, sentPolicyKey: 0 })).toBeUndefined();
  });
  it('16.1 account-only wipe is ordered; before 16.1 it cannot be', () => {
    expect(gate({ version: '16.1', device: device({ wipeStatus: 'account-only' }) })?.easStatus).toBe(140);
    expect(gate({ version: '14.1', device: device({ wipeStatus: 'account-only' }) })).toBeUndefined();
  });
});
