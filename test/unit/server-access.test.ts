import { describe, expect, it } from 'vitest';
import { decideAccess, globToRegExp } from '../../src/server/access.ts';
import type { AccessRule } from '../../src/state/access-rules.ts';
import type { DeviceRow } from '../../src/state/devices.ts';
import { deviceRow } from './helpers/device-row.ts';

const device = (over: Partial<DeviceRow> = {}): DeviceRow =>
  deviceRow({ mailbox: 'alice@example.test', deviceType: 'iPhone', userAgent: 'Apple-iPhone15C2/2102.55', protocolVersion: '16.1', info: { model: 'iPhone15,2', os: 'iOS 17.4' }, ...over });

let id = 0;
const rule = (field: AccessRule['field'], pattern: string, access: AccessRule['access']): AccessRule => ({ id: ++id, field, pattern, access, createdAt: 0 });

describe('device access decision', () => {
  it('globs match whole values, case-insensitively, with regular-expression characters taken literally', () => {
    expect(globToRegExp('iphone*').test('iPhone')).toBe(true);
    expect(globToRegExp('ios 1?.*').test('iOS 17.4')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('(x)+').test('(x)+')).toBe(true);
    expect(globToRegExp('phone').test('iPhone')).toBe(false);
  });

  it('the most restrictive matching rule wins; no match falls to the organisation default', () => {
    const rules = [rule('deviceType', 'iphone', 'allowed'), rule('deviceOS', 'iOS 17*', 'quarantined'), rule('userAgent', 'Android*', 'blocked')];
    expect(decideAccess(device(), rules, 'allowed')).toMatchObject({ state: 'quarantined', by: 'rule', rule: { field: 'deviceOS' } });
    expect(decideAccess(device({ deviceType: 'SAMSUNG', userAgent: 'Android-SAMSUNG/1', info: {} }), rules, 'allowed')).toMatchObject({ state: 'blocked', by: 'rule' });
    expect(decideAccess(device({ deviceType: 'Outlook', userAgent: null, info: {} }), rules, 'quarantined')).toEqual({ state: 'quarantined', by: 'default' });
  });

  it("an operator's per-device decision wins over every rule", () => {
    const rules = [rule('user', '*', 'blocked')];
    expect(decideAccess(device({ accessSource: 'operator', accessState: 'allowed' }), rules, 'blocked')).toEqual({ state: 'allowed', by: 'operator' });
  });

  it('model and OS rules need the DeviceInformation the phone sent', () => {
    expect(decideAccess(device({ info: {} }), [rule('deviceModel', '*', 'blocked')], 'allowed').state).toBe('allowed');
  });
});
