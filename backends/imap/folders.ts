import type { ImapFlow, ListResponse } from 'imapflow';
import { BackendError } from '../errors.ts';
import type { MailFolder, SpecialUse } from '../types.ts';

/**
 * An IMAP folder with what the IMAP layer knows beyond MailFolder:
 * UIDVALIDITY (stays with a folder across RENAME on Dovecot and most
 * servers, so a rename done outside EAS can be told from delete + create)
 * and whether it can hold messages at all (\Noselect parents).
 */
export interface ImapFolder extends MailFolder {
  readonly uidValidity?: number;
  readonly selectable: boolean;
}

const SPECIAL_USE_FLAGS: Readonly<Record<string, SpecialUse>> = {
  '\\Inbox': 'inbox',
  '\\Drafts': 'drafts',
  '\\Sent': 'sent',
  '\\Trash': 'trash',
  '\\Junk': 'junk',
  '\\Archive': 'archive',
};

/** Top-level names that mean Outbox; RFC 6154 has no Outbox role. */
const OUTBOX_NAMES = new Set(['outbox']);

function roleOf(entry: ListResponse): SpecialUse | undefined {
  if (entry.path.toUpperCase() === 'INBOX') return 'inbox';
  if (entry.specialUse && SPECIAL_USE_FLAGS[entry.specialUse]) return SPECIAL_USE_FLAGS[entry.specialUse];
  if (!entry.parentPath && OUTBOX_NAMES.has(entry.name.toLowerCase())) return 'outbox';
  return undefined;
}

/**
 * Lists every folder (RFC 3501 LIST, RFC 6154 SPECIAL-USE, RFC 5819
 * LIST-STATUS for UIDVALIDITY). At most one folder carries each role: a role
 * the server announces (SPECIAL-USE) wins over one guessed from a
 * well-known name, then the first in listing order.
 */
export async function listImapFolders(client: ImapFlow): Promise<ImapFolder[]> {
  const entries = await client.list({ statusQuery: { uidValidity: true } });
  const byRole = new Map<SpecialUse, ListResponse>();
  const rank = (e: ListResponse): number => (e.path.toUpperCase() === 'INBOX' ? 0 : e.specialUseSource === 'name' ? 2 : 1);
  for (const e of entries) {
    const role = roleOf(e);
    if (!role) continue;
    const prev = byRole.get(role);
    if (!prev || rank(e) < rank(prev)) byRole.set(role, e);
  }
  return entries.map((e): ImapFolder => {
    const role = roleOf(e);
    const uidValidity = e.status?.uidValidity;
    return {
      path: e.path,
      name: e.name,
      parentPath: e.parentPath ? e.parentPath : null,
      delimiter: e.delimiter,
      ...(role && byRole.get(role) === e ? { specialUse: role } : {}),
      ...(uidValidity !== undefined ? { uidValidity: Number(uidValidity) } : {}),
      selectable: !hasFlag(e, '\\Noselect') && !hasFlag(e, '\\NonExistent'),
    };
  });
}

function hasFlag(e: ListResponse, flag: string): boolean {
  for (const f of e.flags) if (f.toLowerCase() === flag.toLowerCase()) return true;
  return false;
}

function delimiterOf(client: ImapFlow, folders: readonly ImapFolder[]): string {
  return folders.find((f) => f.delimiter)?.delimiter ?? client.namespace?.delimiter ?? '/';
}

function checkName(name: string, delimiter: string): void {
  if (!name.trim() || name === '.' || name === '..' || name.includes(delimiter) || /[\u0000-\u001f*%]/.test(name)) {
    throw new BackendError('Invalid', `folder name not usable on this server: ${JSON.stringify(name)}`);
  }
}

function childPath(client: ImapFlow, parentPath: string | null, name: string, delimiter: string): string {
  if (parentPath) return parentPath + delimiter + name;
  // With a personal namespace prefix ("INBOX."), new top-level folders live under it.
  const prefix = client.namespace?.prefix ?? '';
  return prefix + name;
}

function find(folders: readonly ImapFolder[], path: string): ImapFolder | undefined {
  return folders.find((f) => f.path === path) ?? folders.find((f) => f.path.toUpperCase() === 'INBOX' && path.toUpperCase() === 'INBOX');
}

/** RFC 3501 CREATE under `parentPath` (null = top level). Throws AlreadyExists, NotFound (parent), Invalid (name). */
export async function createImapFolder(client: ImapFlow, parentPath: string | null, name: string): Promise<ImapFolder> {
  const folders = await listImapFolders(client);
  const delimiter = delimiterOf(client, folders);
  checkName(name, delimiter);
  if (parentPath !== null && !find(folders, parentPath)) throw new BackendError('NotFound', `parent folder ${parentPath} does not exist`);
  const path = childPath(client, parentPath, name, delimiter);
  if (find(folders, path)) throw new BackendError('AlreadyExists', `folder ${path} exists`);
  const res = await client.mailboxCreate(path);
  if (!res.created) throw new BackendError('AlreadyExists', `folder ${path} exists`);
  const created = find(await listImapFolders(client), res.path);
  return created ?? { path: res.path, name, parentPath, delimiter, selectable: true };
}

/**
 * RFC 3501 RENAME to `newName` under `newParentPath`. Special folders may not
 * be renamed (Forbidden): phones find them by type and servers treat
 * INBOX specially. Throws NotFound (folder or parent), AlreadyExists, Invalid.
 */
export async function renameImapFolder(
  client: ImapFlow,
  path: string,
  newParentPath: string | null,
  newName: string,
): Promise<ImapFolder> {
  const folders = await listImapFolders(client);
  const delimiter = delimiterOf(client, folders);
  const folder = find(folders, path);
  if (!folder) throw new BackendError('NotFound', `folder ${path} does not exist`);
  if (folder.specialUse) throw new BackendError('Forbidden', `folder ${path} is a special folder`);
  checkName(newName, delimiter);
  if (newParentPath !== null && !find(folders, newParentPath)) {
    throw new BackendError('NotFound', `parent folder ${newParentPath} does not exist`);
  }
  if (newParentPath !== null && (newParentPath === path || newParentPath.startsWith(path + delimiter))) {
    throw new BackendError('Invalid', 'a folder cannot move under itself');
  }
  const newPath = childPath(client, newParentPath, newName, delimiter);
  if (newPath === path) return folder;
  if (find(folders, newPath)) throw new BackendError('AlreadyExists', `folder ${newPath} exists`);
  await client.mailboxRename(path, newPath);
  const renamed = find(await listImapFolders(client), newPath);
  return renamed ?? { ...folder, path: newPath, name: newName, parentPath: newParentPath };
}

/**
 * RFC 3501 DELETE of a folder and everything under it (deepest first:
 * servers refuse or orphan a parent with children). Special folders are
 * Forbidden. Throws NotFound.
 */
export async function deleteImapFolder(client: ImapFlow, path: string): Promise<void> {
  const folders = await listImapFolders(client);
  const delimiter = delimiterOf(client, folders);
  const folder = find(folders, path);
  if (!folder) throw new BackendError('NotFound', `folder ${path} does not exist`);
  const subtree = folders.filter((f) => f.path === path || f.path.startsWith(path + delimiter));
  if (subtree.some((f) => f.specialUse)) throw new BackendError('Forbidden', `folder ${path} is or holds a special folder`);
  subtree.sort((a, b) => b.path.length - a.path.length);
  for (const f of subtree) await client.mailboxDelete(f.path);
}
