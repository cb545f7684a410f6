import { createHash } from 'node:crypto';
import { isBackendError } from '../../../backends/errors.ts';
import type { DavStore } from '../../../backends/types.ts';
import { SyncStatus, type SyncClientCommand, type SyncItemResponse } from '../../../protocol/commands/sync.ts';
import type { WbxmlElement } from '../../../protocol/wbxml/tree.ts';
import { runClientCommands } from '../client-commands.ts';
import type { ClientCommandsResult, SourceRun } from '../collection-source.ts';
import { formatServerId } from '../file-reference.ts';
import type { ItemRow, StoredResponse } from '../state.ts';
import { etagOf } from './detect.ts';
import type { DavItemClass } from './item-class.ts';
import { parseDavFolderPath } from './item-class.ts';
import type { DeviceWrite } from './invitations.ts';
import type { DavMembers } from './members.ts';

/**
 * The device's Add, Change, Delete and Fetch on a DAV folder, through the
 * shared loop of src/sync/client-commands.ts (answers per item, recorded
 * under the request's key).
 *
 * - Add PUTs a new resource with If-None-Match. Its name is a hash of
 *   (device, collection life, request key, ClientId), so a request retried
 *   after a crash between the PUT and our record lands on the same href:
 *   the 412 tells us it is already there, and nothing is created twice.
 * - Change patches the server's current text (what EAS does not model
 *   survives) and PUTs it with If-Match. When the server's ETag moved since
 *   the device's version, the collection's Conflict option decides
 *   (MS-ASCMD 2.2.3.34): server wins (1, the default) answers Status 7 and
 *   sends the server's version back in the same response; client wins (0)
 *   writes the device's fields over the server's current version, so the
 *   server's other edits are kept.
 * - Delete uses If-Match too: an item changed on the server meanwhile is
 *   kept under server-wins and goes back to the device as a new item.
 */
/** Told of every write the device made (calendar: iTIP to attendees, src/sync/dav/invitations.ts). */
export type OnDeviceWrite = (run: SourceRun, w: DeviceWrite) => Promise<void>;

export function applyDavCommands(store: DavStore, cls: DavItemClass, members: DavMembers, run: SourceRun, commands: readonly SyncClientCommand[], onWrite?: OnDeviceWrite): Promise<ClientCommandsResult> {
  const { caller, folder, ref } = run;
  const { href: collection } = parseDavFolderPath(folder.path);
  const session = caller.session;
  const userEmail = caller.address ?? caller.mailbox;
  const ctx = { userEmail };
  const serverWins = run.options.conflict !== 0;
  const hrefOfItem = (item: ItemRow): string | undefined => members.hrefOf(caller.mailbox, folder.id, item.uid);
  const notFound = (kind: 'Change' | 'Delete', serverId: string): StoredResponse => ({ kind, id: serverId, serverId, status: SyncStatus.ObjectNotFound });

  return runClientCommands(run, commands, {
    async add(clientId: string, appData: WbxmlElement, n: number) {
      const item = cls.fromApplicationData(appData, caller.version);
      const name = createHash('sha256').update(`${caller.mailbox}\u0000${caller.deviceId}\u0000${ref.collectionId}\u0000${run.state.gen}\u0000${run.requestKey}\u0000${clientId}`).digest('hex').slice(0, 32);
      const href = `${collection}${name}${cls.extension}`;
      const { data, warnings } = cls.serialize(item, { uid: `${name}@eas`, userEmail });
      for (const w of warnings) run.log.info({ ...w.detail, event: w.event, collection: ref.collectionId }, 'device item stored as far as the backend can say it');
      let etag: string;
      try {
        etag = (await store.put(session, cls.kind, href, data, { ifNoneMatch: true })).etag;
        await onWrite?.(run, { kind: 'add', after: data });
      } catch (e) {
        if (!isBackendError(e, 'Conflict')) throw e;
        // Our own earlier attempt of this very request created it.
        etag = (await store.get(session, cls.kind, href)).etag;
        run.log.info({ event: 'sync.dav-add-replayed', collection: ref.collectionId, href }, 'Add retried after its PUT: existing resource used');
      }
      const uid = members.idOf(caller.mailbox, folder.id, href);
      const serverId = formatServerId(ref.collectionId, n);
      return {
        response: { kind: 'Add', id: clientId, serverId, status: SyncStatus.Success, class: cls.className },
        item: { serverId, uid, flags: [etag], internalDate: cls.parse(data, ctx).date },
      };
    },

    async change(serverId: string, appData: WbxmlElement) {
      const held = run.repo.itemByServerId(ref, serverId);
      const href = held && hrefOfItem(held);
      if (!held || !href) return { response: notFound('Change', serverId) };
      const item = cls.fromApplicationData(appData, caller.version);
      let current;
      try {
        current = await store.get(session, cls.kind, href);
      } catch (e) {
        if (isBackendError(e, 'NotFound')) return { response: notFound('Change', serverId) };
        throw e;
      }
      const conflict = { response: { kind: 'Change' as const, id: serverId, serverId, status: SyncStatus.Conflict }, dirty: held.uid };
      if (current.etag !== etagOf(held) && serverWins) return conflict;
      const uid = cls.parse(current.data, ctx).uid;
      const { data, warnings } = cls.serialize(item, { uid, base: current.data, userEmail });
      for (const w of warnings) run.log.info({ ...w.detail, event: w.event, collection: ref.collectionId }, 'device change stored as far as the backend can say it');
      let etag: string;
      try {
        etag = (await store.put(session, cls.kind, href, data, { ifMatch: current.etag })).etag;
        await onWrite?.(run, { kind: 'change', before: current.data, after: data });
      } catch (e) {
        // Changed again between our GET and PUT: the server's version stands and goes out.
        if (isBackendError(e, 'Conflict')) return conflict;
        if (isBackendError(e, 'NotFound')) return { response: notFound('Change', serverId) };
        throw e;
      }
      return {
        response: { kind: 'Change', id: serverId, serverId, status: SyncStatus.Success },
        item: { ...held, flags: [etag], internalDate: cls.parse(data, ctx).date },
      };
    },

    async remove(serverId: string) {
      const held = run.repo.itemByServerId(ref, serverId);
      const href = held && hrefOfItem(held);
      if (!held || !href) return { response: notFound('Delete', serverId) };
      try {
        const before = onWrite ? await store.get(session, cls.kind, href).catch(() => undefined) : undefined;
        await store.delete(session, cls.kind, href, serverWins ? etagOf(held) : undefined);
        if (before) await onWrite?.(run, { kind: 'delete', before: before.data });
      } catch (e) {
        if (isBackendError(e, 'Conflict')) return { response: { kind: 'Delete', id: serverId, serverId, status: SyncStatus.Conflict }, resend: held.uid };
        // Already gone on the server: the device wanted it gone, so that is a success.
        if (!isBackendError(e, 'NotFound')) throw e;
      }
      return { response: { kind: 'Delete', id: serverId, serverId, status: SyncStatus.Success } };
    },

    fetch: (serverId: string) => fetchDavItem(store, cls, members, run, serverId),
  });
}

/** Sync Fetch and ItemOperations Fetch of one item the device holds, straight from the server. */
export async function fetchDavItem(store: DavStore, cls: DavItemClass, members: DavMembers, run: SourceRun, serverId: string): Promise<SyncItemResponse> {
  const { caller, folder, ref } = run;
  const held = run.repo.itemByServerId(ref, serverId);
  const href = held && members.hrefOf(caller.mailbox, folder.id, held.uid);
  if (!held || !href) return { kind: 'Fetch', serverId, status: SyncStatus.ObjectNotFound };
  try {
    const res = await store.get(caller.session, cls.kind, href);
    const parsed = cls.parse(res.data, { userEmail: caller.address ?? caller.mailbox });
    return { kind: 'Fetch', serverId, status: SyncStatus.Success, applicationData: cls.toApplicationData(parsed.item, caller.version, run.options) };
  } catch (e) {
    if (isBackendError(e, 'NotFound') || isBackendError(e, 'Invalid')) return { kind: 'Fetch', serverId, status: SyncStatus.ObjectNotFound };
    throw e;
  }
}
