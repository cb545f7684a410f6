/**
 * The directory world of gal-search.test.ts and resolve-recipients.test.ts:
 * a stack whose Radicale shares the GAL book `gal@example.test/directory`
 * (sharedDavRights) and whose slapd holds the same people, seeded with the
 * colleagues of src/devstack/seed-directory.ts, 120 "Pat Pager" entries for
 * Range paging, bob (a real user with a calendar) and a private address
 * book of alice's that nobody else may ever see.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigInput } from '../../src/config.ts';
import type { StackOptions } from '../../src/devstack/stack.ts';
import { colleaguePerson, colleagues, colleagueVcard, putCards, sharedDavRights, type Colleague } from '../../src/devstack/seed-directory.ts';
import type { Stack } from '../harness/use-stack.ts';
import { startTestServer, type TestServer } from './server-setup.ts';

export const ALICE = 'alice@example.test';
export const BOB = 'bob@example.test';
export const CAROL = 'carol@example.test';
export const GAL_USER = { name: 'gal@example.test', password: 'gal-service-secret' };
export const GAL_BOOK = 'directory';
/** How many paging entries ("Pat Pager 001" …) the directory holds. */
export const PAGERS = 120;

/** Bob is a colleague and a user of this server (his calendar feeds free/busy). */
const bobColleague: Colleague = { uid: 'bob', firstName: 'Bob', lastName: 'Builder', email: BOB, company: 'Example GmbH', title: 'Builder' };

function pager(i: number): Colleague {
  const n = String(i).padStart(3, '0');
  return { uid: `pat.pager${n}`, firstName: 'Pat', lastName: `Pager${n}`, email: `pat.pager${n}@example.test`, company: 'Paging Corp' };
}

/** Everyone in the GAL, in both forms. */
export function directoryPeople(): Colleague[] {
  return [...colleagues(), bobColleague, ...Array.from({ length: PAGERS }, (_, i) => pager(i + 1))];
}

/** useStack options for the directory tests: the sharing rights and a seeded slapd. */
export function directoryStackOptions(): StackOptions {
  return {
    users: [
      { name: ALICE, password: 'alice-secret' },
      { name: BOB, password: 'bob-secret' },
      { name: CAROL, password: 'carol-secret' },
      GAL_USER,
    ],
    davRights: sharedDavRights({ service: GAL_USER.name, galOwner: GAL_USER.name, galBook: GAL_BOOK }),
    ldap: { people: directoryPeople().map(colleaguePerson) },
  };
}

/** A secret only alice's own address book holds. */
export const ALICE_PRIVATE = { name: 'Secret Agent', email: 'secret.agent@example.test' };

export interface DirectoryWorld {
  readonly galUrl: string;
  readonly aliceBookUrl: string;
  readonly galPasswordFile: string;
  readonly ldapPasswordFile: string;
}

/** Fills the GAL book and alice's private book; writes the service password file. */
export async function seedDirectory(s: Stack): Promise<DirectoryWorld> {
  const galUrl = await s.ensureAddressBook(GAL_USER, GAL_BOOK, 'Global Address List');
  await putCards(galUrl, GAL_USER, directoryPeople().map((c) => ({ name: `${c.uid}.vcf`, vcard: colleagueVcard(c) })));
  const aliceBookUrl = await s.ensureAddressBook(ALICE, 'contacts', 'Contacts');
  await putCards(aliceBookUrl, s.user(ALICE), [
    { name: 'secret.vcf', vcard: ['BEGIN:VCARD', 'VERSION:3.0', 'UID:secret@alice', `FN:${ALICE_PRIVATE.name}`, 'N:Agent;Secret;;;', `EMAIL:${ALICE_PRIVATE.email}`, 'END:VCARD', ''].join('\r\n') },
    // The same address as a GAL entry: ResolveRecipients gives it once, from the GAL.
    { name: 'maria.vcf', vcard: ['BEGIN:VCARD', 'VERSION:3.0', 'UID:maria@alice', 'FN:Maria (my contact)', 'N:Schmidt;Maria;;;', 'EMAIL:maria.schmidt@example.test', 'END:VCARD', ''].join('\r\n') },
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'eas-dir-'));
  const galPasswordFile = join(dir, 'gal-password');
  writeFileSync(galPasswordFile, `${GAL_USER.password}\n`, { mode: 0o600 });
  return { galUrl, aliceBookUrl, galPasswordFile, ldapPasswordFile: s.ldap!.reader.passwordFile };
}

/** The EAS_* settings of each way to run the GAL. */
export function galEnv(s: Stack, w: DirectoryWorld, kind: 'carddav-service' | 'carddav-user' | 'ldap'): ConfigInput {
  // Every request sees the directory as it is now: the tests change it and look at once.
  const base: ConfigInput = { EAS_GAL_REFRESH_SECONDS: 0, EAS_POLICY_ENFORCE: false };
  if (kind === 'carddav-service') return { ...base, EAS_GAL_CARDDAV_URL: w.galUrl, EAS_GAL_USER: GAL_USER.name, EAS_GAL_PASSWORD_FILE: w.galPasswordFile };
  if (kind === 'carddav-user') return { ...base, EAS_GAL_CARDDAV_URL: w.galUrl };
  const ldap = s.ldap!;
  return {
    ...base,
    EAS_GAL_LDAP_URL: ldap.url,
    EAS_GAL_LDAP_BASE: ldap.peopleBase,
    EAS_GAL_LDAP_BIND_DN: ldap.reader.dn,
    EAS_GAL_LDAP_PASSWORD_FILE: w.ldapPasswordFile,
    // The free/busy service login (Radicale), independent of where the GAL lives.
    EAS_GAL_USER: GAL_USER.name,
    EAS_GAL_PASSWORD_FILE: w.galPasswordFile,
  };
}

/** A server with `env`, every stack user enabled except the GAL service account. */
export function startDirectoryServer(s: Stack, env: ConfigInput): Promise<TestServer> {
  return startTestServer(s, { env, enable: [ALICE, BOB, CAROL] });
}
