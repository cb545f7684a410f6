import type { DeviceRow } from '../../../src/state/devices.ts';

/** A provisioned, allowed device row with no wipe, for tests of the decisions made on it; `over` changes fields. */
export function deviceRow(over: Partial<DeviceRow> = {}): DeviceRow {
  return {
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
    wipeSentAt: null,
    accessState: 'allowed',
    accessSource: 'default',
    quarantineNotifiedAt: null,
    ...over,
  };
}
