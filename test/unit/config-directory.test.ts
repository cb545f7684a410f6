/** The directory settings (EAS_GAL_*) of src/config.ts: one GAL at a time, paired keys, checked files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError } from '../../src/config.ts';

const BASE = { EAS_IMAP_URL: 'imap://127.0.0.1:143', EAS_SMTP_URL: 'smtp://127.0.0.1:587' };
const pwFile = (() => {
  const f = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'pw');
  writeFileSync(f, 'secret\n');
  return f;
})();

function refused(input: Record<string, string | number>): string {
  try {
    buildConfig(BASE, input);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).key;
  }
  throw new Error('accepted');
}

describe('EAS_GAL_* settings', () => {
  it('no GAL by default; minimum query length 2', () => {
    const c = buildConfig(BASE);
    expect(c.directory).toBeUndefined();
    expect(c.galMinQueryLength).toBe(2);
    expect(c.directoryRefreshSeconds).toBe(60);
  });

  it('a CardDAV GAL with a service login', () => {
    const c = buildConfig(BASE, { EAS_GAL_CARDDAV_URL: 'https://dav.example.org/gal/directory/', EAS_GAL_USER: 'gal', EAS_GAL_PASSWORD_FILE: pwFile });
    expect(c.directory).toEqual({ kind: 'carddav', url: 'https://dav.example.org/gal/directory/', useService: true, refreshSeconds: 60 });
    expect(c.directoryService).toEqual({ user: 'gal', passwordFile: pwFile });
    expect(JSON.stringify(c)).not.toContain('secret');
  });

  it('an LDAP GAL', () => {
    const c = buildConfig(BASE, { EAS_GAL_LDAP_URL: 'ldaps://ldap.example.org', EAS_GAL_LDAP_BASE: 'ou=people,dc=example,dc=org', EAS_GAL_LDAP_BIND_DN: 'cn=reader', EAS_GAL_LDAP_PASSWORD_FILE: pwFile, EAS_GAL_LDAP_SIZE_LIMIT: 50 });
    expect(c.directory).toEqual({ kind: 'ldap', url: 'ldaps://ldap.example.org', base: 'ou=people,dc=example,dc=org', bind: { dn: 'cn=reader', passwordFile: pwFile }, sizeLimit: 50 });
  });

  it.each([
    [{ EAS_GAL_CARDDAV_URL: 'https://a/b/', EAS_GAL_LDAP_URL: 'ldap://l', EAS_GAL_LDAP_BASE: 'dc=x' }, 'EAS_GAL_LDAP_URL'],
    [{ EAS_GAL_CARDDAV_URL: 'https://a/b/', EAS_GAL_USER: 'gal' }, 'EAS_GAL_PASSWORD_FILE'],
    [{ EAS_GAL_CARDDAV_URL: 'https://a/b/', EAS_GAL_USER: 'gal', EAS_GAL_PASSWORD_FILE: '/nonexistent/pw' }, 'EAS_GAL_PASSWORD_FILE'],
    [{ EAS_GAL_CARDDAV_URL: 'ldap://a/b/' }, 'EAS_GAL_CARDDAV_URL'],
    [{ EAS_GAL_LDAP_URL: 'http://l' , EAS_GAL_LDAP_BASE: 'dc=x' }, 'EAS_GAL_LDAP_URL'],
    [{ EAS_GAL_LDAP_URL: 'ldap://l' }, 'EAS_GAL_LDAP_BASE'],
    [{ EAS_GAL_LDAP_BASE: 'dc=x' }, 'EAS_GAL_LDAP_BASE'],
    [{ EAS_GAL_LDAP_URL: 'ldap://l', EAS_GAL_LDAP_BASE: 'dc=x', EAS_GAL_LDAP_BIND_DN: 'cn=r' }, 'EAS_GAL_LDAP_PASSWORD_FILE'],
    [{ EAS_GAL_MIN_QUERY_LENGTH: 0 }, 'EAS_GAL_MIN_QUERY_LENGTH'],
  ])('refuses %j naming %s', (input, key) => {
    expect(refused(input)).toBe(key);
  });
});
