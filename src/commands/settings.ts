import { buildSettingsResponse, parseSettingsRequest, SettingsStatus, type SettingsRequest, type SettingsResponse } from '../../protocol/commands/settings.ts';
import { isBackendError } from '../../backends/errors.ts';
import type { Services } from '../server/services.ts';
import { toStoredInformation } from './provision.ts';
import { internalDomainOf, oofGetFromVacation, vacationFromOofSet } from './settings-oof.ts';
import type { CommandContext, CommandHandler } from './types.ts';

/**
 * Settings (MS-ASCMD 2.2.1.18): DeviceInformation is stored with the device;
 * UserInformation returns the mailbox's address (the operator-set address,
 * else the login when it is an address). Out of Office is the user's Sieve
 * vacation over ManageSieve (EAS_MANAGESIEVE_URL, backends/sieve); without
 * it Get reports it off and Set is refused (AccessDenied) rather than pretended.
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
    if (req.oof) res.oof = await oofPart(ctx, req.oof);
    if (req.devicePassword) res.devicePassword = { status: SettingsStatus.AccessDenied };
    if (req.rightsManagementInformationGet) res.rightsManagementInformation = { status: SettingsStatus.Success, templates: [] };
    return { body: buildSettingsResponse(res, ctx.protocolVersion), easStatus: res.status };
  },
};

type OofRequest = NonNullable<SettingsRequest['oof']>;

/**
 * Oof Get/Set against the VacationStore. Every failure is this part's
 * status (MS-ASCMD 2.2.3.177.15), never the whole command's: the device's
 * other parts (DeviceInformation) still count. A refused Set touches nothing.
 */
async function oofPart(ctx: CommandContext<Services>, req: OofRequest): Promise<NonNullable<SettingsResponse['oof']>> {
  const store = ctx.services.vacation;
  if (!store) return req.kind === 'Get' ? { status: SettingsStatus.Success, get: { oofState: 0, messages: [] } } : { status: SettingsStatus.AccessDenied };
  const session = { user: ctx.mailbox, password: ctx.password };
  try {
    if (req.kind === 'Get') return { status: SettingsStatus.Success, get: oofGetFromVacation(await store.getVacation(session), req.bodyType) };
    // Only a partial Set (no state, or no messages) needs what is in force now.
    const partial = req.settings.oofState === undefined || req.settings.messages.length === 0;
    const current = partial ? await store.getVacation(session) : undefined;
    const wanted = vacationFromOofSet(req.settings, current);
    if (!('vacation' in wanted)) {
      ctx.log.info({ event: 'settings.oof-rejected', status: wanted.status, reason: wanted.reason }, 'Oof Set refused');
      return { status: wanted.status };
    }
    const address = mailboxAddress(ctx.mailbox, ctx.services.repos.mailboxes.get(ctx.mailbox)?.email ?? null);
    const internalDomain = internalDomainOf(address);
    await store.setVacation(session, wanted.vacation, internalDomain ? { internalDomain } : {});
    return { status: SettingsStatus.Success };
  } catch (err) {
    const code = isBackendError(err) ? err.code : undefined;
    const status =
      code === 'AuthFailed' || code === 'Forbidden'
        ? SettingsStatus.AccessDenied
        : code === 'Invalid' || code === 'TooLarge'
          ? SettingsStatus.InvalidArguments
          : SettingsStatus.ServerUnavailable;
    ctx.log.warn({ event: 'settings.oof-managesieve-failed', op: req.kind, code: code ?? 'unknown', status, err: (err as Error).message }, 'ManageSieve failed');
    return { status };
  }
}

/** The address to show for a mailbox: the operator's setting, else the login. */
export function mailboxAddress(mailbox: string, email: string | null): string {
  return email ?? mailbox;
}
