import { describe, expect, it } from 'vitest';
import { ns } from '../../protocol/wbxml/tree.ts';
import { CommonStatus } from '../../protocol/commands/common-status.ts';
import { composeMailFromMime } from '../../protocol/commands/compose-mail.ts';
import { buildSendMailResponse, parseSendMailRequest } from '../../protocol/commands/send-mail.ts';
import { buildSmartReplyResponse, parseSmartReplyRequest } from '../../protocol/commands/smart-reply.ts';
import { parseSmartForwardRequest } from '../../protocol/commands/smart-forward.ts';
import { xml, commandFailureWithHttp } from './helpers/wire.ts';

const cm = ns('ComposeMail');
const mime = new TextEncoder().encode('From: a@example.com\r\nTo: b@example.com\r\nSubject: x\r\n\r\nbody\r\n');

describe('SendMail / SmartReply / SmartForward, 14.0+ ComposeMail form (MS-ASCMD 2.2.1.17, .19, .20)', () => {
  it('reads SendMail with ClientId, SaveInSentItems and opaque Mime', () => {
    const req = parseSendMailRequest(cm('SendMail', [cm('ClientId', 'msg-1'), cm('SaveInSentItems'), cm('Mime', mime)]), '14.1');
    expect(req).toEqual({ command: 'SendMail', form: 'wbxml', clientId: 'msg-1', saveInSentItems: true, replaceMime: false, mime });
  });

  it('reads SmartReply with Source and ReplaceMime, and Mime sent as text', () => {
    const root = cm('SmartReply', [
      cm('ClientId', 'r-2'),
      cm('Source', [cm('FolderId', '5'), cm('ItemId', '5:7'), cm('InstanceId', '2026-01-05T09:00:00.000Z')]),
      cm('ReplaceMime'),
      cm('Mime', 'Subject: re\r\n\r\nok'),
    ]);
    const req = parseSmartReplyRequest(root, '16.1');
    expect(req.source).toEqual({ folderId: '5', itemId: '5:7', instanceId: '2026-01-05T09:00:00.000Z' });
    expect(req.replaceMime).toBe(true);
    expect(req.saveInSentItems).toBe(false);
    expect(new TextDecoder().decode(req.mime)).toBe('Subject: re\r\n\r\nok');
  });

  it('reads SmartForward by LongId with 16.x Forwardees', () => {
    const root = cm('SmartForward', [
      cm('ClientId', 'f-3'),
      cm('Source', [cm('LongId', 'RgAAAA')]),
      cm('Mime', mime),
      cm('Forwardees', [cm('Forwardee', [cm('Name', 'Bob'), cm('Email', 'bob@example.com')]), cm('Forwardee', [cm('Email', 'c@example.com')])]),
    ]);
    const req = parseSmartForwardRequest(root, '16.1');
    expect(req.source).toEqual({ longId: 'RgAAAA' });
    expect(req.forwardees).toEqual([{ name: 'Bob', email: 'bob@example.com' }, { email: 'c@example.com' }]);
  });

  it.each<[string, () => unknown, number]>([
    ['SendMail without ClientId', () => parseSendMailRequest(cm('SendMail', [cm('Mime', mime)]), '14.1'), CommonStatus.InvalidXML],
    ['SendMail without Mime', () => parseSendMailRequest(cm('SendMail', [cm('ClientId', '1')]), '14.1'), CommonStatus.InvalidXML],
    ['SmartReply without Source', () => parseSmartReplyRequest(cm('SmartReply', [cm('ClientId', '1'), cm('Mime', mime)]), '14.1'), CommonStatus.InvalidXML],
    [
      'SmartReply whose Source names no item',
      () => parseSmartReplyRequest(cm('SmartReply', [cm('ClientId', '1'), cm('Source', [cm('FolderId', '5')]), cm('Mime', mime)]), '14.1'),
      CommonStatus.InvalidCombinationOfIDs,
    ],
  ])('refuses %s with a common status and HTTP 400 for older clients', (_w, f, status) => {
    const err = commandFailureWithHttp(f);
    expect(err?.status).toBe(status);
    expect(err?.httpStatus).toBe(400);
  });

  it('writes the status response in the ComposeMail namespace', () => {
    expect(xml(buildSendMailResponse({ status: CommonStatus.MessagePreviouslySent }, '14.1'))).toBe(
      '<ComposeMail:SendMail><Status>118</Status></ComposeMail:SendMail>',
    );
    expect(xml(buildSmartReplyResponse({ status: CommonStatus.ItemNotFound }, '16.1'))).toBe('<ComposeMail:SmartReply><Status>150</Status></ComposeMail:SmartReply>');
  });
});

describe('raw-MIME form of 2.5/12.x (MS-ASHTTP 2.2.1.1.1.2.5)', () => {
  it('builds SendMail from the body and SaveInSent=T', () => {
    expect(composeMailFromMime('SendMail', mime, { SaveInSent: 'T' })).toEqual({ command: 'SendMail', form: 'mime', saveInSentItems: true, replaceMime: false, mime });
  });

  it('builds SmartForward from CollectionId, ItemId and Occurrence', () => {
    const req = composeMailFromMime('SmartForward', mime, { CollectionId: '5', ItemId: '5:7', Occurrence: 'x', SaveInSent: 'F' });
    expect(req.source).toEqual({ folderId: '5', itemId: '5:7', instanceId: 'x' });
    expect(req.saveInSentItems).toBe(false);
  });

  it('refuses an empty body and a SmartReply without item ids with HTTP 400', () => {
    expect(commandFailureWithHttp(() => composeMailFromMime('SendMail', new Uint8Array(), {}))).toEqual({ command: 'SendMail', status: CommonStatus.InvalidMIME, httpStatus: 400 });
    expect(commandFailureWithHttp(() => composeMailFromMime('SmartReply', mime, { CollectionId: '5' }))?.httpStatus).toBe(400);
  });
});
