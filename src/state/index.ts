import { AccessRuleRepository } from './access-rules.ts';
import { AuditRepository } from './audit.ts';
import { CaptureRecordings } from '../capture/recordings.ts';
import type { Db } from './db.ts';
import { DeviceRepository } from './devices.ts';
import { FolderSyncStateRepository } from './folder-sync-states.ts';
import { FolderRepository } from './folders.ts';
import { MailboxRepository } from './mailboxes.ts';
import { PolicySetRepository } from './policy-sets.ts';

/** The repositories of the core schema (001-core, 006-operators, 007-policy-sets), one per table family. */
export interface CoreRepositories {
  readonly mailboxes: MailboxRepository;
  readonly devices: DeviceRepository;
  readonly folders: FolderRepository;
  readonly folderSync: FolderSyncStateRepository;
  readonly accessRules: AccessRuleRepository;
  readonly audit: AuditRepository;
  readonly policySets: PolicySetRepository;
  /** Active recordings of device sessions (008-capture, src/capture/recordings.ts). */
  readonly captures: CaptureRecordings;
}

/** Builds the core repositories over one open database. */
export function createRepositories(db: Db): CoreRepositories {
  return {
    mailboxes: new MailboxRepository(db),
    devices: new DeviceRepository(db),
    folders: new FolderRepository(db),
    folderSync: new FolderSyncStateRepository(db),
    accessRules: new AccessRuleRepository(db),
    audit: new AuditRepository(db),
    policySets: new PolicySetRepository(db),
    captures: new CaptureRecordings(db),
  };
}

export { openDatabase, migrate, type Db } from './db.ts';
