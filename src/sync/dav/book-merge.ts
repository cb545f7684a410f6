import type { DeviceRepository } from '../../state/devices.ts';
import type { FolderRepository, FolderRow } from '../../state/folders.ts';

/** MS-ASCMD 2.2.3.186.3 folder types of address books. */
const DEFAULT_CONTACTS = 9;
const USER_CONTACTS = 14;

/**
 * Merged address books for clients that show one contact folder only.
 *
 * iOS Contacts, the Gmail app and Samsung's Exchange client sync the default
 * Contacts folder and ignore user contact folders (type 14), so a user with
 * a "Family" and a "Work" book would see half of them. For such a device
 * (EAS_CONTACTS_MERGE_DEVICE_TYPES, a DeviceType prefix match) the default
 * Contacts folder carries the items of every book, and FolderSync does not
 * list the other books at all (two copies of a contact would appear the day
 * the client learns to show them). New contacts from the device go to the
 * default book; a change or delete goes to the book the item lives in
 * (src/sync/dav/client-ops.ts resolves items by href). Other devices of the
 * same mailbox keep one folder per book.
 */
export class ContactBookMerge {
  private readonly prefixes: readonly string[];

  constructor(
    deviceTypes: readonly string[],
    private readonly devices: Pick<DeviceRepository, 'get'>,
    private readonly folders: Pick<FolderRepository, 'listActive'>,
  ) {
    this.prefixes = deviceTypes.map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
  }

  /** Whether this device gets one merged Contacts folder. */
  merges(mailbox: string, deviceId: string): boolean {
    if (this.prefixes.length === 0) return false;
    const type = this.devices.get(mailbox, deviceId)?.deviceType.toLowerCase();
    return type !== undefined && this.prefixes.some((p) => type.startsWith(p));
  }

  /** Whether FolderSync hides `folder` from this device: a user contact folder (only address books have that type) merged into the default one. */
  hides(folder: Pick<FolderRow, 'type'>, merging: boolean): boolean {
    return merging && folder.type === USER_CONTACTS;
  }

  /** The folders whose items `folder` carries on this device: itself, and for a merging device's default Contacts folder every other book. */
  booksOf(mailbox: string, deviceId: string, folder: FolderRow): readonly FolderRow[] {
    if (folder.source !== 'carddav' || folder.type !== DEFAULT_CONTACTS || !this.merges(mailbox, deviceId)) return [folder];
    return [folder, ...this.folders.listActive(mailbox).filter((f) => f.source === 'carddav' && this.hides(f, true))];
  }
}
