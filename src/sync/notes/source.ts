import { BackendError, isBackendError } from '../../../backends/errors.ts';
import type { FetchedMessage, MailMessageStore } from '../../../backends/types.ts';
import { FolderType } from '../../../protocol/commands/folder-sync.ts';
import { SyncStatus, type SyncClientCommand, type SyncItemResponse, type SyncServerCommand } from '../../../protocol/commands/sync.ts';
import { shapeBody, type EasBody } from '../../../protocol/types/body.ts';
import { noteFromApplicationData, noteToApplicationData, type EasNote } from '../../../protocol/types/note.ts';
import type { WbxmlElement } from '../../../protocol/wbxml/tree.ts';
import type { FolderRow } from '../../state/folders.ts';
import { runClientCommands } from '../client-commands.ts';
import type { ClientCommandsResult, CollectionSource, SourceRun } from '../collection-source.ts';
import { refreshPending } from '../detect.ts';
import { formatServerId } from '../file-reference.ts';
import { categoriesOf, keywordOf } from '../flags.ts';
import type { CollectionOptions } from '../options.ts';
import type { ItemRow, StoredResponse } from '../state.ts';
import { htmlToText, textToHtml } from '../text.ts';
import type { ItemWrite, WindowResult } from '../window.ts';
import { composeNote, parseNote, type NoteMessage } from './note-message.ts';

/**
 * Notes (MS-ASNOTE, class "Notes", 14.0+) kept in an IMAP folder the way
 * Apple Notes keeps them (src/sync/notes/note-message.ts). Change
 * detection is the mail one (QRESYNC or UID/flag snapshots,
 * src/sync/detect.ts); items are small, so each window fetches whole
 * messages. Subject is the title, the body is the note text, LastModifiedDate
 * the message Date, Categories IMAP keywords (as for mail, src/sync/flags.ts).
 *
 * The device's Add APPENDs a note message (\Seen, the categories as
 * keywords); Change APPENDs the edited note (same UUID and creation date)
 * and expunges the old UID, keeping the ServerId (the drafts pattern,
 * src/sync/client-ops.ts replaceDraft); Delete expunges. An edit made by
 * another IMAP client (Apple: the same APPEND-and-expunge) reaches the
 * device as a Delete of the old item and an Add of the new one.
 */
export class ImapNotesSource implements CollectionSource {
  readonly name = 'notes';

  constructor(private readonly store: MailMessageStore) {}

  serves(folder: FolderRow): boolean {
    return folder.source === 'imap' && (folder.type === FolderType.Notes || folder.type === FolderType.UserNotes);
  }

  className(): string {
    return 'Notes';
  }

  detect(run: SourceRun): Promise<void> {
    return refreshPending(run.repo, this.store, run.caller.session, run.ref, run.repo.get(run.ref)!, run.folder.path);
  }

  applyClientCommands(run: SourceRun, commands: readonly SyncClientCommand[]): Promise<ClientCommandsResult> {
    return runClientCommands(run, commands, {
      add: (clientId, appData, n) => this.add(run, clientId, appData, n),
      change: (serverId, appData) => this.change(run, serverId, appData),
      remove: async (serverId) => ({ response: await this.remove(run, serverId) }),
      fetch: (serverId) => this.fetchItem(run, serverId),
    });
  }

  async fillWindow(run: SourceRun, limit: number): Promise<WindowResult> {
    const { repo, ref } = run;
    const commands: SyncServerCommand[] = [];
    const itemWrites: ItemWrite[] = [];
    const resolved: number[] = [];
    let nextItem = run.nextItem;
    let below = 2 ** 32;
    let exhausted = false;
    while (commands.length < limit) {
      const size = Math.min(PAGE, limit - commands.length);
      const page = repo.pendingPage(ref, below, size);
      if (page.length < size) exhausted = true;
      if (page.length === 0) break;
      below = page[page.length - 1]!.uid;
      const fetched = await this.store.fetch(run.caller.session, run.folder.path, page.map((p) => p.uid), { source: true });
      const byUid = new Map(fetched.map((m) => [m.uid, m]));
      for (const { uid, item } of page) {
        resolved.push(uid);
        const m = byUid.get(uid);
        if (item) {
          if (!m) {
            commands.push({ kind: 'Delete', serverId: item.serverId });
            itemWrites.push({ kind: 'delete', serverId: item.serverId });
          } else if (categoriesOf(m.flags).join('\u0000') !== categoriesOf(item.flags).join('\u0000')) {
            commands.push({ kind: 'Change', serverId: item.serverId, applicationData: await this.applicationData(run, m) });
            itemWrites.push({ kind: 'put', item: { ...item, flags: m.flags } });
          } else if (item.flags.join(' ') !== m.flags.join(' ')) {
            itemWrites.push({ kind: 'put', item: { ...item, flags: m.flags } });
          }
          continue;
        }
        if (!m) continue;
        const serverId = formatServerId(ref.collectionId, nextItem++);
        commands.push({ kind: 'Add', serverId, applicationData: await this.applicationData(run, m) });
        itemWrites.push({ kind: 'put', isNew: true, item: { serverId, uid, flags: m.flags, internalDate: m.internalDate.getTime() } });
      }
      if (exhausted) break;
    }
    const moreAvailable = !exhausted && repo.hasPendingBelow(ref, below);
    return { commands, itemWrites, resolved, moreAvailable, nextItem, leftover: [] };
  }

  async fetchItem(run: SourceRun, serverId: string): Promise<SyncItemResponse> {
    const item = run.repo.itemByServerId(run.ref, serverId);
    const [m] = item ? await this.store.fetch(run.caller.session, run.folder.path, [item.uid], { source: true }) : [];
    if (!m) return { kind: 'Fetch', serverId, status: SyncStatus.ObjectNotFound };
    return { kind: 'Fetch', serverId, status: SyncStatus.Success, applicationData: await this.applicationData(run, m) };
  }

  private async applicationData(run: SourceRun, m: FetchedMessage): Promise<WbxmlElement[]> {
    const parsed = await parseNote(m.source ?? Buffer.alloc(0), m.internalDate);
    // WBXML strings cannot carry U+0000 (an encoded word or a body may decode to one): dropped, not a failed window.
    const note = { ...parsed, subject: noNul(parsed.subject), ...(parsed.html !== undefined ? { html: noNul(parsed.html) } : {}), ...(parsed.text !== undefined ? { text: noNul(parsed.text) } : {}) };
    const body = noteBody(note, run.options);
    const eas: EasNote = {
      subject: note.subject,
      ...(body ? { body } : {}),
      messageClass: 'IPM.StickyNote',
      lastModifiedDate: note.modified,
      categories: categoriesOf(m.flags),
    };
    return noteToApplicationData(eas, run.caller.version);
  }

  private async add(run: SourceRun, clientId: string, appData: WbxmlElement, n: number): Promise<{ response: StoredResponse; item?: ItemRow }> {
    const note = noteFromApplicationData(appData, run.caller.version);
    const now = new Date();
    const raw = await composeNote({ subject: note.subject ?? '', ...bodyFields(note.body), modified: now, ...from(run) });
    const flags = flagsFor(note.categories ?? []);
    const res = await this.store.append(run.caller.session, run.folder.path, raw, { flags, internalDate: now });
    if (res.uid === undefined) throw new Error('server did not report the UID of the appended note (no UIDPLUS)');
    const serverId = formatServerId(run.ref.collectionId, n);
    return {
      response: { kind: 'Add', id: clientId, serverId, status: SyncStatus.Success },
      item: { serverId, uid: res.uid, flags: [...flags].sort(), internalDate: now.getTime() },
    };
  }

  /**
   * Change: the note rebuilt from the stored one and the fields the device
   * sent (a field it left out keeps its stored value; MS-ASNOTE devices
   * send them all), APPENDed before the old UID is expunged, so a failure
   * in between leaves a duplicate rather than a lost note.
   */
  private async change(run: SourceRun, serverId: string, appData: WbxmlElement): Promise<{ response: StoredResponse; item?: ItemRow }> {
    const notFound = { response: { kind: 'Change' as const, id: serverId, serverId, status: SyncStatus.ObjectNotFound } };
    const item = run.repo.itemByServerId(run.ref, serverId);
    if (!item) return notFound;
    const { session } = run.caller;
    const path = run.folder.path;
    const [old] = await this.store.fetch(session, path, [item.uid], { source: true });
    if (!old?.source) return notFound;
    const stored = await parseNote(old.source, old.internalDate);
    const c = noteFromApplicationData(appData, run.caller.version);
    const now = new Date();
    const body = c.body ? bodyFields(c.body) : stored.html !== undefined ? { html: stored.html } : { text: stored.text ?? '' };
    const raw = await composeNote({ subject: c.subject ?? stored.subject, ...body, uuid: stored.uuid, created: stored.created, modified: now, ...from(run) });
    const keep = old.flags.filter((f) => f.startsWith('\\') && f !== '\\Recent');
    const flags = c.categories ? [...new Set([...keep, ...flagsFor(c.categories)])] : old.flags.filter((f) => f !== '\\Recent');
    const res = await this.store.append(session, path, raw, { flags, internalDate: now });
    if (res.uid === undefined) throw new BackendError('Invalid', 'server did not report the UID of the appended note (no UIDPLUS)');
    await this.store.expunge(session, path, [item.uid]);
    return {
      response: { kind: 'Change', id: serverId, serverId, status: SyncStatus.Success },
      item: { serverId, uid: res.uid, flags: [...flags].sort(), internalDate: now.getTime() },
    };
  }

  private async remove(run: SourceRun, serverId: string): Promise<StoredResponse> {
    const item = run.repo.itemByServerId(run.ref, serverId);
    if (!item) return { kind: 'Delete', id: serverId, serverId, status: SyncStatus.ObjectNotFound };
    try {
      await this.store.expunge(run.caller.session, run.folder.path, [item.uid]);
    } catch (e) {
      // Already gone: the device wanted it gone.
      if (!isBackendError(e, 'NotFound')) throw e;
    }
    return { kind: 'Delete', id: serverId, serverId, status: SyncStatus.Success };
  }
}

/** Pending UIDs looked at per step. */
const PAGE = 128;

const noNul = (s: string): string => s.replace(/\u0000/g, '');

function from(run: SourceRun): { from?: string } {
  return run.caller.address ? { from: run.caller.address } : {};
}

function flagsFor(categories: readonly string[]): string[] {
  return ['\\Seen', ...new Set(categories.map(keywordOf))];
}

/** The device's body as the note's HTML (Type 2) or plain text (anything else). */
function bodyFields(b: EasBody | undefined): { html?: string; text?: string } {
  if (!b) return { text: '' };
  return b.type === 2 ? { html: b.data ?? '' } : { text: b.data ?? '' };
}

/**
 * The note body as the device asked (MS-ASAIRS 2.2.2.7 BodyPreference):
 * HTML when it lists Type 2 and the note is HTML (Apple's notes are),
 * plain text when it lists Type 1, else HTML made from the text.
 */
function noteBody(n: NoteMessage, options: CollectionOptions): EasBody | undefined {
  const prefs = options.bodyPreferences;
  const html = prefs.find((p) => p.type === 2);
  const plain = prefs.find((p) => p.type === 1);
  const text = n.text ?? (n.html !== undefined ? htmlToText(n.html) : '');
  if (html && n.html !== undefined) return shapeBody(2, n.html, html, text);
  if (plain || !html) return shapeBody(1, text, plain ?? {});
  return shapeBody(2, textToHtml(text), html, text);
}
