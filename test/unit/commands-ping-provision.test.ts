import { describe, expect, it } from 'vitest';
import { el, ns, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { buildPingResponse, parsePingRequest, PingStatus } from '../../protocol/commands/ping.ts';
import { buildProvisionResponse, parseProvisionRequest, PolicyType, ProvisionStatus, PROVISION_DOC_ORDER } from '../../protocol/commands/provision.ts';
import { xml, commandFailure } from './helpers/wire.ts';

const p = ns('Ping');
const pr = ns('Provision');
const st = ns('Settings');

describe('Ping (MS-ASCMD 2.2.1.13)', () => {
  it('reads HeartbeatInterval and the folders to watch', () => {
    const root = p('Ping', [
      p('HeartbeatInterval', '480'),
      p('Folders', [p('Folder', [p('Id', '5'), p('Class', 'Email')]), p('Folder', [p('Id', '8'), p('Class', 'Calendar')])]),
    ]);
    expect(parsePingRequest(root, '14.1')).toEqual({
      empty: false,
      heartbeatInterval: 480,
      folders: [
        { id: '5', class: 'Email' },
        { id: '8', class: 'Calendar' },
      ],
    });
  });

  it('reads no body or an empty Ping as the empty request, and keeps a Folders-only one', () => {
    expect(parsePingRequest(undefined, '14.1')).toEqual({ empty: true });
    expect(parsePingRequest(p('Ping'), '14.1')).toEqual({ empty: true });
    expect(parsePingRequest(p('Ping', [p('Folders', [p('Folder', [p('Id', '5')])])]), '12.1')).toEqual({ empty: false, folders: [{ id: '5' }] });
  });

  it.each<[string, WbxmlElement]>([
    ['a non-numeric HeartbeatInterval', p('Ping', [p('HeartbeatInterval', 'soon')])],
    ['a Folder without Id', p('Ping', [p('Folders', [p('Folder', [p('Class', 'Email')])])])],
    ['Folders without Folder', p('Ping', [p('HeartbeatInterval', '60'), { ns: 'Ping', name: 'Folders', children: [] }])],
    ['a wrong root', el('AirSync', 'Sync')],
  ])('refuses %s with Status 4', (_w, root) => {
    expect(commandFailure(() => parsePingRequest(root, '14.1'))).toEqual({ command: 'Ping', status: PingStatus.ProtocolError });
  });

  it('writes changed folders, and the limits with Status 5 and 6', () => {
    expect(xml(buildPingResponse({ status: PingStatus.ChangesFound, folders: ['5', '8'] }, '14.1'))).toBe(
      '<Ping:Ping><Status>2</Status><Folders><Folder>5</Folder><Folder>8</Folder></Folders></Ping:Ping>',
    );
    expect(xml(buildPingResponse({ status: PingStatus.HeartbeatOutOfBounds, heartbeatInterval: 3540 }, '14.1'))).toBe(
      '<Ping:Ping><Status>5</Status><HeartbeatInterval>3540</HeartbeatInterval></Ping:Ping>',
    );
    expect(xml(buildPingResponse({ status: PingStatus.TooManyFolders, maxFolders: 300 }, '14.1'))).toBe(
      '<Ping:Ping><Status>6</Status><MaxFolders>300</MaxFolders></Ping:Ping>',
    );
    expect(xml(buildPingResponse({ status: PingStatus.NoChanges }, '12.1'))).toBe('<Ping:Ping><Status>1</Status></Ping:Ping>');
  });
});

describe('Provision (MS-ASPROV 3.1.5.1)', () => {
  it('reads an initial 14.1 request with device information', () => {
    const root = pr('Provision', [
      st('DeviceInformation', [st('Set', [st('Model', 'iPhone15,2'), st('OS', 'iOS 17.1'), st('FriendlyName', 'Phone'), st('EnableOutboundSMS', '0')])]),
      pr('Policies', [pr('Policy', [pr('PolicyType', PolicyType.Wbxml)])]),
    ]);
    expect(parseProvisionRequest(root, '14.1')).toEqual({
      deviceInformation: { model: 'iPhone15,2', os: 'iOS 17.1', friendlyName: 'Phone', enableOutboundSMS: false },
      policy: { policyType: 'MS-EAS-Provisioning-WBXML' },
    });
  });

  it('reads an acknowledgement with PolicyKey and Status', () => {
    const root = pr('Provision', [pr('Policies', [pr('Policy', [pr('PolicyType', PolicyType.Wbxml), pr('PolicyKey', '1307199584'), pr('Status', '1')])])]);
    expect(parseProvisionRequest(root, '12.1')).toEqual({ policy: { policyType: 'MS-EAS-Provisioning-WBXML', policyKey: 1307199584, status: 1 } });
  });

  it('reads remote wipe and account-only wipe acknowledgements', () => {
    expect(parseProvisionRequest(pr('Provision', [pr('RemoteWipe', [pr('Status', '1')])]), '14.1')).toEqual({ remoteWipeStatus: 1 });
    expect(parseProvisionRequest(pr('Provision', [pr('AccountOnlyRemoteWipe', [pr('Status', '2')])]), '16.1')).toEqual({ accountOnlyRemoteWipeStatus: 2 });
  });

  it.each<[string, WbxmlElement]>([
    ['Policies without Policy', pr('Provision', [{ ns: 'Provision', name: 'Policies', children: [] }])],
    ['a Policy without PolicyType', pr('Provision', [pr('Policies', [pr('Policy', [pr('PolicyKey', '1')])])])],
    ['a PolicyKey that is not a uint32', pr('Provision', [pr('Policies', [pr('Policy', [pr('PolicyType', 'x'), pr('PolicyKey', '99999999999')])])])],
    ['a RemoteWipe without Status', pr('Provision', [pr('RemoteWipe')])],
    ['DeviceInformation without Set', pr('Provision', [st('DeviceInformation', [st('Model', 'x')])])],
  ])('refuses %s with Status 2', (_w, root) => {
    expect(commandFailure(() => parseProvisionRequest(root, '14.1'))).toEqual({ command: 'Provision', status: ProvisionStatus.ProtocolError });
  });

  it('writes DeviceInformation status, Status, then the policy with its document (14.1)', () => {
    const tree = buildProvisionResponse(
      {
        status: 1,
        deviceInformationStatus: 1,
        policy: {
          policyType: PolicyType.Wbxml,
          status: 1,
          policyKey: 1307199584,
          doc: { DevicePasswordEnabled: true, MinDevicePasswordLength: 4, MaxAttachmentSize: null, AllowBluetooth: 2, ApprovedApplicationList: ['abc'] },
        },
      },
      '14.1',
    );
    expect(xml(tree)).toBe(
      '<Provision:Provision><Settings:DeviceInformation><Status>1</Status></Settings:DeviceInformation><Status>1</Status>' +
        '<Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType><Status>1</Status><PolicyKey>1307199584</PolicyKey>' +
        '<Data><EASProvisionDoc><DevicePasswordEnabled>1</DevicePasswordEnabled><MinDevicePasswordLength>4</MinDevicePasswordLength>' +
        '<MaxAttachmentSize/><AllowBluetooth>2</AllowBluetooth><ApprovedApplicationList><Hash>abc</Hash></ApprovedApplicationList>' +
        '</EASProvisionDoc></Data></Policy></Policies></Provision:Provision>',
    );
  });

  it('leaves DeviceInformation out before 14.1 and writes the 2.5 WAP document as text', () => {
    const tree = buildProvisionResponse(
      { status: 1, deviceInformationStatus: 1, policy: { policyType: PolicyType.Wap, status: 1, policyKey: 5, wapProvisioningXml: '<wap-provisioningdoc/>' } },
      '2.5',
    );
    expect(xml(tree)).toBe(
      '<Provision:Provision><Status>1</Status><Policies><Policy><PolicyType>MS-WAP-Provisioning-XML</PolicyType><Status>1</Status>' +
        '<PolicyKey>5</PolicyKey><Data><wap-provisioningdoc/></Data></Policy></Policies></Provision:Provision>',
    );
  });

  it('writes RemoteWipe at any version and AccountOnlyRemoteWipe at 16.1 only', () => {
    expect(xml(buildProvisionResponse({ status: 1, remoteWipe: true }, '12.1'))).toBe('<Provision:Provision><Status>1</Status><RemoteWipe/></Provision:Provision>');
    expect(xml(buildProvisionResponse({ status: 1, accountOnlyRemoteWipe: true }, '16.1'))).toBe(
      '<Provision:Provision><Status>1</Status><AccountOnlyRemoteWipe/></Provision:Provision>',
    );
    expect(xml(buildProvisionResponse({ status: 1, accountOnlyRemoteWipe: true }, '16.0'))).toBe('<Provision:Provision><Status>1</Status></Provision:Provision>');
  });

  it('writes only the settings the version has: 12.0 names storage encryption DeviceEncryptionEnabled and lacks AllowWiFi', () => {
    const doc = { RequireStorageCardEncryption: true, AllowWiFi: false, MinDevicePasswordLength: 6 };
    const data = (v: '12.0' | '12.1') => xml(buildProvisionResponse({ status: 1, policy: { policyType: PolicyType.Wbxml, status: 1, doc } }, v).children![1]!.children![0]!.children![2]!);
    expect(data('12.0')).toBe(
      '<Provision:Data><EASProvisionDoc><DeviceEncryptionEnabled>1</DeviceEncryptionEnabled><MinDevicePasswordLength>6</MinDevicePasswordLength></EASProvisionDoc></Provision:Data>',
    );
    expect(data('12.1')).toBe(
      '<Provision:Data><EASProvisionDoc><RequireStorageCardEncryption>1</RequireStorageCardEncryption><MinDevicePasswordLength>6</MinDevicePasswordLength><AllowWifi>0</AllowWifi></EASProvisionDoc></Provision:Data>',
    );
  });

  it('orders the whole document as MS-ASPROV lists it, whatever the object key order', () => {
    const doc = Object.fromEntries([...PROVISION_DOC_ORDER].reverse().map((k) => [k, k.endsWith('List') ? [] : 1]));
    const tree = buildProvisionResponse({ status: 1, policy: { policyType: PolicyType.Wbxml, status: 1, doc } }, '14.1');
    const names = tree.children![1]!.children![0]!.children![2]!.children![0]!.children!.map((c) => c.name);
    expect(names).toEqual(PROVISION_DOC_ORDER.map((k) => (k === 'AllowWiFi' ? 'AllowWifi' : k)));
  });
});
