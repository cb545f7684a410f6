import { BackendError, isBackendError } from '../../backends/errors.ts';
import type { MailMessageStore, UserSession } from '../../backends/types.ts';
import { SyncStatus, type SyncClientCommand, type SyncItemResponse } from '../../protocol/commands/sync.ts';
import { emailFromApplicationData, emailToApplicationData, type EasEmailChange } from '../../protocol/types/email.ts';
import { versionAtLeast, type ProtocolVersion } from '../../protocol/version.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import type { Logger } from 'pino';
import { runClientCommands } from './client-commands.ts';
import type { ClientCommandsResult, SourceRun } from './collection-source.ts';
import { composeDraft, draftFromChange, draftFromSource, isDraftEdit, mergeDraft } from './drafts.ts';
import { formatFileReference, formatServerId } from './file-reference.ts';
import { applyFlagChange, flagChangeFor, visibleState } from './flags.ts';
import { loadEmailItem } from './item-fetch.ts';
import { analyseLayout } from './mime-parts.ts';
import type { CollectionOptions } from './options.ts';
import type { CollectionRef, ItemRow, StoredResponse, SyncStateRepository } from './state.ts';

/**
 * The device's own changes inside Sync `<Commands>` (MS-ASCMD 2.2.3.32):
 * Read/Flag/Categories to IMAP flags, Delete to a move into Deleted Items
 * (or an expunge), 16.x drafts to APPEND, Fetch to an item. The loop,
 * per-item answers and the record that makes retries idempotent are the
 * shared ones of src/sync/client-commands.ts.
 */

export interface ClientOpsInput {
  readonly repo: SyncStateRepository;
  readonly store: MailMessageStore;
  readonly session: UserSession;
  readonly ref: CollectionRef;
  readonly path: string;
  readonly isDrafts: boolean;
  readonly isTrash: boolean;
  /** Where Delete moves messages; undefined = no Deleted Items folder (expunge). */
  readonly trashPath: string | undefined;
  readonly deletesAsMoves: boolean;
  readonly version: ProtocolVersion;
  readonly options: CollectionOptions;
  /** The user's address, used as From of new drafts. */
  readonly userAddress?: string;
  readonly log: Logger;
}

/** The mail side of the shared client-command loop (src/sync/client-commands.ts). */
export function applyClientCommands(input: ClientOpsInput, run: SourceRun, commands: readonly SyncClientCommand[]): Promise<ClientCommandsResult> {
  return runClientCommands(run, commands, {
    add: (clientId, appData, n) => addDraft(input, clientId, appData, n),
    change: (serverId, appData) => change(input, serverId, appData),
    remove: async (serverId) => ({ response: await remove(input, serverId) }),
    fetch: (serverId) => fetchOne(input, serverId),
  });
}

async function fetchOne(input: ClientOpsInput, serverId: string): Promise<SyncItemResponse> {
  const item = input.repo.itemByServerId(input.ref, serverId);
  if (!item) return { kind: 'Fetch', serverId, status: SyncStatus.ObjectNotFound };
  const email = await loadEmailItem(input.store, input.session, input.path, item.uid, { version: input.version, body: input.options, serverId });
  if (!email) return { kind: 'Fetch', serverId, status: SyncStatus.ObjectNotFound };
  return { kind: 'Fetch', serverId, status: SyncStatus.Success, applicationData: emailToApplicationData(email, input.version) };
}

/** Email Add: only drafts in the Drafts folder, from 16.0 (MS-ASEMAIL 3.1.5.3). Anything else cannot be stored as mail. */
async function addDraft(input: ClientOpsInput, clientId: string, appData: WbxmlElement, n: number): Promise<{ response: StoredResponse; item?: ItemRow }> {
  if (!input.isDrafts || !versionAtLeast(input.version, '16.0')) {
    return { response: { kind: 'Add', id: clientId, status: SyncStatus.ConversionError } };
  }
  const change = emailFromApplicationData(appData, input.version);
  const raw = await composeDraft(draftFromChange(change, input.userAddress));
  const now = new Date();
  const res = await input.store.append(input.session, input.path, raw, { flags: ['\\Draft', '\\Seen'], internalDate: now });
  if (res.uid === undefined) throw new Error('server did not report the UID of the appended draft (no UIDPLUS)');
  const serverId = formatServerId(input.ref.collectionId, n);
  return {
    response: { kind: 'Add', id: clientId, serverId, status: SyncStatus.Success },
    item: { serverId, uid: res.uid, flags: ['\\Draft', '\\Seen'], internalDate: now.getTime() },
  };
}

/**
 * Change (MS-ASCMD 2.2.3.24): Read/Flag/Categories to IMAP flags. When the
 * message's visible flags also changed on the server since the device's key
 * (another IMAP client), the collection's Conflict option decides
 * (MS-ASCMD 2.2.3.34): 1 (the default) keeps the server's version, answers
 * Status 7 and leaves the UID pending so the same response carries the
 * server's version as a Change; 0 applies the device's change on top of
 * the server's flags.
 */
async function change(input: ClientOpsInput, serverId: string, appData: WbxmlElement): Promise<{ response: StoredResponse; item?: ItemRow; dirty?: number }> {
  const notFound = { response: { kind: 'Change' as const, id: serverId, serverId, status: SyncStatus.ObjectNotFound } };
  const item = input.repo.itemByServerId(input.ref, serverId);
  if (!item) return notFound;
  const c: EasEmailChange = emailFromApplicationData(appData, input.version);
  let current = item;
  if (input.isDrafts && versionAtLeast(input.version, '16.0') && isDraftEdit(c)) {
    current = await replaceDraft(input, item, c);
  }
  // What the server has now: flags set elsewhere since the device's key make this a conflict.
  const [onServer] = await input.store.fetch(input.session, input.path, [current.uid], {});
  if (!onServer) return notFound;
  const conflict = visibleState(onServer.flags) !== visibleState(current.flags);
  if (conflict && input.options.conflict !== 0) {
    return { response: { kind: 'Change', id: serverId, serverId, status: SyncStatus.Conflict }, dirty: current.uid };
  }
  const store = flagChangeFor(c, onServer.flags);
  if (store.add.length || store.remove.length) {
    try {
      await input.store.setFlags(input.session, input.path, [current.uid], store);
    } catch (e) {
      if (isBackendError(e, 'NotFound')) return notFound;
      throw e;
    }
  }
  // Recorded as what the device now holds, so the MODSEQ bump is not echoed back as a server change;
  // after a client-wins conflict the server's other changes stay pending and go out as a Change.
  const held = applyFlagChange(current.flags, flagChangeFor(c, current.flags));
  const after = applyFlagChange(onServer.flags, store);
  return {
    response: { kind: 'Change', id: serverId, serverId, status: SyncStatus.Success },
    item: { ...current, flags: held },
    ...(visibleState(after) !== visibleState(held) ? { dirty: current.uid } : {}),
  };
}

/** A draft edit: APPEND the rebuilt message, expunge the old one; same ServerId, new UID. */
async function replaceDraft(input: ClientOpsInput, item: ItemRow, c: EasEmailChange): Promise<ItemRow> {
  const [old] = await input.store.fetch(input.session, input.path, [item.uid], { structure: true, source: true });
  if (!old?.source) throw new BackendError('NotFound', 'draft vanished');
  const layout = analyseLayout(old.structure ?? { part: '1', type: 'text/plain', params: {}, size: old.size });
  const refs = layout.attachments.map((a) => formatFileReference(item.serverId, a.part.part));
  const base = await draftFromSource(old.source, (i) => refs[i]);
  const raw = await composeDraft(mergeDraft(base, c));
  const now = new Date();
  const res = await input.store.append(input.session, input.path, raw, { flags: old.flags.length ? old.flags : ['\\Draft', '\\Seen'], internalDate: now });
  if (res.uid === undefined) throw new Error('server did not report the UID of the appended draft (no UIDPLUS)');
  await input.store.expunge(input.session, input.path, [item.uid]);
  return { serverId: item.serverId, uid: res.uid, flags: [...old.flags].sort(), internalDate: now.getTime() };
}

/** Delete (MS-ASCMD 2.2.3.42.2): move to Deleted Items unless DeletesAsMoves is 0 or this is Deleted Items. */
async function remove(input: ClientOpsInput, serverId: string): Promise<StoredResponse> {
  const item = input.repo.itemByServerId(input.ref, serverId);
  if (!item) return { kind: 'Delete', id: serverId, serverId, status: SyncStatus.ObjectNotFound };
  try {
    if (!input.deletesAsMoves || input.isTrash || !input.trashPath) {
      await input.store.expunge(input.session, input.path, [item.uid]);
    } else {
      await input.store.move(input.session, input.path, [item.uid], input.trashPath);
    }
  } catch (e) {
    // Already gone on the server: the device wanted it gone, so that is a success.
    if (!isBackendError(e, 'NotFound')) throw e;
  }
  return { kind: 'Delete', id: serverId, serverId, status: SyncStatus.Success };
}
