import { buildSettingsResponse, parseSettingsRequest, SettingsStatus, type SettingsRequest, type SettingsResponse } from '../../protocol/commands/settings.ts';
import type { Services } from '../server/services.ts';
import { toStoredInformation } from './provision.ts';
import type { CommandHandler } from './types.ts';

/**
 * Settings (MS-ASCMD 2.2.1.18): DeviceInformation is stored with the device;
 * UserInformation returns the mailbox's address (the operator-set address,
 * else the login when it is an address). Out-of-office has no backend yet:
 * Get reports it off, Set is refused (AccessDenied) rather than pretended.
 * Allowed before Provision, as MS-ASPROV 3.2.5.1 lets devices send their
 * information first.
 */
export const settingsHandler: CommandHandler<SettingsRequest, Services> = {
  name: 'Settings',
  allowedWithoutPolicy: true,
  parse: (body, ctx) => parseSettingsRequest(body, ctx.protocolVersion),
  async handle(ctx, req) {
    const { repos, db } = ctx.services;
    const res: { -readonly [K in keyof SettingsResponse]: SettingsResponse[K] } = { status: SettingsStatus.Success };
    if (req.deviceInformation) {
      const info = toStoredInformation(req.deviceInformation);
      db.transaction(() => repos.devices.setInformation(ctx.mailbox, ctx.deviceId, info))();
      res.deviceInformation = { status: SettingsStatus.Success };
    }
    if (req.userInformationGet) {
      const address = mailboxAddress(ctx.mailbox, repos.mailboxes.get(ctx.mailbox)?.email ?? null);
      res.userInformation = {
        status: SettingsStatus.Success,
        get: { emailAddresses: [address], primarySmtpAddress: address, accountName: address, userDisplayName: ctx.mailbox },
      };
    }
    if (req.oof) {
      res.oof =
        req.oof.kind === 'Get'
          ? { status: SettingsStatus.Success, get: { oofState: 0, messages: [] } }
          : { status: SettingsStatus.AccessDenied };
    }
    if (req.devicePassword) res.devicePassword = { status: SettingsStatus.AccessDenied };
    if (req.rightsManagementInformationGet) res.rightsManagementInformation = { status: SettingsStatus.Success, templates: [] };
    return { body: buildSettingsResponse(res, ctx.protocolVersion), easStatus: res.status };
  },
};

/** The address to show for a mailbox: the operator's setting, else the login. */
export function mailboxAddress(mailbox: string, email: string | null): string {
  return email ?? mailbox;
}
