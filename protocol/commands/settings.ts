import { child, childrenNamed, el, hasChild, type WbxmlElement } from '../wbxml/tree.ts';
import { versionAtLeast, type ProtocolVersion } from '../version.ts';
import { parseDeviceInformation, type DeviceInformation } from './device-information.ts';
import { compact, expectRoot, failWith, optBool, optInt, optText, reqText, type Fail } from './util.ts';

/** Settings Status values (MS-ASCMD 2.2.3.177.15), for the command and for each of its parts. */
export const SettingsStatus = {
  Success: 1,
  ProtocolError: 2,
  AccessDenied: 3,
  ServerUnavailable: 4,
  InvalidArguments: 5,
  ConflictingArguments: 6,
  DeniedByPolicy: 7,
} as const;

/** OofState values (MS-ASCMD 2.2.3.120): 0 disabled, 1 enabled, 2 enabled for StartTime..EndTime. */
export const OofState = { Disabled: 0, Global: 1, TimeBased: 2 } as const;

/** Which audience an out-of-office message is for (MS-ASCMD 2.2.3.14..16). */
export type OofAudience = 'Internal' | 'ExternalKnown' | 'ExternalUnknown';

/** One OofMessage (MS-ASCMD 2.2.3.121). BodyType is "Text" or "HTML". */
export interface OofMessage {
  readonly appliesTo: OofAudience;
  readonly enabled?: boolean;
  readonly replyMessage?: string;
  readonly bodyType?: string;
}

/** Out-of-office settings as Oof/Set carries them and Oof/Get returns them. StartTime/EndTime are EAS date-time strings (MS-ASDTYPE 2.3). */
export interface OofSettings {
  readonly oofState?: number;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly messages: readonly OofMessage[];
}

/** A Settings request (MS-ASCMD 2.2.1.18); each part present only when the client sent it. */
export interface SettingsRequest {
  readonly oof?: { readonly kind: 'Get'; readonly bodyType: string } | { readonly kind: 'Set'; readonly settings: OofSettings };
  readonly devicePassword?: { readonly password: string };
  readonly deviceInformation?: DeviceInformation;
  readonly userInformationGet?: boolean;
  readonly rightsManagementInformationGet?: boolean;
}

/** The mailbox's addresses for UserInformation/Get. The 14.1+ Account form also carries the names. */
export interface UserInformation {
  readonly emailAddresses: readonly string[];
  readonly primarySmtpAddress?: string;
  readonly accountId?: string;
  readonly accountName?: string;
  readonly userDisplayName?: string;
  readonly sendDisabled?: boolean;
}

/** A rights-management template (MS-ASRM 2.2.2.15). */
export interface RightsManagementTemplate {
  readonly id: string;
  readonly name: string;
  readonly description: string;
}

/** A Settings response. */
export interface SettingsResponse {
  readonly status: number;
  readonly oof?: { readonly status: number; readonly get?: OofSettings };
  readonly devicePassword?: { readonly status: number };
  readonly deviceInformation?: { readonly status: number };
  readonly userInformation?: { readonly status: number; readonly get?: UserInformation };
  readonly rightsManagementInformation?: { readonly status: number; readonly templates?: readonly RightsManagementTemplate[] };
}

const S = 'Settings';
const AUDIENCE: Record<string, OofAudience> = {
  AppliesToInternal: 'Internal',
  AppliesToExternalKnown: 'ExternalKnown',
  AppliesToExternalUnknown: 'ExternalUnknown',
};

function parseOofMessage(m: WbxmlElement, fail: Fail): OofMessage {
  const marker = (m.children ?? []).find((c) => c.ns === S && c.name in AUDIENCE);
  if (!marker) return fail('OofMessage without AppliesTo*');
  return compact({
    appliesTo: AUDIENCE[marker.name]!,
    enabled: optBool(m, 'Enabled', S, fail),
    replyMessage: optText(m, 'ReplyMessage', S, fail),
    bodyType: optText(m, 'BodyType', S, fail),
  });
}

function parseOof(oof: WbxmlElement, fail: Fail): NonNullable<SettingsRequest['oof']> {
  const get = child(oof, 'Get', S);
  if (get) return { kind: 'Get', bodyType: reqText(get, 'BodyType', S, fail) };
  const set = child(oof, 'Set', S) ?? fail('Oof without Get or Set');
  const oofState = optInt(set, 'OofState', S, fail);
  if (oofState !== undefined && (oofState < 0 || oofState > 2)) fail('OofState is not 0..2');
  return {
    kind: 'Set',
    settings: compact({
      oofState,
      startTime: optText(set, 'StartTime', S, fail),
      endTime: optText(set, 'EndTime', S, fail),
      messages: childrenNamed(set, 'OofMessage', S).map((m) => parseOofMessage(m, fail)),
    }),
  };
}

/** Parses a Settings request; grammar errors, including a request with no known part, are Status 2. */
export function parseSettingsRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): SettingsRequest {
  const fail = failWith('Settings', SettingsStatus.ProtocolError);
  const r = expectRoot(root, S, 'Settings', fail);
  const oof = child(r, 'Oof', S);
  const dp = child(r, 'DevicePassword', S);
  const di = child(r, 'DeviceInformation', S);
  const ui = child(r, 'UserInformation', S);
  const rm = child(r, 'RightsManagementInformation', S);
  const req: SettingsRequest = compact({
    oof: oof ? parseOof(oof, fail) : undefined,
    devicePassword: dp ? { password: reqText(child(dp, 'Set', S) ?? fail('DevicePassword without Set'), 'Password', S, fail) } : undefined,
    deviceInformation: di ? parseDeviceInformation(di, fail) : undefined,
    userInformationGet: ui ? hasChild(ui, 'Get', S) || fail('UserInformation without Get') : undefined,
    rightsManagementInformationGet: rm ? hasChild(rm, 'Get', S) || fail('RightsManagementInformation without Get') : undefined,
  });
  if (Object.keys(req).length === 0) fail('Settings without any known part');
  return req;
}

function buildOofGet(o: OofSettings): WbxmlElement {
  return el(S, 'Get', [
    o.oofState !== undefined ? el(S, 'OofState', o.oofState) : undefined,
    o.startTime !== undefined ? el(S, 'StartTime', o.startTime) : undefined,
    o.endTime !== undefined ? el(S, 'EndTime', o.endTime) : undefined,
    ...o.messages.map((m) =>
      el(S, 'OofMessage', [
        el(S, `AppliesTo${m.appliesTo}`),
        m.enabled !== undefined ? el(S, 'Enabled', m.enabled) : undefined,
        m.replyMessage !== undefined ? el(S, 'ReplyMessage', m.replyMessage) : undefined,
        m.bodyType !== undefined ? el(S, 'BodyType', m.bodyType) : undefined,
      ]),
    ),
  ]);
}

/**
 * UserInformation/Get: from 14.1 the Accounts/Account form (MS-ASCMD
 * 2.2.3.3), before it EmailAddresses/SMTPAddress directly under Get.
 */
function buildUserInformationGet(u: UserInformation, version: ProtocolVersion): WbxmlElement {
  const smtp = u.emailAddresses.map((a) => el(S, 'SMTPAddress', a));
  if (!versionAtLeast(version, '14.1')) return el(S, 'Get', [el(S, 'EmailAddresses', smtp)]);
  return el(S, 'Get', [
    el(S, 'Accounts', [
      el(S, 'Account', [
        u.accountId !== undefined ? el(S, 'AccountId', u.accountId) : undefined,
        u.accountName !== undefined ? el(S, 'AccountName', u.accountName) : undefined,
        u.userDisplayName !== undefined ? el(S, 'UserDisplayName', u.userDisplayName) : undefined,
        u.sendDisabled !== undefined ? el(S, 'SendDisabled', u.sendDisabled) : undefined,
        el(S, 'EmailAddresses', [...smtp, u.primarySmtpAddress !== undefined ? el(S, 'PrimarySmtpAddress', u.primarySmtpAddress) : undefined]),
      ]),
    ]),
  ]);
}

function buildRightsManagement(r: NonNullable<SettingsResponse['rightsManagementInformation']>): WbxmlElement {
  const RM = 'RightsManagement';
  return el(S, 'RightsManagementInformation', [
    el(S, 'Status', r.status),
    r.templates
      ? el(S, 'Get', [
          // An empty templates element is how "no templates" is said, so build it by hand rather than let el() drop the children list.
          r.templates.length
            ? el(
                RM,
                'RightsManagementTemplates',
                r.templates.map((t) =>
                  el(RM, 'RightsManagementTemplate', [el(RM, 'TemplateDescription', t.description), el(RM, 'TemplateID', t.id), el(RM, 'TemplateName', t.name)]),
                ),
              )
            : el(RM, 'RightsManagementTemplates'),
        ])
      : undefined,
  ]);
}

/**
 * Builds a Settings response (MS-ASCMD 2.2.1.18) in the order of MS-ASCMD
 * 2.2.3.168.2: Status, RightsManagementInformation (14.1+), Oof,
 * DevicePassword, DeviceInformation, UserInformation.
 */
export function buildSettingsResponse(res: SettingsResponse, version: ProtocolVersion): WbxmlElement {
  return el(S, 'Settings', [
    el(S, 'Status', res.status),
    res.rightsManagementInformation && versionAtLeast(version, '14.1') ? buildRightsManagement(res.rightsManagementInformation) : undefined,
    res.oof ? el(S, 'Oof', [el(S, 'Status', res.oof.status), res.oof.get ? buildOofGet(res.oof.get) : undefined]) : undefined,
    res.devicePassword ? el(S, 'DevicePassword', [el(S, 'Status', res.devicePassword.status)]) : undefined,
    res.deviceInformation ? el(S, 'DeviceInformation', [el(S, 'Status', res.deviceInformation.status)]) : undefined,
    res.userInformation
      ? el(S, 'UserInformation', [
          el(S, 'Status', res.userInformation.status),
          res.userInformation.get ? buildUserInformationGet(res.userInformation.get, version) : undefined,
        ])
      : undefined,
  ]);
}
