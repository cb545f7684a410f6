import { describe, expect, it } from 'vitest';
import { ns, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { buildSettingsResponse, parseSettingsRequest, SettingsStatus, type SettingsResponse } from '../../protocol/commands/settings.ts';
import { xml, commandFailure } from './helpers/wire.ts';

const s = ns('Settings');

describe('parseSettingsRequest (MS-ASCMD 2.2.1.18)', () => {
  it('reads Oof Get, DeviceInformation Set and UserInformation Get together', () => {
    const root = s('Settings', [
      s('Oof', [s('Get', [s('BodyType', 'Text')])]),
      s('DeviceInformation', [
        s('Set', [
          s('Model', 'SM-G991B'),
          s('IMEI', '350000000000000'),
          s('FriendlyName', 'Galaxy'),
          s('OS', 'Android 14'),
          s('OSLanguage', 'de-DE'),
          s('PhoneNumber', '+4912345'),
          s('UserAgent', 'Android-Mail/2024'),
          s('EnableOutboundSMS', '1'),
          s('MobileOperator', 'Telekom'),
        ]),
      ]),
      s('UserInformation', [s('Get')]),
      s('RightsManagementInformation', [s('Get')]),
    ]);
    expect(parseSettingsRequest(root, '14.1')).toEqual({
      oof: { kind: 'Get', bodyType: 'Text' },
      deviceInformation: {
        model: 'SM-G991B',
        imei: '350000000000000',
        friendlyName: 'Galaxy',
        os: 'Android 14',
        osLanguage: 'de-DE',
        phoneNumber: '+4912345',
        userAgent: 'Android-Mail/2024',
        enableOutboundSMS: true,
        mobileOperator: 'Telekom',
      },
      userInformationGet: true,
      rightsManagementInformationGet: true,
    });
  });

  it('reads Oof Set with its messages and DevicePassword Set', () => {
    const root = s('Settings', [
      s('Oof', [
        s('Set', [
          s('OofState', '2'),
          s('StartTime', '2026-12-20T00:00:00.000Z'),
          s('EndTime', '2027-01-05T00:00:00.000Z'),
          s('OofMessage', [s('AppliesToInternal'), s('Enabled', '1'), s('ReplyMessage', 'Away'), s('BodyType', 'Text')]),
          s('OofMessage', [s('AppliesToExternalUnknown'), s('Enabled', '0')]),
        ]),
      ]),
      s('DevicePassword', [s('Set', [s('Password', 'hunter2')])]),
    ]);
    expect(parseSettingsRequest(root, '14.1')).toEqual({
      oof: {
        kind: 'Set',
        settings: {
          oofState: 2,
          startTime: '2026-12-20T00:00:00.000Z',
          endTime: '2027-01-05T00:00:00.000Z',
          messages: [
            { appliesTo: 'Internal', enabled: true, replyMessage: 'Away', bodyType: 'Text' },
            { appliesTo: 'ExternalUnknown', enabled: false },
          ],
        },
      },
      devicePassword: { password: 'hunter2' },
    });
  });

  it.each<[string, WbxmlElement | undefined]>([
    ['no body', undefined],
    ['an empty Settings', s('Settings')],
    ['Oof without Get or Set', s('Settings', [s('Oof', [s('Status', '1')])])],
    ['Oof Get without BodyType', s('Settings', [s('Oof', [s('Get')])])],
    ['OofState 3', s('Settings', [s('Oof', [s('Set', [s('OofState', '3')])])])],
    ['an OofMessage without audience', s('Settings', [s('Oof', [s('Set', [s('OofMessage', [s('Enabled', '1')])])])])],
    ['DeviceInformation without Set', s('Settings', [s('DeviceInformation', [s('Model', 'x')])])],
    ['UserInformation without Get', s('Settings', [s('UserInformation', [s('Set')])])],
  ])('refuses %s with Status 2', (_w, root) => {
    expect(commandFailure(() => parseSettingsRequest(root, '14.1'))).toEqual({ command: 'Settings', status: SettingsStatus.ProtocolError });
  });
});

describe('buildSettingsResponse (MS-ASCMD 2.2.1.18)', () => {
  const res: SettingsResponse = {
    status: 1,
    oof: {
      status: 1,
      get: { oofState: 0, messages: [{ appliesTo: 'Internal', enabled: false, replyMessage: '', bodyType: 'Text' }] },
    },
    deviceInformation: { status: 1 },
    userInformation: {
      status: 1,
      get: { emailAddresses: ['jdoe@example.com', 'john@example.com'], primarySmtpAddress: 'jdoe@example.com', userDisplayName: 'John Doe', accountId: '1' },
    },
    rightsManagementInformation: { status: 1, templates: [] },
  };

  it('writes 14.1: Status, RightsManagementInformation, Oof, DeviceInformation, UserInformation with Accounts', () => {
    expect(xml(buildSettingsResponse(res, '14.1'))).toBe(
      '<Settings:Settings><Status>1</Status>' +
        '<RightsManagementInformation><Status>1</Status><Get><RightsManagement:RightsManagementTemplates/></Get></RightsManagementInformation>' +
        '<Oof><Status>1</Status><Get><OofState>0</OofState><OofMessage><AppliesToInternal/><Enabled>0</Enabled><ReplyMessage></ReplyMessage><BodyType>Text</BodyType></OofMessage></Get></Oof>' +
        '<DeviceInformation><Status>1</Status></DeviceInformation>' +
        '<UserInformation><Status>1</Status><Get><Accounts><Account><AccountId>1</AccountId><UserDisplayName>John Doe</UserDisplayName>' +
        '<EmailAddresses><SMTPAddress>jdoe@example.com</SMTPAddress><SMTPAddress>john@example.com</SMTPAddress><PrimarySmtpAddress>jdoe@example.com</PrimarySmtpAddress></EmailAddresses>' +
        '</Account></Accounts></Get></UserInformation></Settings:Settings>',
    );
  });

  it('writes 12.1: no RightsManagementInformation, UserInformation as EmailAddresses under Get', () => {
    const out = xml(buildSettingsResponse(res, '12.1'));
    expect(out).not.toContain('RightsManagement');
    expect(out).toContain(
      '<UserInformation><Status>1</Status><Get><EmailAddresses><SMTPAddress>jdoe@example.com</SMTPAddress><SMTPAddress>john@example.com</SMTPAddress></EmailAddresses></Get></UserInformation>',
    );
  });

  it('writes rights-management templates in TemplateDescription, TemplateID, TemplateName order', () => {
    const out = xml(buildSettingsResponse({ status: 1, rightsManagementInformation: { status: 1, templates: [{ id: 't1', name: 'Do not forward', description: 'd' }] } }, '16.1'));
    expect(out).toContain(
      '<RightsManagement:RightsManagementTemplates><RightsManagementTemplate><TemplateDescription>d</TemplateDescription><TemplateID>t1</TemplateID><TemplateName>Do not forward</TemplateName></RightsManagementTemplate></RightsManagement:RightsManagementTemplates>',
    );
  });

  it('writes a time-based Oof Get: OofState 2, StartTime, EndTime, then the messages in MS-ASCMD 2.2.3.83 order', () => {
    const oof = {
      oofState: 2,
      startTime: '2027-07-01T00:00:00.000Z',
      endTime: '2027-07-15T00:00:00.000Z',
      messages: [
        { appliesTo: 'ExternalKnown' as const, enabled: true, replyMessage: 'Away', bodyType: 'HTML' },
        { appliesTo: 'ExternalUnknown' as const, enabled: true, replyMessage: 'Away', bodyType: 'HTML' },
      ],
    };
    expect(xml(buildSettingsResponse({ status: 1, oof: { status: 1, get: oof } }, '12.1'))).toBe(
      '<Settings:Settings><Status>1</Status><Oof><Status>1</Status><Get><OofState>2</OofState>' +
        '<StartTime>2027-07-01T00:00:00.000Z</StartTime><EndTime>2027-07-15T00:00:00.000Z</EndTime>' +
        '<OofMessage><AppliesToExternalKnown/><Enabled>1</Enabled><ReplyMessage>Away</ReplyMessage><BodyType>HTML</BodyType></OofMessage>' +
        '<OofMessage><AppliesToExternalUnknown/><Enabled>1</Enabled><ReplyMessage>Away</ReplyMessage><BodyType>HTML</BodyType></OofMessage>' +
        '</Get></Oof></Settings:Settings>',
    );
  });

  it('writes a failed part with only its Status', () => {
    expect(xml(buildSettingsResponse({ status: 1, devicePassword: { status: SettingsStatus.DeniedByPolicy } }, '14.0'))).toBe(
      '<Settings:Settings><Status>1</Status><DevicePassword><Status>7</Status></DevicePassword></Settings:Settings>',
    );
  });
});
