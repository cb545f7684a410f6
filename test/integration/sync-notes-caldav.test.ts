/**
 * Issue 13, second option: Notes as VJOURNAL in CalDAV
 * (EAS_NOTES_BACKEND=caldav) on the real Radicale, through the DAV seam
 * (src/sync/dav/note-class.ts) of the one Sync engine.
 */
import { describe, expect, it } from 'vitest';
import { noteFromApplicationData } from '../../protocol/types/note.ts';
import { el, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { parseDavFolderPath } from '../../src/sync/dav/item-class.ts';
import { useStack } from '../harness/use-stack.ts';
import { useTestServer } from '../harness/use-test-server.ts';
import { davSide, vcal } from './dav-helpers.ts';
import { bodyOptions, initialSync, setUpPhone, syncOne } from './sync-helpers.ts';

const stack = useStack();
const server = useTestServer(stack, { env: { EAS_NOTES_BACKEND: 'caldav' } });
const USER = 'bob@example.test';
const dav = davSide(stack, USER);

function noteData(o: { subject: string; body?: string; categories?: string[] }): WbxmlElement {
  return el('AirSync', 'ApplicationData', [
    el('Notes', 'Subject', o.subject),
    ...(o.body !== undefined ? [el('AirSyncBase', 'Body', [el('AirSyncBase', 'Type', 1), el('AirSyncBase', 'Data', o.body)])] : []),
    el('Notes', 'MessageClass', 'IPM.StickyNote'),
    ...(o.categories ? [el('Notes', 'Categories', o.categories.map((c) => el('Notes', 'Category', c)))] : []),
  ]);
}

/** The URL of the user's Notes collection, as the folder map knows it. */
function notesUrl(): string {
  const row = server().services.repos.folders.listActive(USER).find((f) => f.type === 10);
  if (!row) throw new Error('no Notes folder');
  return new URL(parseDavFolderPath(row.path).href, stack().caldavUrl).toString();
}

describe('Notes over CalDAV (VJOURNAL)', () => {
  it('FolderSync creates a VJOURNAL collection shown as Notes (type 10) to 14.1, not to 12.1; there is no IMAP Notes folder', async () => {
    const c = server().client({ user: USER, version: '14.1', deviceId: 'vj1' });
    const f = await setUpPhone(c);
    expect(f.byType.get(10)).toBeDefined();
    expect(server().services.repos.folders.listActive(USER).find((r) => r.type === 10)?.source).toBe('caldav');
    const old = await setUpPhone(server().client({ user: USER, version: '12.1', deviceId: 'vj0' }));
    expect(old.byType.has(10)).toBe(false);
    const imap = await stack().imapClient(USER);
    const paths = (await imap.list()).map((m) => m.path);
    await imap.logout();
    expect(paths).not.toContain('Notes');
  });

  it('a VJOURNAL put on the server syncs as a note; Add, Change and Delete from the device write VJOURNALs', async () => {
    const c = server().client({ user: USER, version: '16.1', deviceId: 'vj2' });
    const f = await setUpPhone(c);
    const col = f.byType.get(10)!;
    const url = notesUrl();
    await dav.put(`${url}j1.ics`, vcal(['BEGIN:VJOURNAL', 'UID:j1@test', 'DTSTAMP:20261101T080000Z', 'LAST-MODIFIED:20261102T090000Z', 'SUMMARY:Meeting notes', 'DESCRIPTION:Line one\\nLine two', 'CATEGORIES:Work,Q4', 'X-KEEP:me', 'END:VJOURNAL']));
    const r = await initialSync(c, col, { options: bodyOptions(1) });
    const notes = r.changes.map((x) => ({ serverId: x.serverId, ...noteFromApplicationData(x.data!, '16.1') }));
    const j1 = notes.find((n) => n.subject === 'Meeting notes');
    expect(j1).toBeDefined();
    expect(j1!.body?.data).toBe('Line one\nLine two');
    expect(j1!.categories).toEqual(['Work', 'Q4']);
    expect(j1!.lastModifiedDate?.toISOString()).toBe('2026-11-02T09:00:00.000Z');
    expect(j1!.messageClass).toBe('IPM.StickyNote');

    const res = await syncOne(c, {
      collectionId: col,
      syncKey: r.syncKey,
      commands: [
        { kind: 'Change', serverId: j1!.serverId, applicationData: noteData({ subject: 'Meeting notes (edited)', body: 'Line one\nLine three', categories: ['Work'] }) },
        { kind: 'Add', clientId: 'vj-new', applicationData: noteData({ subject: 'Phone note\r\nX-Evil: 1', body: 'from the phone' }) },
      ],
    });
    expect(res.status).toBe(1);
    expect(res.responses.filter((x) => x.status !== 1)).toEqual([]);
    const stored = (await dav.get(`${url}j1.ics`)).body;
    expect(stored).toContain('SUMMARY:Meeting notes (edited)');
    expect(stored).toContain('DESCRIPTION:Line one\\nLine three');
    expect(stored).toContain('X-KEEP:me');
    expect(stored).toMatch(/CATEGORIES:Work\r\n/);
    const members = await dav.members(url);
    expect(members).toHaveLength(2);
    const bodies = await Promise.all(members.map((h) => dav.get(new URL(h, url).toString()).then((g) => g.body)));
    const added = bodies.find((b) => b.includes('from the phone'))!;
    expect(added).toContain('BEGIN:VJOURNAL');
    expect(added).not.toMatch(/^X-Evil/m);

    const addedId = res.responses.find((x) => x.kind === 'Add')!.serverId!;
    const d = await syncOne(c, { collectionId: col, syncKey: res.syncKey!, commands: [{ kind: 'Delete', serverId: addedId }] });
    expect(d.status).toBe(1);
    expect(await dav.members(url)).toHaveLength(1);
    // Server-side delete reaches the device.
    expect(await dav.del(`${url}j1.ics`)).toBeLessThan(300);
    const gone = await syncOne(c, { collectionId: col, syncKey: d.syncKey! });
    expect(gone.changes.map((x) => [x.kind, x.serverId])).toEqual([['Delete', j1!.serverId]]);
  });
});
