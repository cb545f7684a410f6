import { child, el, type WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { tagByName, tagInVersion } from '../codepages/index.ts';
import { compact, optBool, optText, type Fail } from './util.ts';

/**
 * What a device says about itself in settings:DeviceInformation/Set
 * (MS-ASCMD 2.2.3.45), sent with Settings (12.1+) and inside Provision
 * (14.1+). All fields are free text from the device.
 */
export interface DeviceInformation {
  readonly model?: string;
  readonly imei?: string;
  readonly friendlyName?: string;
  readonly os?: string;
  readonly osLanguage?: string;
  readonly phoneNumber?: string;
  readonly userAgent?: string;
  readonly mobileOperator?: string;
  readonly enableOutboundSMS?: boolean;
}

const S = 'Settings';
/** Element names in the order MS-ASCMD 2.2.3.157 (Set) lists them. */
const FIELDS = [
  ['model', 'Model'],
  ['imei', 'IMEI'],
  ['friendlyName', 'FriendlyName'],
  ['os', 'OS'],
  ['osLanguage', 'OSLanguage'],
  ['phoneNumber', 'PhoneNumber'],
  ['userAgent', 'UserAgent'],
  ['enableOutboundSMS', 'EnableOutboundSMS'],
  ['mobileOperator', 'MobileOperator'],
] as const;

/** Reads a settings:DeviceInformation element; its Set child is required. Strings are capped at 1024 characters, as they end up in the device record. */
export function parseDeviceInformation(e: WbxmlElement, fail: Fail): DeviceInformation {
  const set = child(e, 'Set', S) ?? fail('DeviceInformation without Set');
  const out: Record<string, string | boolean | undefined> = {};
  for (const [key, name] of FIELDS) {
    if (key === 'enableOutboundSMS') out[key] = optBool(set, name, S, fail);
    else {
      const v = optText(set, name, S, fail);
      out[key] = v === undefined ? undefined : v.slice(0, 1024);
    }
  }
  return compact(out) as DeviceInformation;
}

/** Builds settings:DeviceInformation/Set (for tests and client tooling), leaving out fields the version lacks (UserAgent before 12.1, EnableOutboundSMS and MobileOperator before 14.0). */
export function buildDeviceInformation(d: DeviceInformation, version: ProtocolVersion): WbxmlElement {
  return el(S, 'DeviceInformation', [
    el(
      S,
      'Set',
      FIELDS.map(([key, name]) => {
        const v = d[key];
        const tag = tagByName(S, name);
        return v === undefined || !tag || !tagInVersion(tag, version) ? undefined : el(S, name, v);
      }),
    ),
  ]);
}
