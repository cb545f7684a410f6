import type { AccessRule, RuleField } from '../state/access-rules.ts';
import type { AccessState, DeviceRow } from '../state/devices.ts';

/**
 * Whether a device may sync, decided at every request (Exchange's
 * allow/block/quarantine, ABQ):
 *
 * 1. an operator's per-device decision (`eas-admin device allow|block|
 *    quarantine`, or the block after an acknowledged wipe) wins;
 * 2. else the access rules that match the device: when several match, the
 *    most restrictive wins (blocked, then quarantined, then allowed), so an
 *    allow rule never opens what a block rule closed, and exceptions are
 *    made per device;
 * 3. else the organisation default (`eas-admin rules default`, allowed
 *    unless changed).
 *
 * DeviceModel and DeviceOS are known once the phone sent its
 * DeviceInformation (Settings, or Provision from 14.1); until then only
 * rules on DeviceType, User-Agent and user can match it.
 */
export interface AccessDecision {
  readonly state: AccessState;
  readonly by: 'operator' | 'rule' | 'default';
  readonly rule?: AccessRule;
}

const RANK: Readonly<Record<AccessState, number>> = { allowed: 0, quarantined: 1, blocked: 2 };

/** A case-insensitive glob (`*` any run, `?` one character) as an anchored regular expression. */
export function globToRegExp(pattern: string): RegExp {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/gu, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'iu');
}

function valueOf(field: RuleField, device: DeviceRow): string | undefined {
  switch (field) {
    case 'deviceType':
      return device.deviceType;
    case 'deviceModel':
      return device.info.model;
    case 'deviceOS':
      return device.info.os;
    case 'userAgent':
      return device.userAgent ?? device.info.userAgent;
    case 'user':
      return device.mailbox;
  }
}

export function ruleMatches(rule: AccessRule, device: DeviceRow): boolean {
  const v = valueOf(rule.field, device);
  return v !== undefined && globToRegExp(rule.pattern).test(v);
}

export function decideAccess(device: DeviceRow, rules: readonly AccessRule[], orgDefault: AccessState): AccessDecision {
  if (device.accessSource === 'operator') return { state: device.accessState, by: 'operator' };
  let best: AccessRule | undefined;
  for (const r of rules) if (ruleMatches(r, device) && (!best || RANK[r.access] > RANK[best.access])) best = r;
  return best ? { state: best.access, by: 'rule', rule: best } : { state: orgDefault, by: 'default' };
}
