import { describe, expect, it } from 'vitest';
import { el, ns, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { buildMoveItemsResponse, MoveItemsStatus, parseMoveItemsRequest } from '../../protocol/commands/move-items.ts';
import { buildGetItemEstimateResponse, GetItemEstimateStatus, parseGetItemEstimateRequest } from '../../protocol/commands/get-item-estimate.ts';
import { buildMeetingResponseResponse, parseMeetingResponseRequest } from '../../protocol/commands/meeting-response.ts';
import { buildGalProperties, buildSearchResponse, parseSearchRequest, SearchStatus } from '../../protocol/commands/search.ts';
import { buildFindResponse, parseFindRequest } from '../../protocol/commands/find.ts';
import { buildResolveRecipientsResponse, parseResolveRecipientsRequest } from '../../protocol/commands/resolve-recipients.ts';
import { buildValidateCertResponse, parseValidateCertRequest } from '../../protocol/commands/validate-cert.ts';
import { parseGetAttachmentRequest } from '../../protocol/commands/get-attachment.ts';
import { xml, commandFailureWithHttp } from './helpers/wire.ts';

const mv = ns('Move');
const gie = ns('GetItemEstimate');
const as = ns('AirSync');
const mr = ns('MeetingResponse');
const se = ns('Search');
const fd = ns('Find');
const rr = ns('ResolveRecipients');
const vc = ns('ValidateCert');

describe('MoveItems (MS-ASCMD 2.2.1.12)', () => {
  it('reads every Move', () => {
    const root = mv('MoveItems', [
      mv('Move', [mv('SrcMsgId', '5:1'), mv('SrcFldId', '5'), mv('DstFldId', '9')]),
      mv('Move', [mv('SrcMsgId', '5:2'), mv('SrcFldId', '5'), mv('DstFldId', '9')]),
    ]);
    expect(parseMoveItemsRequest(root, '14.1')).toEqual({
      moves: [
        { srcMsgId: '5:1', srcFldId: '5', dstFldId: '9' },
        { srcMsgId: '5:2', srcFldId: '5', dstFldId: '9' },
      ],
    });
  });

  it('refuses a Move without DstFldId with 103 / HTTP 400', () => {
    expect(commandFailureWithHttp(() => parseMoveItemsRequest(mv('MoveItems', [mv('Move', [mv('SrcMsgId', '5:1'), mv('SrcFldId', '5')])]), '14.1'))).toEqual({
      command: 'MoveItems',
      status: 103,
      httpStatus: 400,
    });
  });

  it('writes Response { SrcMsgId, Status, DstMsgId } per item', () => {
    const tree = buildMoveItemsResponse(
      { results: [{ srcMsgId: '5:1', status: MoveItemsStatus.Success, dstMsgId: '9:1' }, { srcMsgId: '5:2', status: MoveItemsStatus.InvalidSource }] },
      '14.1',
    );
    expect(xml(tree)).toBe(
      '<Move:MoveItems><Response><SrcMsgId>5:1</SrcMsgId><Status>3</Status><DstMsgId>9:1</DstMsgId></Response>' +
        '<Response><SrcMsgId>5:2</SrcMsgId><Status>1</Status></Response></Move:MoveItems>',
    );
  });
});

describe('GetItemEstimate (MS-ASCMD 2.2.1.9)', () => {
  it('reads the 12.1 shape: Class, CollectionId, FilterType, SyncKey', () => {
    const root = gie('GetItemEstimate', [
      gie('Collections', [gie('Collection', [gie('Class', 'Email'), gie('CollectionId', '5'), as('FilterType', '3'), as('SyncKey', '7')])]),
    ]);
    expect(parseGetItemEstimateRequest(root, '12.1')).toEqual({ collections: [{ collectionId: '5', syncKey: '7', options: [{ class: 'Email', filterType: 3 }] }] });
  });

  it('reads the 14.1 shape: SyncKey, CollectionId, Options per class', () => {
    const root = gie('GetItemEstimate', [
      gie('Collections', [
        gie('Collection', [as('SyncKey', '7'), gie('CollectionId', '5'), as('ConversationMode', '1'), as('Options', [as('Class', 'Email'), as('FilterType', '4')]), as('Options', [as('Class', 'SMS')])]),
      ]),
    ]);
    expect(parseGetItemEstimateRequest(root, '14.1')).toEqual({
      collections: [{ collectionId: '5', syncKey: '7', conversationMode: true, options: [{ class: 'Email', filterType: 4 }, { class: 'SMS' }] }],
    });
  });

  it('refuses a collection without CollectionId with Status 2', () => {
    const root = gie('GetItemEstimate', [gie('Collections', [gie('Collection', [as('SyncKey', '7')])])]);
    expect(commandFailureWithHttp(() => parseGetItemEstimateRequest(root, '14.1'))).toEqual({ command: 'GetItemEstimate', status: GetItemEstimateStatus.InvalidCollection });
  });

  it('writes Response { Status, Collection { CollectionId, Estimate } }, with Class for 12.1 only', () => {
    const res = { results: [{ status: 1, class: 'Email', collectionId: '5', estimate: 12 }, { status: GetItemEstimateStatus.SyncStateNotPrimed, collectionId: '8' }] };
    expect(xml(buildGetItemEstimateResponse(res, '14.1'))).toBe(
      '<GetItemEstimate:GetItemEstimate><Response><Status>1</Status><Collection><CollectionId>5</CollectionId><Estimate>12</Estimate></Collection></Response>' +
        '<Response><Status>3</Status><Collection><CollectionId>8</CollectionId></Collection></Response></GetItemEstimate:GetItemEstimate>',
    );
    expect(xml(buildGetItemEstimateResponse(res, '12.1'))).toContain('<Collection><Class>Email</Class><CollectionId>5</CollectionId><Estimate>12</Estimate></Collection>');
  });
});

describe('MeetingResponse (MS-ASCMD 2.2.1.11)', () => {
  it('reads requests by RequestId and by LongId', () => {
    const root = mr('MeetingResponse', [
      mr('Request', [mr('UserResponse', '1'), mr('CollectionId', '5'), mr('RequestId', '5:3')]),
      mr('Request', [mr('UserResponse', '3'), el('Search', 'LongId', 'RgAA'), mr('InstanceId', '2026-02-01T10:00:00.000Z')]),
    ]);
    expect(parseMeetingResponseRequest(root, '14.1')).toEqual({
      requests: [
        { userResponse: 1, collectionId: '5', requestId: '5:3' },
        { userResponse: 3, longId: 'RgAA', instanceId: '2026-02-01T10:00:00.000Z' },
      ],
    });
  });

  it('refuses UserResponse 4 with Status 2', () => {
    const root = mr('MeetingResponse', [mr('Request', [mr('UserResponse', '4'), mr('RequestId', '5:3')])]);
    expect(commandFailureWithHttp(() => parseMeetingResponseRequest(root, '14.1'))).toEqual({ command: 'MeetingResponse', status: 2 });
  });

  it('writes Result { RequestId, Status, CalendarId }', () => {
    expect(xml(buildMeetingResponseResponse({ results: [{ requestId: '5:3', status: 1, calendarId: '8:4' }] }, '14.1'))).toBe(
      '<MeetingResponse:MeetingResponse><Result><RequestId>5:3</RequestId><Status>1</Status><CalendarId>8:4</CalendarId></Result></MeetingResponse:MeetingResponse>',
    );
  });
});

describe('Search (MS-ASCMD 2.2.1.16)', () => {
  it('reads a GAL search with range and picture limits', () => {
    const root = se('Search', [
      se('Store', [se('Name', 'GAL'), se('Query', 'smi'), se('Options', [se('Range', '0-49'), se('Picture', [se('MaxSize', '4096'), se('MaxPictures', '5')])])]),
    ]);
    expect(parseSearchRequest(root, '14.1')).toEqual({
      store: 'GAL',
      query: { kind: 'text', text: 'smi' },
      options: { range: { start: 0, end: 49 }, deepTraversal: false, rebuildResults: false, bodyPreferences: [], bodyPartPreferences: [], picture: { maxSize: 4096, maxPictures: 5 } },
    });
  });

  it('reads a Mailbox search as its condition tree, EqualTo on a header included', () => {
    const q = se('Query', [
      se('And', [as('Class', 'Email'), as('CollectionId', '5'), se('FreeText', 'invoice'), se('GreaterThan', [el('Email', 'DateReceived'), se('Value', '2026-01-01T00:00:00.000Z')])]),
    ]);
    const req = parseSearchRequest(se('Search', [se('Store', [se('Name', 'Mailbox'), q, se('Options', [se('DeepTraversal'), se('Range', '0-9')])])]), '14.1');
    expect(req.query).toEqual({
      kind: 'mailbox',
      condition: {
        kind: 'and',
        children: [
          { kind: 'class', value: 'Email' },
          { kind: 'collectionId', value: '5' },
          { kind: 'freeText', text: 'invoice' },
          { kind: 'receivedAfter', value: '2026-01-01T00:00:00.000Z' },
        ],
      },
      raw: q,
    });
    expect(req.options.deepTraversal).toBe(true);
    const byHeader = se('Query', [se('EqualTo', [el('Email', 'From'), se('Value', 'ann')]), se('GreaterThan', [se('Value', 'x')])]);
    expect(parseSearchRequest(se('Search', [se('Store', [se('Name', 'Mailbox'), byHeader])]), '14.1').query).toMatchObject({
      condition: { kind: 'and', children: [{ kind: 'equalTo', field: 'from', text: 'ann' }, { kind: 'unknown' }] },
    });
  });

  it.each<[string, WbxmlElement]>([
    ['no Store', se('Search')],
    ['an empty GAL query', se('Search', [se('Store', [se('Name', 'GAL'), se('Query', '  ')])])],
    ['a malformed Range', se('Search', [se('Store', [se('Name', 'GAL'), se('Query', 'a'), se('Options', [se('Range', 'all')])])])],
  ])('refuses %s with Status 2', (_w, root) => {
    expect(commandFailureWithHttp(() => parseSearchRequest(root, '14.1'))).toEqual({ command: 'Search', status: SearchStatus.InvalidRequest });
  });

  it('writes GAL results with Range and Total, Picture only from 14.1', () => {
    const entry = { displayName: 'Ann Smith', emailAddress: 'ann@example.com', firstName: 'Ann', picture: { status: 173 } };
    const res = (v: '14.0' | '14.1') => ({ status: 1, store: { name: 'GAL', status: 1, results: [{ properties: buildGalProperties(entry, v) }], range: { start: 0, end: 0 }, total: 1 } });
    expect(xml(buildSearchResponse(res('14.1'), '14.1'))).toBe(
      '<Search:Search><Status>1</Status><Response><Store><Status>1</Status><Result><Properties>' +
        '<GAL:DisplayName>Ann Smith</GAL:DisplayName><GAL:FirstName>Ann</GAL:FirstName><GAL:EmailAddress>ann@example.com</GAL:EmailAddress><GAL:Picture><Status>173</Status></GAL:Picture>' +
        '</Properties></Result><Range>0-0</Range><Total>1</Total></Store></Response></Search:Search>',
    );
    expect(xml(buildSearchResponse(res('14.0'), '14.0'))).not.toContain('Picture');
  });

  it('writes an empty Result for a Mailbox store with no hits and none for GAL', () => {
    expect(xml(buildSearchResponse({ status: 1, store: { name: 'Mailbox', status: 1, results: [], total: 0 } }, '14.1'))).toBe(
      '<Search:Search><Status>1</Status><Response><Store><Status>1</Status><Result/><Total>0</Total></Store></Response></Search:Search>',
    );
    expect(xml(buildSearchResponse({ status: 1, store: { name: 'GAL', status: 1, results: [] } }, '14.1'))).toBe(
      '<Search:Search><Status>1</Status><Response><Store><Status>1</Status></Store></Response></Search:Search>',
    );
  });
});

describe('Find (MS-ASCMD 2.2.1.2, 16.1)', () => {
  it('reads a mailbox criterion', () => {
    const root = fd('Find', [
      fd('SearchId', 's1'),
      fd('ExecuteSearch', [
        fd('MailBoxSearchCriterion', [fd('Query', [as('Class', 'Email'), as('CollectionId', '5'), fd('FreeText', 'lunch')]), fd('Options', [fd('Range', '0-99'), fd('DeepTraversal')])]),
      ]),
    ]);
    expect(parseFindRequest(root, '16.1')).toEqual({
      searchId: 's1',
      criterion: { kind: 'mailbox', freeText: 'lunch', classes: ['Email'], collectionIds: ['5'], options: { range: { start: 0, end: 99 }, deepTraversal: true } },
    });
  });

  it('reads a GAL criterion and refuses a request without criterion with Status 2', () => {
    const gal = fd('Find', [fd('SearchId', 's2'), fd('ExecuteSearch', [fd('GalSearchCriterion', [fd('Query', 'ann'), fd('Options', [fd('Range', '0-9')])])])]);
    expect(parseFindRequest(gal, '16.1').criterion).toEqual({ kind: 'gal', query: 'ann', options: { range: { start: 0, end: 9 }, deepTraversal: false } });
    expect(commandFailureWithHttp(() => parseFindRequest(fd('Find', [fd('SearchId', 's3'), fd('ExecuteSearch')]), '16.1'))).toEqual({ command: 'Find', status: 2 });
  });

  it('writes Status, Response { Store, Status, Result { Class, ServerId, CollectionId, Properties }, Range, Total }', () => {
    const tree = buildFindResponse(
      { status: 1, response: { status: 1, results: [{ class: 'Email', serverId: '5:1', collectionId: '5', properties: [el('Email', 'Subject', 'Lunch?')] }], range: { start: 0, end: 0 }, total: 1 } },
      '16.1',
    );
    expect(xml(tree)).toBe(
      '<Find:Find><Status>1</Status><Response><ItemOperations:Store>Mailbox</ItemOperations:Store><Status>1</Status><Result><AirSync:Class>Email</AirSync:Class><AirSync:ServerId>5:1</AirSync:ServerId>' +
        '<AirSync:CollectionId>5</AirSync:CollectionId><Properties><Email:Subject>Lunch?</Email:Subject></Properties></Result><Range>0-0</Range><Total>1</Total></Response></Find:Find>',
    );
  });
});

describe('ResolveRecipients (MS-ASCMD 2.2.1.15)', () => {
  it('reads To and Options', () => {
    const root = rr('ResolveRecipients', [
      rr('To', 'ann'),
      rr('To', 'bob@example.com'),
      rr('Options', [rr('CertificateRetrieval', '2'), rr('MaxAmbiguousRecipients', '5'), rr('Availability', [rr('StartTime', '2026-03-01T00:00:00.000Z'), rr('EndTime', '2026-03-02T00:00:00.000Z')])]),
    ]);
    expect(parseResolveRecipientsRequest(root, '14.1')).toEqual({
      to: ['ann', 'bob@example.com'],
      options: { certificateRetrieval: 2, maxAmbiguousRecipients: 5, availability: { startTime: '2026-03-01T00:00:00.000Z', endTime: '2026-03-02T00:00:00.000Z' } },
    });
  });

  it('refuses a request without To and one with 101 To with Status 5', () => {
    expect(commandFailureWithHttp(() => parseResolveRecipientsRequest(rr('ResolveRecipients'), '14.1'))).toEqual({ command: 'ResolveRecipients', status: 5 });
    const many = rr('ResolveRecipients', Array.from({ length: 101 }, (_, i) => rr('To', `u${i}`)));
    expect(commandFailureWithHttp(() => parseResolveRecipientsRequest(many, '14.1'))).toEqual({ command: 'ResolveRecipients', status: 5 });
  });

  it('writes Status, Response { To, Status, RecipientCount, Recipient }, Availability from 14.0 only', () => {
    const res = {
      status: 1,
      results: [{ to: 'ann', status: 1, recipients: [{ type: 1, displayName: 'Ann Smith', emailAddress: 'ann@example.com', availability: { status: 1, mergedFreeBusy: '0022' } }] }],
    };
    expect(xml(buildResolveRecipientsResponse(res, '14.1'))).toBe(
      '<ResolveRecipients:ResolveRecipients><Status>1</Status><Response><To>ann</To><Status>1</Status><RecipientCount>1</RecipientCount>' +
        '<Recipient><Type>1</Type><DisplayName>Ann Smith</DisplayName><EmailAddress>ann@example.com</EmailAddress>' +
        '<Availability><Status>1</Status><MergedFreeBusy>0022</MergedFreeBusy></Availability></Recipient></Response></ResolveRecipients:ResolveRecipients>',
    );
    expect(xml(buildResolveRecipientsResponse(res, '12.1'))).not.toContain('Availability');
  });
});

describe('ValidateCert (MS-ASCMD 2.2.1.22)', () => {
  it('reads certificates, chain and CheckCRL', () => {
    const root = vc('ValidateCert', [vc('CertificateChain', [vc('Certificate', 'Q0E=')]), vc('Certificates', [vc('Certificate', 'TEVBRg==')]), vc('CheckCRL', '1')]);
    expect(parseValidateCertRequest(root, '14.1')).toEqual({ certificates: ['TEVBRg=='], chain: ['Q0E='], checkCrl: true });
  });

  it('refuses a request without Certificates with Status 2', () => {
    expect(commandFailureWithHttp(() => parseValidateCertRequest(vc('ValidateCert', [vc('CheckCRL', '1')]), '14.1'))).toEqual({ command: 'ValidateCert', status: 2 });
  });

  it('writes Status and one Certificate { Status } per certificate', () => {
    expect(xml(buildValidateCertResponse({ status: 1, certificateStatuses: [1, 7] }, '14.1'))).toBe(
      '<ValidateCert:ValidateCert><Status>1</Status><Certificate><Status>1</Status></Certificate><Certificate><Status>7</Status></Certificate></ValidateCert:ValidateCert>',
    );
  });
});

describe('GetAttachment (MS-ASCMD 2.2.1.7)', () => {
  it('reads AttachmentName from the query and refuses its absence with HTTP 400', () => {
    expect(parseGetAttachmentRequest({ AttachmentName: '5:3:1' })).toEqual({ attachmentName: '5:3:1' });
    expect(commandFailureWithHttp(() => parseGetAttachmentRequest({}))?.httpStatus).toBe(400);
  });
});
