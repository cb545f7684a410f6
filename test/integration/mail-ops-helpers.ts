/**
 * Helpers of the mail-ops integration tests: what a phone does before it can
 * reply, forward, fetch or move (FolderSync, then Sync to get ServerIds and
 * FileReferences), and IMAP look-ups to check the result on the server.
 */
import type { ImapFlow } from 'imapflow';
import type { EasClient } from '../../src/client/index.ts';
import { child, childNumber, childText, childrenNamed, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import type { Stack } from '../harness/use-stack.ts';

export const AS = 'AirSync';

/** One message as the device received it in Sync Adds. */
export interface SyncedItem {
  readonly serverId: string;
  readonly subject: string;
  readonly fileReferences: string[];
}

/** FolderSync from 0; returns display name (and type) → ServerId. */
export async function folderIds(c: EasClient): Promise<{ byName: Map<string, string>; byType: Map<number, string> }> {
  const fs = await c.folderSync('0');
  if (fs.status !== 1) throw new Error(`FolderSync status ${fs.status}`);
  return { byName: new Map(fs.adds.map((f) => [f.displayName, f.serverId])), byType: new Map(fs.adds.map((f) => [f.type, f.serverId])) };
}

/** Initial Sync of one collection until drained; returns the items and the final key. */
export async function syncFolder(c: EasClient, collectionId: string, syncKey = '0'): Promise<{ items: SyncedItem[]; deletes: string[]; syncKey: string }> {
  const items: SyncedItem[] = [];
  const deletes: string[] = [];
  let key = syncKey;
  for (let round = 0; round < 50; round++) {
    const res = await c.sync({
      collections: [
        {
          syncKey: key,
          collectionId,
          ...(key === '0' ? {} : { getChanges: true }),
          windowSize: 100,
          options: key === '0' ? [] : [{ bodyPreferences: [{ type: 1, truncationSize: 1000 }], bodyPartPreferences: [] }],
          commands: [],
        },
      ],
    });
    if (res.status !== 200 || !res.body) throw new Error(`Sync HTTP ${res.status}`);
    const coll = child(child(res.body, 'Collections', AS) ?? res.body, 'Collection', AS);
    if (!coll) throw new Error('Sync response without Collection');
    const status = childNumber(coll, 'Status', AS);
    if (status !== 1) throw new Error(`Sync status ${status}`);
    key = childText(coll, 'SyncKey', AS) ?? key;
    const cmds = child(coll, 'Commands', AS);
    for (const add of cmds ? childrenNamed(cmds, 'Add', AS) : []) items.push(readItem(add));
    for (const name of ['Delete', 'SoftDelete']) {
      for (const d of cmds ? childrenNamed(cmds, name, AS) : []) deletes.push(childText(d, 'ServerId', AS) ?? '');
    }
    if (round > 0 && !child(coll, 'MoreAvailable', AS)) break;
  }
  return { items, deletes, syncKey: key };
}

function readItem(add: WbxmlElement): SyncedItem {
  const data = child(add, 'ApplicationData', AS);
  const atts = data ? child(data, 'Attachments', 'AirSyncBase') : undefined;
  return {
    serverId: childText(add, 'ServerId', AS) ?? '',
    subject: (data && childText(data, 'Subject', 'Email')) ?? '',
    fileReferences: atts ? childrenNamed(atts, 'Attachment', 'AirSyncBase').map((a) => childText(a, 'FileReference', 'AirSyncBase') ?? '') : [],
  };
}

/** Runs `fn` with a logged-in IMAP client of `user`. */
export async function withImap<T>(stack: Stack, user: string, fn: (imap: ImapFlow) => Promise<T>): Promise<T> {
  const imap = await stack.imapClient(user);
  try {
    return await fn(imap);
  } finally {
    await imap.logout();
  }
}

/** Messages of `folder` whose Subject contains `subject`, with flags and source. */
export async function findBySubject(stack: Stack, user: string, folder: string, subject: string): Promise<{ uid: number; flags: Set<string>; source: Buffer }[]> {
  return withImap(stack, user, async (imap) => {
    const lock = await imap.getMailboxLock(folder);
    try {
      const uids = await imap.search({ header: { subject } }, { uid: true });
      if (!uids || uids.length === 0) return [];
      const out: { uid: number; flags: Set<string>; source: Buffer }[] = [];
      for await (const m of imap.fetch(uids, { uid: true, flags: true, source: true }, { uid: true })) {
        out.push({ uid: m.uid, flags: m.flags ?? new Set(), source: m.source ?? Buffer.alloc(0) });
      }
      return out;
    } finally {
      lock.release();
    }
  });
}

/** Polls until `fn` yields at least `n` results or the time is up. */
export async function waitFor<T>(fn: () => Promise<T[]>, n = 1, ms = 5_000): Promise<T[]> {
  const end = Date.now() + ms;
  for (;;) {
    const r = await fn();
    if (r.length >= n || Date.now() > end) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** A multipart/mixed message with one binary attachment. */
export function messageWithAttachment(o: { subject: string; messageId: string; filename: string; data: Buffer; to?: string; references?: string }): Buffer {
  const b64 = o.data.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      'From: Bob <bob@example.test>',
      `To: ${o.to ?? 'alice@example.test'}`,
      `Subject: ${o.subject}`,
      'Date: Fri, 20 Nov 2026 10:00:00 +0000',
      `Message-ID: ${o.messageId}`,
      ...(o.references ? [`References: ${o.references}`] : []),
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Original text of ${o.subject}`,
      '--b1',
      `Content-Type: application/octet-stream; name="${o.filename}"`,
      `Content-Disposition: attachment; filename="${o.filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      b64,
      '--b1--',
      '',
    ].join('\r\n'),
  );
}
