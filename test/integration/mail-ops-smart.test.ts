import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { EasClient, EasResponse } from '../../src/client/index.ts';
import { childNumber, el } from '../../protocol/wbxml/tree.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { useStack } from '../harness/use-stack.ts';
import { findBySubject, folderIds, messageWithAttachment, syncFolder, waitFor } from './mail-ops-helpers.ts';
import { startTestServer } from './server-setup.ts';
import { useTestServer } from '../harness/use-test-server.ts';

const stack = useStack();
const server = useTestServer(stack);

const CM = 'ComposeMail';
type Smart = 'SmartReply' | 'SmartForward';

/** A device that has synced its INBOX; `item` is the original delivered for this test. */
async function deviceWithOriginal(version: ProtocolVersion, subject: string, attachment: Buffer) {
  const messageId = `<orig-${subject}@example.test>`;
  await stack().deliver('alice@example.test', messageWithAttachment({ subject, messageId, filename: 'data.bin', data: attachment, references: '<root-x@example.test>' }));
  const c = server().client({ user: 'alice@example.test', version });
  await c.provision();
  const { byType } = await folderIds(c);
  const inbox = byType.get(2)!;
  const { items } = await syncFolder(c, inbox);
  const item = items.find((i) => i.subject === subject);
  if (!item) throw new Error(`original ${subject} not synced: ${JSON.stringify(items)}`);
  return { c, inbox, item, messageId };
}

function reply(to: string, subject: string, text: string): Buffer {
  return Buffer.from([`From: alice@example.test`, `To: ${to}`, `Subject: ${subject}`, 'Content-Type: text/plain; charset=utf-8', '', text, ''].join('\r\n'));
}

/** Sends a smart command in the form the version uses. */
function smart(c: EasClient, version: ProtocolVersion, cmd: Smart, o: { folderId: string; itemId: string; mime: Buffer; replaceMime?: boolean; clientId: string }): Promise<EasResponse> {
  if (version === '12.1') {
    return c.command(cmd, undefined, {
      rawBody: o.mime,
      params: { CollectionId: o.folderId, ItemId: o.itemId, SaveInSent: 'T' },
      headers: { 'Content-Type': 'message/rfc822' },
    });
  }
  return c.command(
    cmd,
    el(CM, cmd, [
      el(CM, 'ClientId', o.clientId),
      el(CM, 'SaveInSentItems'),
      o.replaceMime ? el(CM, 'ReplaceMime') : undefined,
      el(CM, 'Source', [el(CM, 'FolderId', o.folderId), el(CM, 'ItemId', o.itemId)]),
      el(CM, 'Mime', o.mime),
    ]),
  );
}

describe.each(['12.1', '14.1', '16.1'] as const)('SmartReply and SmartForward (%s)', (version) => {
  it('SmartReply threads the reply, quotes the original, and marks the original \\Answered', async () => {
    const subject = `orig-r-${version}-${Date.now()}`;
    const { c, inbox, item, messageId } = await deviceWithOriginal(version, subject, randomBytes(100));
    const res = await smart(c, version, 'SmartReply', { folderId: inbox, itemId: item.serverId, mime: reply('bob@example.test', `Re: ${subject}`, 'My answer'), clientId: `r-${subject}` });
    expect(res.status).toBe(200);
    expect(res.raw.length).toBe(0);

    const sunk = await stack().smtpSink.waitForMessage((m) => m.raw.includes(`Re: ${subject}`));
    const parsed = await simpleParser(sunk.raw);
    expect(parsed.inReplyTo).toBe(messageId);
    expect(parsed.references).toEqual(['<root-x@example.test>', messageId]);
    expect(parsed.text).toContain('My answer');
    expect(parsed.text).toContain(`> Original text of ${subject}`);
    expect(parsed.attachments).toHaveLength(0);

    expect(await waitFor(() => findBySubject(stack(), 'bob@example.test', 'INBOX', `Re: ${subject}`))).toHaveLength(1);
    const [orig] = await findBySubject(stack(), 'alice@example.test', 'INBOX', subject);
    expect(orig!.flags.has('\\Answered')).toBe(true);
    expect(await findBySubject(stack(), 'alice@example.test', 'Sent', `Re: ${subject}`)).toHaveLength(1);
  });

  it("SmartForward includes the original's attachment byte-identical and marks the original $Forwarded", async () => {
    const subject = `orig-f-${version}-${Date.now()}`;
    const data = randomBytes(50_000);
    const { c, inbox, item } = await deviceWithOriginal(version, subject, data);
    const res = await smart(c, version, 'SmartForward', { folderId: inbox, itemId: item.serverId, mime: reply('bob@example.test', `Fw: ${subject}`, 'See below'), clientId: `f-${subject}` });
    expect(res.status).toBe(200);

    const sunk = await stack().smtpSink.waitForMessage((m) => m.raw.includes(`Fw: ${subject}`));
    const parsed = await simpleParser(sunk.raw);
    expect(parsed.text).toContain('See below');
    expect(parsed.text).toContain(`Original text of ${subject}`);
    const att = parsed.attachments.find((a) => a.filename === 'data.bin');
    expect(att?.content.equals(data)).toBe(true);
    const [orig] = await findBySubject(stack(), 'alice@example.test', 'INBOX', subject);
    expect(orig!.flags.has('$Forwarded')).toBe(true);
  });

  it('answers an unknown source item with ItemNotFound (150), or HTTP 500 before 14.0', async () => {
    const subject = `orig-x-${version}-${Date.now()}`;
    const { c, inbox } = await deviceWithOriginal(version, subject, randomBytes(10));
    const res = await smart(c, version, 'SmartReply', { folderId: inbox, itemId: `${inbox}:999999`, mime: reply('bob@example.test', `Re: ${subject}`, 'x'), clientId: `x-${subject}` });
    if (version === '12.1') {
      expect(res.status).toBe(500);
    } else {
      expect(res.status).toBe(200);
      expect(res.body && childNumber(res.body, 'Status', CM)).toBe(150);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(stack().smtpSink.messages.some((m) => m.raw.includes(`Re: ${subject}`))).toBe(false);
  });
});

describe('SmartForward size limit', () => {
  it('refuses with 122 when the original makes the forward larger than the limit', async () => {
    const limited = await startTestServer(stack(), { env: { EAS_MAX_MAIL_BYTES: 100_000 } });
    try {
      const subject = `orig-big-${Date.now()}`;
      await stack().deliver('alice@example.test', messageWithAttachment({ subject, messageId: `<${subject}@example.test>`, filename: 'big.bin', data: randomBytes(90_000) }));
      const c = limited.client({ user: 'alice@example.test', version: '14.1' });
      await c.provision();
      const inbox = (await folderIds(c)).byType.get(2)!;
      const item = (await syncFolder(c, inbox)).items.find((i) => i.subject === subject)!;
      const res = await smart(c, '14.1', 'SmartForward', { folderId: inbox, itemId: item.serverId, mime: reply('bob@example.test', `Fw: ${subject}`, 'big'), clientId: `big-${subject}` });
      expect(res.body && childNumber(res.body, 'Status', CM)).toBe(122);
      await new Promise((r) => setTimeout(r, 200));
      expect(stack().smtpSink.messages.some((m) => m.raw.includes(`Fw: ${subject}`))).toBe(false);
    } finally {
      await limited.stop();
      limited.cleanup();
    }
  });
});

describe.each(['14.1', '16.1'] as const)('ReplaceMime (%s)', (version) => {
  it('sends the device MIME as it is: no quoted text and no original attachment, but still threaded', async () => {
    const subject = `orig-rm-${version}-${Date.now()}`;
    const { c, inbox, item, messageId } = await deviceWithOriginal(version, subject, randomBytes(1000));
    const mine = reply('bob@example.test', `Fw: ${subject}`, 'Edited inline by the device');
    const fwd = await smart(c, version, 'SmartForward', { folderId: inbox, itemId: item.serverId, mime: mine, replaceMime: true, clientId: `rmf-${subject}` });
    expect(fwd.status).toBe(200);
    const f = await simpleParser((await stack().smtpSink.waitForMessage((m) => m.raw.includes(`Fw: ${subject}`))).raw);
    expect(f.text?.trim()).toBe('Edited inline by the device');
    expect(f.attachments).toHaveLength(0);

    const rep = await smart(c, version, 'SmartReply', { folderId: inbox, itemId: item.serverId, mime: reply('bob@example.test', `Re: ${subject}`, 'Only this'), replaceMime: true, clientId: `rmr-${subject}` });
    expect(rep.status).toBe(200);
    const r = await simpleParser((await stack().smtpSink.waitForMessage((m) => m.raw.includes(`Re: ${subject}`))).raw);
    expect(r.text?.trim()).toBe('Only this');
    expect(r.inReplyTo).toBe(messageId);
  });
});
