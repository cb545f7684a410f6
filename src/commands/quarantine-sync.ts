import type { SyncCollectionResponse, SyncRequest } from '../../protocol/commands/sync.ts';
import { buildSyncResponse } from '../../protocol/commands/sync.ts';
import { emailToApplicationData, type EasEmail } from '../../protocol/types/email.ts';
import type { Services } from '../server/services.ts';
import type { DeviceRow } from '../state/devices.ts';
import type { CommandContext, CommandResult } from './types.ts';

/**
 * Sync for a quarantined device (Exchange's quarantine): it may set up the
 * account and list its folders, but Sync shows it one item only, a notice
 * in its Inbox that the device waits for an administrator. Nothing of the
 * mailbox is read and the device's changes are not applied.
 *
 * The SyncKeys answered here (`Q1`, `Q2`) are not keys of the sync engine:
 * once an operator allows the device, its next Sync with one of them gets
 * Status 3 (invalid key) from the engine, and the phone starts the folder
 * over from SyncKey 0, which also removes the notice. No state is kept.
 */
export const QUARANTINE_SUBJECT = 'Your device is waiting for access';

export function quarantineNotice(device: DeviceRow, mailbox: string, at: Date): { subject: string; text: string; from: string; to: string; date: Date } {
  const what = [device.deviceType, device.info.model, device.info.os].filter(Boolean).join(', ');
  return {
    subject: QUARANTINE_SUBJECT,
    from: `"Exchange ActiveSync" <${mailbox.includes('@') ? mailbox : 'postmaster@localhost'}>`,
    to: mailbox,
    date: at,
    text: [
      `Your device (${what}, id ${device.deviceId}) has been quarantined by your administrator.`,
      '',
      'Until the administrator allows it, the device can only see this message.',
      'Once it is allowed, your mail, calendars and contacts synchronise as usual; nothing needs to be set up again.',
      '',
      'If you did not add this device, tell your administrator.',
    ].join('\r\n'),
  };
}

export async function quarantineSync(ctx: CommandContext<Services>, req: SyncRequest, device: DeviceRow): Promise<CommandResult> {
  // An empty or Partial-only request: nothing changed (MS-ASCMD 2.2.3.29.2, empty HTTP 200).
  if (req.empty) return { easStatus: 'quarantined' };
  const notice = quarantineNotice(device, ctx.mailbox, new Date(device.firstSeen));
  const email: EasEmail = {
    to: notice.to,
    from: notice.from,
    subject: notice.subject,
    dateReceived: notice.date,
    displayTo: notice.to,
    importance: 2,
    read: false,
    body: { type: 1, estimatedDataSize: Buffer.byteLength(notice.text), data: notice.text },
    messageClass: 'IPM.Note',
  };
  const collections: SyncCollectionResponse[] = req.collections.map((c) => {
    const folder = ctx.services.repos.folders.getByServerId(ctx.mailbox, c.collectionId);
    if (c.syncKey === '0') return { syncKey: 'Q1', collectionId: c.collectionId, status: 1 };
    if (c.syncKey === 'Q1' && folder?.type === 2) {
      return { syncKey: 'Q2', collectionId: c.collectionId, status: 1, commands: [{ kind: 'Add', serverId: `${c.collectionId}:quarantine`, applicationData: emailToApplicationData(email, ctx.protocolVersion) }] };
    }
    return { syncKey: c.syncKey === 'Q1' ? 'Q2' : c.syncKey, collectionId: c.collectionId, status: 1 };
  });
  ctx.log.info({ event: 'quarantine.sync', collections: collections.length }, 'quarantined device: only the notice is sent');
  return { body: buildSyncResponse({ collections }, ctx.protocolVersion), easStatus: 'quarantined' };
}

/**
 * Tells the user by mail, once per quarantine: the notice is put into the
 * mailbox's INBOX over IMAP, where webmail and the user's other devices
 * see it. The first request of the quarantined device claims the notice
 * (`quarantine_notified_at`), so concurrent requests send it once; a failed
 * APPEND is logged and not retried until the device is quarantined again.
 */
export async function notifyQuarantine(services: Services, session: { user: string; password: string }, device: DeviceRow, log: CommandContext['log']): Promise<void> {
  if (!services.repos.devices.claimQuarantineNotice(device.mailbox, device.deviceId)) return;
  const n = quarantineNotice(device, session.user, new Date());
  const raw = [
    `From: ${n.from}`,
    `To: ${n.to}`,
    `Subject: ${n.subject}`,
    `Date: ${n.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <quarantine-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}@eas-server>`,
    'Importance: high',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    n.text,
    '',
  ].join('\r\n');
  try {
    await services.mail.append(session, 'INBOX', Buffer.from(raw));
    services.repos.audit.record({ actor: 'server', action: 'quarantine.notified', mailbox: device.mailbox, deviceId: device.deviceId });
    log.info({ event: 'audit.quarantine.notified' }, 'user told by mail that the device is quarantined');
  } catch (e) {
    log.warn({ event: 'quarantine.notify-failed', err: (e as Error).message }, 'could not put the quarantine notice into the INBOX');
  }
}
