import type { DeviceInformation as WireDeviceInformation } from '../../protocol/commands/device-information.ts';
import type { Db } from './db.ts';

/** Remote wipe state (MS-ASPROV 3.2.5.1.2): `pending` full wipe, `account-only` (16.1) pending, `done` acknowledged. */
export type WipeStatus = 'none' | 'pending' | 'account-only' | 'done';
/** Whether a device may sync: allowed, blocked, or quarantined (held until an operator allows it). */
export type AccessState = 'allowed' | 'blocked' | 'quarantined';
/** Who decided `accessState`: nobody yet (`default`: rules and the organisation default decide) or an operator. */
export type AccessSource = 'default' | 'operator';

/**
 * Settings DeviceInformation fields (MS-ASCMD 2.2.3.48, MS-ASPROV 2.2.2.53):
 * the wire type's fields, with the stored spelling `enableOutboundSms` that
 * the device table and the admin CLI output already use.
 */
export type DeviceInformation = Omit<WireDeviceInformation, 'enableOutboundSMS'> & { readonly enableOutboundSms?: boolean };

/** One device of one mailbox. */
export interface DeviceRow {
  readonly mailbox: string;
  readonly deviceId: string;
  readonly deviceType: string;
  readonly userAgent: string | null;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly protocolVersion: string | null;
  readonly policyKey: number | null;
  readonly policyHash: string | null;
  readonly pendingPolicyKey: number | null;
  readonly info: DeviceInformation;
  readonly wipeStatus: WipeStatus;
  readonly wipeRequestedAt: number | null;
  readonly wipeDoneAt: number | null;
  /** When the wipe order went out in a Provision answer (pending -> sent -> acknowledged). */
  readonly wipeSentAt: number | null;
  /** The per-device override when `accessSource` is `operator`; otherwise not used. */
  readonly accessState: AccessState;
  readonly accessSource: AccessSource;
  readonly quarantineNotifiedAt: number | null;
}

interface RawDevice {
  mailbox: string;
  device_id: string;
  device_type: string;
  user_agent: string | null;
  first_seen: number;
  last_seen: number;
  protocol_version: string | null;
  policy_key: number | null;
  policy_hash: string | null;
  pending_policy_key: number | null;
  model: string | null;
  imei: string | null;
  friendly_name: string | null;
  os: string | null;
  os_language: string | null;
  phone_number: string | null;
  mobile_operator: string | null;
  enable_outbound_sms: number | null;
  wipe_status: WipeStatus;
  wipe_requested_at: number | null;
  wipe_done_at: number | null;
  wipe_sent_at: number | null;
  access_state: AccessState;
  access_source: AccessSource;
  quarantine_notified_at: number | null;
}

const u = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function toRow(r: RawDevice): DeviceRow {
  return {
    mailbox: r.mailbox,
    deviceId: r.device_id,
    deviceType: r.device_type,
    userAgent: r.user_agent,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    protocolVersion: r.protocol_version,
    policyKey: r.policy_key,
    policyHash: r.policy_hash,
    pendingPolicyKey: r.pending_policy_key,
    info: {
      model: u(r.model),
      imei: u(r.imei),
      friendlyName: u(r.friendly_name),
      os: u(r.os),
      osLanguage: u(r.os_language),
      phoneNumber: u(r.phone_number),
      mobileOperator: u(r.mobile_operator),
      enableOutboundSms: r.enable_outbound_sms === null ? undefined : r.enable_outbound_sms === 1,
    },
    wipeStatus: r.wipe_status,
    wipeRequestedAt: r.wipe_requested_at,
    wipeDoneAt: r.wipe_done_at,
    wipeSentAt: r.wipe_sent_at,
    accessState: r.access_state,
    accessSource: r.access_source,
    quarantineNotifiedAt: r.quarantine_notified_at,
  };
}

/** What the server learns about a device from every request (MS-ASHTTP 2.2.1.1.1). */
export interface DeviceContact {
  readonly mailbox: string;
  readonly deviceId: string;
  readonly deviceType: string;
  readonly userAgent?: string;
  readonly protocolVersion: string;
}

/** Devices: recorded on first contact, provisioning and wipe state, operator access state. */
export class DeviceRepository {
  constructor(private readonly db: Db) {}

  get(mailbox: string, deviceId: string): DeviceRow | undefined {
    const r = this.db.prepare('SELECT * FROM devices WHERE mailbox = ? AND device_id = ?').get(mailbox, deviceId) as
      | RawDevice
      | undefined;
    return r && toRow(r);
  }

  /** Records a request from the device: creates the row on first contact, updates last seen, type, agent and version. */
  touch(c: DeviceContact, now = Date.now()): DeviceRow {
    this.db
      .prepare(
        `INSERT INTO devices (mailbox, device_id, device_type, user_agent, first_seen, last_seen, protocol_version)
         VALUES (@mailbox, @deviceId, @deviceType, @userAgent, @now, @now, @protocolVersion)
         ON CONFLICT(mailbox, device_id) DO UPDATE SET last_seen = @now, device_type = @deviceType,
           user_agent = COALESCE(@userAgent, user_agent), protocol_version = @protocolVersion`,
      )
      .run({ ...c, userAgent: c.userAgent ?? null, now });
    return this.get(c.mailbox, c.deviceId)!;
  }

  list(mailbox?: string): DeviceRow[] {
    const rows = (
      mailbox === undefined
        ? this.db.prepare('SELECT * FROM devices ORDER BY mailbox, device_id').all()
        : this.db.prepare('SELECT * FROM devices WHERE mailbox = ? ORDER BY device_id').all(mailbox)
    ) as RawDevice[];
    return rows.map(toRow);
  }

  /** Stores Settings/Provision DeviceInformation; absent fields keep their stored value. */
  setInformation(mailbox: string, deviceId: string, info: DeviceInformation): void {
    this.db
      .prepare(
        `UPDATE devices SET model = COALESCE(@model, model), imei = COALESCE(@imei, imei),
           friendly_name = COALESCE(@friendlyName, friendly_name), os = COALESCE(@os, os),
           os_language = COALESCE(@osLanguage, os_language), phone_number = COALESCE(@phoneNumber, phone_number),
           mobile_operator = COALESCE(@mobileOperator, mobile_operator),
           user_agent = COALESCE(@userAgent, user_agent),
           enable_outbound_sms = COALESCE(@sms, enable_outbound_sms)
         WHERE mailbox = @mailbox AND device_id = @deviceId`,
      )
      .run({
        mailbox,
        deviceId,
        model: info.model ?? null,
        imei: info.imei ?? null,
        friendlyName: info.friendlyName ?? null,
        os: info.os ?? null,
        osLanguage: info.osLanguage ?? null,
        phoneNumber: info.phoneNumber ?? null,
        mobileOperator: info.mobileOperator ?? null,
        userAgent: info.userAgent ?? null,
        sms: info.enableOutboundSms === undefined ? null : info.enableOutboundSms ? 1 : 0,
      });
  }

  /** First Provision phase: remember the temporary key the device must acknowledge. */
  setPendingPolicyKey(mailbox: string, deviceId: string, key: number): void {
    this.db.prepare('UPDATE devices SET pending_policy_key = ? WHERE mailbox = ? AND device_id = ?').run(key, mailbox, deviceId);
  }

  /** Second Provision phase: the final key becomes current; the temporary one is spent. */
  acknowledgePolicy(mailbox: string, deviceId: string, finalKey: number, policyHash: string): void {
    this.db
      .prepare(
        'UPDATE devices SET policy_key = ?, policy_hash = ?, pending_policy_key = NULL WHERE mailbox = ? AND device_id = ?',
      )
      .run(finalKey, policyHash, mailbox, deviceId);
  }

  /** Operator: request a wipe (`pending`/`account-only`), or cancel it (`none`). */
  setWipe(mailbox: string, deviceId: string, status: WipeStatus, now = Date.now()): boolean {
    const r = this.db
      .prepare(
        `UPDATE devices SET wipe_status = @status,
           wipe_requested_at = CASE WHEN @status IN ('pending','account-only') THEN @now ELSE wipe_requested_at END,
           wipe_sent_at = CASE WHEN @status IN ('pending','account-only','none') THEN NULL ELSE wipe_sent_at END,
           wipe_done_at = CASE WHEN @status = 'done' THEN @now WHEN @status IN ('pending','account-only') THEN NULL ELSE wipe_done_at END
         WHERE mailbox = @mailbox AND device_id = @deviceId`,
      )
      .run({ status, now, mailbox, deviceId });
    return r.changes > 0;
  }

  /** The wipe order went out in a Provision answer; the first time counts. */
  markWipeSent(mailbox: string, deviceId: string, now = Date.now()): void {
    this.db.prepare('UPDATE devices SET wipe_sent_at = COALESCE(wipe_sent_at, ?) WHERE mailbox = ? AND device_id = ?').run(now, mailbox, deviceId);
  }

  /** An operator's per-device decision (`operator`), or back to the rules (`default`). */
  setAccessState(mailbox: string, deviceId: string, state: AccessState, source: AccessSource = 'operator'): boolean {
    return (
      this.db
        .prepare('UPDATE devices SET access_state = ?, access_source = ?, quarantine_notified_at = CASE WHEN ? = \'quarantined\' THEN quarantine_notified_at ELSE NULL END WHERE mailbox = ? AND device_id = ?')
        .run(state, source, state, mailbox, deviceId).changes > 0
    );
  }

  /** Records that the user was told about this device's quarantine; false when someone already did. */
  claimQuarantineNotice(mailbox: string, deviceId: string, now = Date.now()): boolean {
    return this.db.prepare('UPDATE devices SET quarantine_notified_at = ? WHERE mailbox = ? AND device_id = ? AND quarantine_notified_at IS NULL').run(now, mailbox, deviceId).changes > 0;
  }

  /**
   * Forgets what the device holds (eas-admin device resync): its hierarchy
   * state and the sync state of every collection, or of one. Its next
   * FolderSync (Status 9) or Sync (Status 3) makes it start over, as a new
   * phone would; the mail itself is on the server and stays. The device,
   * its policy and its wipe and access state are kept.
   */
  resync(mailbox: string, deviceId: string, collectionId?: string): void {
    this.db.transaction(() => {
      if (collectionId === undefined) {
        this.db.prepare('DELETE FROM folder_sync_states WHERE mailbox = ? AND device_id = ?').run(mailbox, deviceId);
        this.db.prepare('DELETE FROM sync_collections WHERE mailbox = ? AND device_id = ?').run(mailbox, deviceId);
        this.db.prepare('DELETE FROM sync_requests WHERE mailbox = ? AND device_id = ?').run(mailbox, deviceId);
        this.db.prepare('DELETE FROM ping_params WHERE mailbox = ? AND device_id = ?').run(mailbox, deviceId);
      } else {
        this.db.prepare('DELETE FROM sync_collections WHERE mailbox = ? AND device_id = ? AND collection_id = ?').run(mailbox, deviceId, collectionId);
        // The cached Sync request may name the collection with its old key.
        this.db.prepare('DELETE FROM sync_requests WHERE mailbox = ? AND device_id = ?').run(mailbox, deviceId);
      }
    })();
  }

  /** Forgets the device entirely (eas-admin device remove): the next contact is a new device that must provision. */
  remove(mailbox: string, deviceId: string): boolean {
    return this.db.transaction(() => {
      // sync state, hierarchy state and Ping parameters go with the row (ON DELETE CASCADE); the send ledger has no key to it.
      this.db.prepare('DELETE FROM sent_messages WHERE mailbox = ? AND device_id = ?').run(mailbox, deviceId);
      return this.db.prepare('DELETE FROM devices WHERE mailbox = ? AND device_id = ?').run(mailbox, deviceId).changes > 0;
    })();
  }
}
