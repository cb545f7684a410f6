import { describe, expect, it } from 'vitest';
import { CODE_PAGES, codePageByNs, tagByName, tagByToken, tagInVersion } from '../../protocol/codepages/index.ts';
import { PROTOCOL_VERSIONS } from '../../protocol/version.ts';

describe('code pages (MS-ASWBXML 2.1.2.1)', () => {
  it('has pages 0..25 with the MS-ASWBXML names, one section each', () => {
    expect(CODE_PAGES.map((p) => p.ns)).toEqual([
      'AirSync', 'Contacts', 'Email', 'AirNotify', 'Calendar', 'Move', 'GetItemEstimate', 'FolderHierarchy',
      'MeetingResponse', 'Tasks', 'ResolveRecipients', 'ValidateCert', 'Contacts2', 'Ping', 'Provision', 'Search',
      'GAL', 'AirSyncBase', 'Settings', 'DocumentLibrary', 'ItemOperations', 'ComposeMail', 'Email2', 'Notes',
      'RightsManagement', 'Find',
    ]);
    CODE_PAGES.forEach((p, i) => {
      expect(p.page).toBe(i);
      expect(p.section).toBe(`MS-ASWBXML 2.1.2.1.${i + 1}`);
    });
  });

  it('looks tags up both ways', () => {
    expect(tagByToken(0, 0x05)).toMatchObject({ ns: 'AirSync', name: 'Sync', page: 0, token: 0x05 });
    expect(tagByName('AirSyncBase', 'NativeBodyType')).toMatchObject({ page: 17, token: 0x16 });
    expect(tagByName('GetItemEstimate', 'Estimate')).toMatchObject({ page: 6, token: 0x0c });
    expect(tagByToken(0, 0x2a)).toBeUndefined();
    expect(tagByToken(99, 0x05)).toBeUndefined();
    expect(tagByName('Email', 'Nope')).toBeUndefined();
    expect(codePageByNs('Find')?.page).toBe(25);
  });

  it('every (page, token) lookup agrees with the (ns, name) lookup', () => {
    for (const p of CODE_PAGES) {
      for (const [token] of p.tags) {
        const t = tagByToken(p.page, token)!;
        expect(tagByName(t.ns, t.name)).toBe(t);
      }
    }
  });

  it('records the versions each tag exists in', () => {
    expect(tagByName('AirSync', 'Wait')!.versions).toEqual(['12.1', '14.0', '14.1', '16.0', '16.1']);
    expect(tagByName('AirSync', 'Sync')!.versions).toEqual([...PROTOCOL_VERSIONS]);
    expect(tagByName('Email', 'Location')!.versions).toEqual(['2.5', '12.0', '12.1', '14.0', '14.1']);
    expect(tagByName('Calendar', 'Body')!.versions).toEqual(['2.5']);
    expect(tagByName('AirSyncBase', 'Body')!.versions[0]).toBe('12.0');
    expect(tagByName('Find', 'Find')!.versions).toEqual(['16.1']);
    expect(tagByName('Provision', 'AccountOnlyRemoteWipe')!.versions).toEqual(['16.1']);
    expect(tagByName('AirNotify', 'Notify')!.versions).toEqual([]);
    expect(tagInVersion(tagByName('Calendar', 'ClientUid')!, '14.1')).toBe(false);
    expect(tagInVersion(tagByName('Calendar', 'ClientUid')!, '16.0')).toBe(true);
  });

  it('decodes a renamed token as its later name', () => {
    expect(tagByToken(14, 0x10)!.name).toBe('RequireStorageCardEncryption');
    expect(tagByName('Provision', 'DeviceEncryptionEnabled')).toMatchObject({ token: 0x10, versions: ['12.0'] });
  });

  it('uses tokens 0x05..0x3F only and never lists a name twice on a page', () => {
    for (const p of CODE_PAGES) {
      const names = p.tags.map(([, n]) => n);
      expect(new Set(names).size).toBe(names.length);
      for (const [token] of p.tags) expect(token >= 0x05 && token <= 0x3f).toBe(true);
    }
  });
});
