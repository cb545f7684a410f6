/**
 * Which mailboxes and devices are being recorded (table capture_recordings,
 * migration 008). The recorder asks on every request, so the rows are kept
 * in memory and read again at most once per `refreshMs` (eas-admin changes
 * them from another process), at once after a change made through this
 * instance, and when the next `until` passes. With no recording at all the
 * recorder's question costs a timestamp comparison and one Map size check.
 */
import type { Db } from '../state/db.ts';
import { mailboxKey } from '../state/mailboxes.ts';

/** One active recording. */
export interface Recording {
  readonly id: number;
  /** mailboxKey of the login. */
  readonly mailbox: string;
  /** null = every device of the mailbox. */
  readonly deviceId: string | null;
  readonly startedAt: number;
  /** ms since the epoch; null = until stopped. */
  readonly until: number | null;
  /** Bodies, MIME, attachment data, photos and addresses kept (passwords never). */
  readonly bodies: boolean;
  readonly startedBy: string;
}

/** The recordings of one mailbox as the recorder looks them up. */
export interface MailboxRecordings {
  /** The mailbox-wide recording, if any. */
  readonly all?: Recording;
  readonly devices: ReadonlyMap<string, Recording>;
}

interface RawRecording {
  id: number;
  mailbox: string;
  device_id: string | null;
  started_at: number;
  until: number | null;
  bodies: number;
  started_by: string;
}

const toRecording = (r: RawRecording): Recording => ({
  id: r.id,
  mailbox: r.mailbox,
  deviceId: r.device_id,
  startedAt: r.started_at,
  until: r.until,
  bodies: r.bodies === 1,
  startedBy: r.started_by,
});

const live = (r: Recording, now: number): boolean => r.until === null || r.until > now;

/** The recordings in SQLite with an in-memory view for the per-request question. */
export class CaptureRecordings {
  #byMailbox = new Map<string, MailboxRecordings>();
  #loadedAt = Number.NEGATIVE_INFINITY;
  #nextExpiry = Number.POSITIVE_INFINITY;
  readonly #expiredListeners: ((r: Recording) => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly refreshMs = 1000,
  ) {}

  /**
   * Starts recording (mailbox, device) or the whole mailbox (`deviceId`
   * undefined). A recording already there for the same key is replaced:
   * starting again is how an operator changes `until` or `bodies`.
   */
  start(r: { mailbox: string; deviceId?: string; until?: number; bodies: boolean; startedBy: string }, now = Date.now()): Recording {
    const mailbox = mailboxKey(r.mailbox);
    const deviceId = r.deviceId ?? null;
    const id = this.db.transaction(() => {
      this.db.prepare("DELETE FROM capture_recordings WHERE mailbox = ? AND ifnull(device_id, '') = ifnull(?, '')").run(mailbox, deviceId);
      return Number(
        this.db
          .prepare('INSERT INTO capture_recordings (mailbox, device_id, started_at, until, bodies, started_by) VALUES (?, ?, ?, ?, ?, ?)')
          .run(mailbox, deviceId, now, r.until ?? null, r.bodies ? 1 : 0, r.startedBy).lastInsertRowid,
      );
    })();
    this.#invalidate();
    return { id, mailbox, deviceId, startedAt: now, until: r.until ?? null, bodies: r.bodies, startedBy: r.startedBy };
  }

  /** Stops one device's recording, or with `deviceId` undefined every recording of the mailbox. Returns what was stopped. */
  stop(mailbox: string, deviceId?: string): Recording[] {
    const key = mailboxKey(mailbox);
    const rows = (
      deviceId === undefined
        ? this.db.prepare('SELECT * FROM capture_recordings WHERE mailbox = ?').all(key)
        : this.db.prepare('SELECT * FROM capture_recordings WHERE mailbox = ? AND device_id = ?').all(key, deviceId)
    ) as RawRecording[];
    const del = this.db.prepare('DELETE FROM capture_recordings WHERE id = ?');
    this.db.transaction(() => rows.forEach((r) => del.run(r.id)))();
    this.#invalidate();
    return rows.map(toRecording);
  }

  /** Stops one recording by id (the recorder, when its file cannot be written); false when it was already gone. */
  stopById(id: number): boolean {
    const gone = this.db.prepare('DELETE FROM capture_recordings WHERE id = ?').run(id).changes > 0;
    this.#invalidate();
    return gone;
  }

  /** The live recordings, oldest first (expired ones are removed on the way). */
  list(now = Date.now()): Recording[] {
    this.refresh(now);
    return [...this.#byMailbox.values()].flatMap((m) => [...(m.all ? [m.all] : []), ...m.devices.values()]).sort((a, b) => a.id - b.id);
  }

  /** The recording that covers this request, if any: the device's own, else the mailbox-wide one. */
  active(mailbox: string, deviceId: string | undefined, now = Date.now()): Recording | undefined {
    const m = this.snapshot(now).get(mailbox);
    if (!m) return undefined;
    const r = (deviceId !== undefined ? m.devices.get(deviceId) : undefined) ?? m.all;
    return r && live(r, now) ? r : undefined;
  }

  /**
   * The in-memory view by mailbox key, read again when due. Its `size` is 0
   * when nothing is recorded: the recorder's fast path. Entries may be past
   * `until` by less than a refresh; `active` checks.
   */
  snapshot(now = Date.now()): ReadonlyMap<string, MailboxRecordings> {
    if (now - this.#loadedAt >= this.refreshMs || now >= this.#nextExpiry) this.refresh(now);
    return this.#byMailbox;
  }

  /** Called with each recording this instance finds past its `until` (and deletes). */
  onExpired(listener: (r: Recording) => void): void {
    this.#expiredListeners.push(listener);
  }

  /** Reads the table again, deleting the rows past `until`. */
  refresh(now = Date.now()): void {
    const rows = (this.db.prepare('SELECT * FROM capture_recordings ORDER BY id').all() as RawRecording[]).map(toRecording);
    const expired = rows.filter((r) => !live(r, now));
    if (expired.length > 0) {
      const del = this.db.prepare('DELETE FROM capture_recordings WHERE id = ? AND until <= ?');
      this.db.transaction(() => expired.forEach((r) => del.run(r.id, now)))();
    }
    const byMailbox = new Map<string, { all?: Recording; devices: Map<string, Recording> }>();
    let nextExpiry = Number.POSITIVE_INFINITY;
    for (const r of rows) {
      if (!live(r, now)) continue;
      let m = byMailbox.get(r.mailbox);
      if (!m) byMailbox.set(r.mailbox, (m = { devices: new Map() }));
      if (r.deviceId === null) m.all = r;
      else m.devices.set(r.deviceId, r);
      if (r.until !== null) nextExpiry = Math.min(nextExpiry, r.until);
    }
    this.#byMailbox = byMailbox;
    this.#loadedAt = now;
    this.#nextExpiry = nextExpiry;
    for (const r of expired) for (const l of this.#expiredListeners) l(r);
  }

  #invalidate(): void {
    this.#loadedAt = Number.NEGATIVE_INFINITY;
  }
}
