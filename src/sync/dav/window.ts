import { isBackendError } from '../../../backends/errors.ts';
import type { DavResource, DavStore, UserSession } from '../../../backends/types.ts';
import type { SyncServerCommand } from '../../../protocol/commands/sync.ts';
import { versionAtLeast } from '../../../protocol/version.ts';
import type { SourceRun } from '../collection-source.ts';
import type { SyncBudget } from '../engine.ts';
import { formatServerId } from '../file-reference.ts';
import type { ItemWrite, WindowResult } from '../window.ts';
import { bookOf, etagOf } from './detect.ts';
import type { DavItemClass } from './item-class.ts';
import { parseDavFolderPath } from './item-class.ts';
import type { DavMembers } from './members.ts';

/**
 * One window of a DAV folder (MS-ASCMD 2.2.3.199 WindowSize): pending ids
 * a page at a time, their resources in one multiget per page, and per id
 * an Add, Change, Delete / SoftDelete or nothing. A resource that does not
 * parse is skipped with a log line (the rest of the collection syncs) and
 * stays as the device had it. Writes nothing: the engine commits.
 */

/** Above every member id: the first page starts here. */
const NO_ID_BELOW = Number.MAX_SAFE_INTEGER;

export async function fillDavWindow(
  store: DavStore,
  cls: DavItemClass,
  members: DavMembers,
  run: SourceRun,
  limit: number,
  budget: SyncBudget,
  books: readonly string[] = [parseDavFolderPath(run.folder.path).href],
): Promise<WindowResult> {
  const { repo, ref, folder, caller } = run;
  const commands: SyncServerCommand[] = [];
  const itemWrites: ItemWrite[] = [];
  const resolved: number[] = [];
  let nextItem = run.nextItem;
  let below = NO_ID_BELOW;
  let exhausted = false;
  const now = Date.now();
  const soft = versionAtLeast(caller.version, '12.0');
  const ctx = { userEmail: caller.address ?? caller.mailbox };
  while (commands.length < limit) {
    if (commands.length > 0 && Date.now() >= budget.deadline) break;
    const size = Math.min(100, limit - commands.length);
    const page = repo.pendingPage(ref, below, size);
    if (page.length < size) exhausted = true;
    if (page.length === 0) break;
    below = page[page.length - 1]!.uid;
    const hrefs = new Map<number, string>();
    for (const p of page) {
      const h = members.hrefOf(caller.mailbox, folder.id, p.uid);
      if (h !== undefined) hrefs.set(p.uid, h);
    }
    const byHref = new Map((await multigetByBook(store, cls, caller.session, books, [...hrefs.values()])).map((r) => [r.href, r]));
    for (const p of page) {
      resolved.push(p.uid);
      const h = hrefs.get(p.uid);
      const res = h !== undefined ? byHref.get(h) : undefined;
      const held = p.item;
      if (!res) {
        if (held) {
          commands.push({ kind: 'Delete', serverId: held.serverId });
          itemWrites.push({ kind: 'delete', serverId: held.serverId });
        }
        continue;
      }
      if (held && etagOf(held) === res.etag) continue;
      let parsed;
      try {
        parsed = cls.parse(res.data, ctx);
      } catch (e) {
        run.log.warn({ event: 'sync.dav-item-invalid', collection: ref.collectionId, href: res.href, err: e instanceof Error ? e.message : String(e) }, 'DAV resource skipped: it does not parse');
        continue;
      }
      for (const w of parsed.warnings) run.log.info({ ...w.detail, event: w.event, collection: ref.collectionId, href: res.href }, 'DAV item sent as far as EAS can say it');
      if (!cls.inWindow(parsed, run.options.filterType, now)) {
        if (held) {
          commands.push(soft ? { kind: 'SoftDelete', serverId: held.serverId } : { kind: 'Delete', serverId: held.serverId });
          itemWrites.push({ kind: 'delete', serverId: held.serverId });
        }
        continue;
      }
      const applicationData = cls.toApplicationData(parsed.item, caller.version, run.options);
      if (held) {
        commands.push({ kind: 'Change', serverId: held.serverId, applicationData });
        itemWrites.push({ kind: 'put', item: { ...held, flags: [res.etag], internalDate: parsed.date } });
      } else {
        const serverId = formatServerId(ref.collectionId, nextItem++);
        commands.push({ kind: 'Add', serverId, applicationData });
        itemWrites.push({ kind: 'put', isNew: true, item: { serverId, uid: p.uid, flags: [res.etag], internalDate: parsed.date } });
      }
    }
    if (exhausted) break;
  }
  const moreAvailable = !exhausted && repo.hasPendingBelow(ref, below);
  return { commands, itemWrites, resolved, moreAvailable, nextItem, leftover: [] };
}

/** One multiget per book of a (merged) folder; a member of no book it covers is not fetched, so it leaves the device. */
async function multigetByBook(store: DavStore, cls: DavItemClass, session: UserSession, books: readonly string[], hrefs: readonly string[]): Promise<DavResource[]> {
  const byBook = new Map<string, string[]>();
  for (const h of hrefs) {
    const b = bookOf(h, books);
    if (b !== undefined) byBook.set(b, [...(byBook.get(b) ?? []), h]);
  }
  const got = await Promise.all(
    [...byBook].map(([book, list]) =>
      store.multiget(session, cls.kind, book, list).catch((e: unknown) => {
        // A merged book deleted since the last FolderSync: its items leave the device; the folder's own book going is the engine's Status 12.
        if (book !== books[0] && isBackendError(e, 'NotFound')) return [];
        throw e;
      }),
    ),
  );
  return got.flat();
}
