import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EasClient } from '../../src/client/index.ts';
import { parseMultipart } from '../../src/commands/fetch/multipart.ts';
import { decodeWbxml } from '../../protocol/wbxml/decoder.ts';
import { child, childNumber, childText, childrenNamed, el, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { useStack } from '../harness/use-stack.ts';
import { AS, findBySubject, folderIds, messageWithAttachment, syncFolder, withImap } from './mail-ops-helpers.ts';
import { useTestServer } from '../harness/use-test-server.ts';

const stack = useStack();
const server = useTestServer(stack);

const IO = 'ItemOperations';
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function device(version: ProtocolVersion, user = 'alice@example.test'): Promise<{ c: EasClient; ids: Awaited<ReturnType<typeof folderIds>> }> {
  const c = server().client({ user, version });
  await c.provision();
  return { c, ids: await folderIds(c) };
}

/** Delivers a message with an attachment to alice and syncs a fresh device's INBOX; returns the new item. */
async function deliverAndSync(version: ProtocolVersion, data: Buffer, tag: string) {
  const subject = `${tag}-${version}-${Date.now()}`;
  await stack().deliver('alice@example.test', messageWithAttachment({ subject, messageId: `<${subject}@example.test>`, filename: 'blob.bin', data }));
  const d = await device(version);
  const inbox = d.ids.byType.get(2)!;
  const synced = await syncFolder(d.c, inbox);
  const item = synced.items.find((i) => i.subject === subject);
  if (!item) throw new Error(`${subject} not synced: ${JSON.stringify(synced.items)}`);
  return { ...d, inbox, item, subject, syncKey: synced.syncKey };
}

function fetchResults(body: WbxmlElement | undefined): WbxmlElement[] {
  const resp = body && child(body, 'Response', IO);
  return resp ? childrenNamed(resp, 'Fetch', IO) : [];
}

function fetchAttachment(c: EasClient, ref: string, opts: { range?: string; multipart?: boolean } = {}) {
  return c.command(
    'ItemOperations',
    el(IO, 'ItemOperations', [
      el(IO, 'Fetch', [el(IO, 'Store', 'Mailbox'), el('AirSyncBase', 'FileReference', ref), opts.range ? el(IO, 'Options', [el(IO, 'Range', opts.range)]) : undefined]),
    ]),
    opts.multipart ? { headers: { 'MS-ASAcceptMultiPart': 'T' } } : {},
  );
}

/** Fetch of one message by CollectionId and ServerId with a plain-text body (MS-ASCMD 2.2.1.10). */
function fetchMessage(c: EasClient, collectionId: string, serverId: string, opts: { multipart?: boolean } = {}) {
  return c.command(
    'ItemOperations',
    el(IO, 'ItemOperations', [
      el(IO, 'Fetch', [
        el(IO, 'Store', 'Mailbox'),
        el(AS, 'CollectionId', collectionId),
        el(AS, 'ServerId', serverId),
        el(IO, 'Options', [el('AirSyncBase', 'BodyPreference', [el('AirSyncBase', 'Type', 1)])]),
      ]),
    ]),
    opts.multipart ? { headers: { 'MS-ASAcceptMultiPart': 'T' } } : {},
  );
}

describe('ItemOperations Fetch of attachments', () => {
  it('returns a 10 MB attachment byte-identical, inline (base64)', async () => {
    const data = randomBytes(10 * 1024 * 1024);
    const { c, item } = await deliverAndSync('14.1', data, 'big-inline');
    const res = await fetchAttachment(c, item.fileReferences[0]!);
    expect(res.status).toBe(200);
    const [f] = fetchResults(res.body);
    expect(childNumber(f!, 'Status', IO)).toBe(1);
    const props = child(f!, 'Properties', IO)!;
    const got = Buffer.from(childText(props, 'Data', IO) ?? '', 'base64');
    expect(got.length).toBe(data.length);
    expect(sha(got)).toBe(sha(data));
  }, 60_000);

  it('returns a 10 MB attachment byte-identical as a multipart part when MS-ASAcceptMultiPart is T', async () => {
    const data = randomBytes(10 * 1024 * 1024 + 7);
    const { c, item } = await deliverAndSync('16.1', data, 'big-multi');
    const res = await fetchAttachment(c, item.fileReferences[0]!, { multipart: true });
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toContain('application/vnd.ms-sync.multipart');
    const parts = parseMultipart(res.raw);
    expect(parts).toHaveLength(2);
    const [f] = fetchResults(decodeWbxml(parts[0]!));
    const props = child(f!, 'Properties', IO)!;
    expect(childNumber(props, 'Part', IO)).toBe(1);
    expect(childText(props, 'Data', IO)).toBeUndefined();
    expect(sha(parts[1]!)).toBe(sha(data));
  }, 60_000);

  it('honours Range and reports the Total', async () => {
    const data = randomBytes(5000);
    const { c, item } = await deliverAndSync('14.1', data, 'range');
    const res = await fetchAttachment(c, item.fileReferences[0]!, { range: '100-199' });
    const props = child(fetchResults(res.body)[0]!, 'Properties', IO)!;
    expect(childText(props, 'Range', IO)).toBe('100-199');
    expect(childNumber(props, 'Total', IO)).toBe(5000);
    expect(Buffer.from(childText(props, 'Data', IO)!, 'base64').equals(data.subarray(100, 200))).toBe(true);

    const past = await fetchAttachment(c, item.fileReferences[0]!, { range: '9000-9999' });
    expect(childNumber(fetchResults(past.body)[0]!, 'Status', IO)).toBe(8);
  });

  it("refuses an unknown FileReference and another user's reference with Status 15", async () => {
    const { item } = await deliverAndSync('14.1', randomBytes(100), 'foreign');
    const bob = await device('14.1', 'bob@example.test');
    const foreign = await fetchAttachment(bob.c, item.fileReferences[0]!);
    expect(childNumber(fetchResults(foreign.body)[0]!, 'Status', IO)).toBe(15);
    const bogus = await fetchAttachment(bob.c, 'not-a-reference');
    expect(childNumber(fetchResults(bogus.body)[0]!, 'Status', IO)).toBe(15);
  });

  it('refuses a reference to a part the message does not have', async () => {
    const { c, item } = await deliverAndSync('14.1', randomBytes(100), 'nopart');
    const res = await fetchAttachment(c, `${item.serverId}:9`);
    expect(childNumber(fetchResults(res.body)[0]!, 'Status', IO)).toBe(15);
  });
});

describe('ItemOperations Fetch of a message', () => {
  it.each(['14.1', '16.1'] as const)('returns the Email properties with the asked body type (%s)', async (version) => {
    const { c, inbox, item, subject } = await deliverAndSync(version, randomBytes(10), 'fetchmsg');
    const res = await fetchMessage(c, inbox, item.serverId);
    const [f] = fetchResults(res.body);
    expect(childNumber(f!, 'Status', IO)).toBe(1);
    expect(childText(f!, 'ServerId', AS)).toBe(item.serverId);
    const props = child(f!, 'Properties', IO)!;
    expect(childText(props, 'Subject', 'Email')).toBe(subject);
    const body = child(props, 'Body', 'AirSyncBase')!;
    expect(childNumber(body, 'Type', 'AirSyncBase')).toBe(1);
    expect(childText(body, 'Data', 'AirSyncBase')).toContain(`Original text of ${subject}`);
  });

  it('puts the body data in a binary part of a multipart response', async () => {
    const { c, inbox, item, subject } = await deliverAndSync('14.1', randomBytes(10), 'fetchmp');
    const res = await fetchMessage(c, inbox, item.serverId, { multipart: true });
    const parts = parseMultipart(res.raw);
    const props = child(fetchResults(decodeWbxml(parts[0]!))[0]!, 'Properties', IO)!;
    const body = child(props, 'Body', 'AirSyncBase')!;
    expect(childText(body, 'Data', 'AirSyncBase')).toBeUndefined();
    const part = childNumber(body, 'Part', IO)!;
    expect(parts[part]!.toString('utf8')).toContain(`Original text of ${subject}`);
  });

  it('answers a conversation Move with CommandNotSupported (137), leaving other operations unaffected', async () => {
    const { c } = await device('14.1');
    const res = await c.command(
      'ItemOperations',
      el(IO, 'ItemOperations', [el(IO, 'Move', [el(IO, 'ConversationId', Buffer.from('0123456789abcdef')), el(IO, 'DstFldId', '4')])]),
    );
    expect(childNumber(res.body!, 'Status', IO)).toBe(1);
    const mv = child(child(res.body!, 'Response', IO)!, 'Move', IO)!;
    expect(childNumber(mv, 'Status', IO)).toBe(137);
  });

  it('answers an unknown ServerId with a per-fetch error status', async () => {
    const { c, ids } = await device('14.1');
    const inbox = ids.byType.get(2)!;
    const res = await c.command(
      'ItemOperations',
      el(IO, 'ItemOperations', [el(IO, 'Fetch', [el(IO, 'Store', 'Mailbox'), el(AS, 'CollectionId', inbox), el(AS, 'ServerId', `${inbox}:424242`)])]),
    );
    expect(childNumber(res.body!, 'Status', IO)).toBe(1);
    expect(childNumber(fetchResults(res.body)[0]!, 'Status', IO)).toBe(6);
  });
});

describe('GetAttachment (12.1)', () => {
  it('streams the raw attachment bytes with their content type', async () => {
    const data = randomBytes(300_000);
    const { c, item } = await deliverAndSync('12.1', data, 'getatt');
    const res = await c.command('GetAttachment', undefined, { params: { AttachmentName: item.fileReferences[0]! } });
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toContain('application/octet-stream');
    expect(sha(res.raw)).toBe(sha(data));
  });

  it('answers an unknown attachment with HTTP 500', async () => {
    const { c } = await device('12.1');
    const res = await c.command('GetAttachment', undefined, { params: { AttachmentName: '1:99999:2' } });
    expect(res.status).toBe(500);
  });
});

describe.each(['12.1', '14.1', '16.1'] as const)('MoveItems (%s)', (version) => {
  it('moves the message on the IMAP server and returns its new ServerId, which the next Sync does not send again', async () => {
    const { c, ids, inbox, item, subject, syncKey } = await deliverAndSync(version, randomBytes(10), 'move');
    const dst = ids.byType.get(4)!; // Deleted Items exists on every stack mailbox
    const dstSync = await syncFolder(c, dst);
    const res = await c.command('MoveItems', el('Move', 'MoveItems', [el('Move', 'Move', [el('Move', 'SrcMsgId', item.serverId), el('Move', 'SrcFldId', inbox), el('Move', 'DstFldId', dst)])]));
    expect(res.status).toBe(200);
    const r = child(res.body!, 'Response', 'Move')!;
    expect(childNumber(r, 'Status', 'Move')).toBe(3);
    const newId = childText(r, 'DstMsgId', 'Move')!;
    expect(newId).toMatch(new RegExp(`^${dst}:\\d+$`));
    expect(newId).not.toBe(item.serverId);

    expect(await findBySubject(stack(), 'alice@example.test', 'INBOX', subject)).toHaveLength(0);
    expect(await findBySubject(stack(), 'alice@example.test', 'Trash', subject)).toHaveLength(1);

    // The device already knows both sides of the move: no Delete in the source, no Add in the destination.
    const after = await syncFolder(c, inbox, syncKey);
    expect(after.items).toHaveLength(0);
    expect(after.deletes).not.toContain(item.serverId);
    const afterDst = await syncFolder(c, dst, dstSync.syncKey);
    expect(afterDst.items.filter((i) => i.subject === subject)).toHaveLength(0);

    // and the moved message is fetchable under its new id
    const fetched = await c.command(
      'ItemOperations',
      el(IO, 'ItemOperations', [el(IO, 'Fetch', [el(IO, 'Store', 'Mailbox'), el(AS, 'CollectionId', dst), el(AS, 'ServerId', newId)])]),
    );
    expect(childText(child(fetchResults(fetched.body)[0]!, 'Properties', IO)!, 'Subject', 'Email')).toBe(subject);
  });

  it('answers per item: 1 for an unknown source item, 2 for an unknown destination, 4 for the same folder', async () => {
    const { c, ids, inbox, item } = await deliverAndSync(version, randomBytes(10), 'movebad');
    const move = (src: string, from: string, to: string) => el('Move', 'Move', [el('Move', 'SrcMsgId', src), el('Move', 'SrcFldId', from), el('Move', 'DstFldId', to)]);
    const res = await c.command(
      'MoveItems',
      el('Move', 'MoveItems', [move(`${inbox}:777777`, inbox, ids.byType.get(4)!), move(item.serverId, inbox, '9999'), move(item.serverId, inbox, inbox)]),
    );
    const statuses = childrenNamed(res.body!, 'Response', 'Move').map((r) => childNumber(r, 'Status', 'Move'));
    expect(statuses).toEqual([1, 2, 4]);
  });
});

describe('MoveItems and Sync of the same collections', () => {
  it("waits for the sync engine's lock on the source and destination collections before moving", async () => {
    const { c, ids, inbox, item, subject } = await deliverAndSync('14.1', randomBytes(10), 'movelock');
    const dst = ids.byType.get(4)!;
    // Hold the destination's lock as a running Sync of it would (the engine keeps `exclusive` private).
    const engine = server().services.sync as unknown as { exclusive<T>(ref: { mailbox: string; deviceId: string; collectionId: string }, fn: () => Promise<T>): Promise<T> };
    let release!: () => void;
    const held = engine.exclusive({ mailbox: 'alice@example.test', deviceId: c.opts.deviceId, collectionId: dst }, () => new Promise<void>((r) => (release = r)));
    let answered = false;
    const move = c
      .command('MoveItems', el('Move', 'MoveItems', [el('Move', 'Move', [el('Move', 'SrcMsgId', item.serverId), el('Move', 'SrcFldId', inbox), el('Move', 'DstFldId', dst)])]))
      .finally(() => (answered = true));
    await new Promise((r) => setTimeout(r, 500));
    // Neither answered nor moved on the server while a Sync of the destination is running.
    expect(answered).toBe(false);
    expect(await findBySubject(stack(), 'alice@example.test', 'INBOX', subject)).toHaveLength(1);
    release();
    await held;
    const res = await move;
    expect(childNumber(child(res.body!, 'Response', 'Move')!, 'Status', 'Move')).toBe(3);
    expect(await findBySubject(stack(), 'alice@example.test', 'Trash', subject)).toHaveLength(1);
  });
});

describe('ItemOperations EmptyFolderContents', () => {
  it('expunges every message of the folder and, with DeleteSubFolders, its subfolders', async () => {
    const { c, ids } = await device('14.1');
    const trash = ids.byType.get(4)!;
    await stack().appendMessage('alice@example.test', 'Trash', messageWithAttachment({ subject: 'junk-1', messageId: '<j1@x>', filename: 'a', data: randomBytes(5) }));
    await stack().appendMessage('alice@example.test', 'Trash', messageWithAttachment({ subject: 'junk-2', messageId: '<j2@x>', filename: 'a', data: randomBytes(5) }));
    await withImap(stack(), 'alice@example.test', async (imap) => {
      await imap.mailboxCreate('Trash/Old');
    });
    const again = await folderIds(c);
    expect(again.byName.has('Old')).toBe(true);

    const res = await c.command(
      'ItemOperations',
      el(IO, 'ItemOperations', [el(IO, 'EmptyFolderContents', [el(AS, 'CollectionId', trash), el(IO, 'Options', [el(IO, 'DeleteSubFolders')])])]),
    );
    const r = child(child(res.body!, 'Response', IO)!, 'EmptyFolderContents', IO)!;
    expect(childNumber(r, 'Status', IO)).toBe(1);
    expect(childText(r, 'CollectionId', AS)).toBe(trash);
    const left = await withImap(stack(), 'alice@example.test', async (imap) => {
      const st = await imap.status('Trash', { messages: true });
      const list = await imap.list();
      return { messages: st ? st.messages : -1, old: list.some((f) => f.path === 'Trash/Old') };
    });
    expect(left).toEqual({ messages: 0, old: false });
  });

  it('answers an unknown collection with an error status', async () => {
    const { c } = await device('14.1');
    const res = await c.command('ItemOperations', el(IO, 'ItemOperations', [el(IO, 'EmptyFolderContents', [el(AS, 'CollectionId', '4242')])]));
    const r = child(child(res.body!, 'Response', IO)!, 'EmptyFolderContents', IO)!;
    expect(childNumber(r, 'Status', IO)).toBe(6);
  });
});
