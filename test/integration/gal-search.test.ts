/**
 * Search, Store GAL (MS-ASCMD 2.2.1.16) against a real Radicale (a shared
 * address book, read with a service login and with each user's own) and a
 * real slapd, through the whole server: prefix matching on name words and
 * addresses, Range paging with Total and Exchange's cap of 100, 14.1
 * pictures with MaxSize / MaxPictures, short, empty, huge and hostile
 * queries, unsupported stores, a directory change seen at once, and that
 * no search ever returns another user's private address book.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'ldapts';
import { galSearchRequest, readSearch, storeSearchRequest, type SearchAnswer } from '../../src/client/directory-requests.ts';
import type { EasClient } from '../../src/client/index.ts';
import { colleagueVcard, colleagues, putCards } from '../../src/devstack/seed-directory.ts';
import { searchFilter } from '../../backends/directory/ldap-filter.ts';
import { useStack } from '../harness/use-stack.ts';
import { davSide } from './dav-helpers.ts';
import { ALICE, ALICE_PRIVATE, BOB, CAROL, GAL_USER, PAGERS, directoryStackOptions, galEnv, seedDirectory, startDirectoryServer, type DirectoryWorld } from './directory-setup.ts';
import type { TestServer } from './server-setup.ts';

const stack = useStack(directoryStackOptions());
let world: DirectoryWorld;
const servers: Record<'carddav-service' | 'carddav-user' | 'ldap' | 'none', TestServer | undefined> = { 'carddav-service': undefined, 'carddav-user': undefined, ldap: undefined, none: undefined };

beforeAll(async () => {
  world = await seedDirectory(stack());
  for (const kind of ['carddav-service', 'carddav-user', 'ldap'] as const) servers[kind] = await startDirectoryServer(stack(), galEnv(stack(), world, kind));
  servers.none = await startDirectoryServer(stack(), { EAS_POLICY_ENFORCE: false });
}, 120_000);

afterAll(async () => {
  for (const s of Object.values(servers)) {
    await s?.stop();
    s?.cleanup();
  }
});

const maria = colleagues().find((c) => c.uid === 'maria.schmidt')!;
const juergen = colleagues().find((c) => c.uid === 'juergen.mueller')!;

async function search(c: EasClient, query: string, opts: { range?: string; picture?: { maxSize?: number; maxPictures?: number } } = {}): Promise<SearchAnswer> {
  const res = await c.command('Search', galSearchRequest({ query, ...opts }));
  expect(res.status).toBe(200);
  const a = readSearch(res.body);
  expect(a.status).toBe(1);
  return a;
}

const names = (a: SearchAnswer): string[] => a.hits.map((h) => h.props['DisplayName']!);

describe.each(['carddav-service', 'carddav-user', 'ldap'] as const)('GAL Search, %s', (kind) => {
  const client = (user = ALICE): EasClient => servers[kind]!.client({ user });

  it('OPTIONS advertises Search and ResolveRecipients', async () => {
    const commands = String((await client().options()).headers['ms-asprotocolcommands']).split(',');
    expect(commands).toEqual(expect.arrayContaining(['Search', 'ResolveRecipients']));
  });

  it('a prefix of a first name finds the colleague with every GAL property', async () => {
    const a = await search(client(), 'mar');
    expect(a.storeStatus).toBe(1);
    expect(names(a)).toEqual(['Maria Schmidt']);
    expect(a.hits[0]!.props).toMatchObject({
      DisplayName: 'Maria Schmidt',
      FirstName: 'Maria',
      LastName: 'Schmidt',
      EmailAddress: maria.email,
      Phone: maria.workPhone,
      MobilePhone: maria.mobilePhone,
      Company: maria.company,
      Title: maria.title,
      Office: maria.office,
    });
    expect(a.hits[0]!.picture).toBeUndefined();
    expect(a.range).toBe('0-0');
    expect(a.total).toBe(1);
  });

  it('a last name finds everyone of that name, in display-name order', async () => {
    const a = await search(client(), 'schmidt');
    expect(names(a)).toEqual(['Maria Schmidt', 'Max Schmidt', 'Sara Schmidt']);
    expect(a.total).toBe(3);
  });

  it('two words must both start words of the entry; an address prefix works too', async () => {
    expect(names(await search(client(), 'sch ma'))).toEqual(['Maria Schmidt', 'Max Schmidt']);
    expect(names(await search(client(), 'maria.schmidt@exa'))).toEqual(['Maria Schmidt']);
    expect(names(await search(client(), 'MAX'))).toEqual(['Max Schmidt']);
  });

  it('a non-ASCII prefix finds Jürgen Müller', async () => {
    expect(names(await search(client(), 'Mü'))).toEqual([`${juergen.firstName} ${juergen.lastName}`]);
  });

  it('the default Range is 0-99: 100 results of more, Total counts them all', async () => {
    const a = await search(client(), 'pat');
    expect(a.hits).toHaveLength(100);
    expect(a.range).toBe('0-99');
    expect(a.total).toBe(PAGERS);
    expect(a.hits[0]!.props['DisplayName']).toBe('Pat Pager001');
  });

  it('Range pages through the results, and never returns more than 100', async () => {
    const p2 = await search(client(), 'pat', { range: '10-19' });
    expect(names(p2)).toEqual(Array.from({ length: 10 }, (_, i) => `Pat Pager${String(11 + i).padStart(3, '0')}`));
    expect(p2.range).toBe('10-19');
    expect(p2.total).toBe(PAGERS);
    const last = await search(client(), 'pat', { range: '100-199' });
    expect(last.hits).toHaveLength(PAGERS - 100);
    expect(last.range).toBe(`100-${PAGERS - 1}`);
    const wide = await search(client(), 'pat', { range: '0-499' });
    expect(wide.hits).toHaveLength(100);
    expect(wide.range).toBe('0-99');
  });

  it('no match: Store Status 1, no Result, Total 0', async () => {
    const a = await search(client(), 'zzyzx');
    expect(a.storeStatus).toBe(1);
    expect(a.hits).toEqual([]);
    expect(a.total).toBe(0);
    expect(a.range).toBeUndefined();
  });

  it('a one-character query finds nothing (shorter than EAS_GAL_MIN_QUERY_LENGTH, as Exchange)', async () => {
    const a = await search(client(), 'm');
    expect(a.storeStatus).toBe(1);
    expect(a.hits).toEqual([]);
    expect(a.total).toBe(0);
  });

  it('a 10,000-character query gets Store Status 2, and the server still answers', async () => {
    const a = await search(client(), 'x'.repeat(10_000));
    expect(a.storeStatus).toBe(2);
    expect(a.hits).toEqual([]);
    expect(names(await search(client(), 'mar'))).toEqual(['Maria Schmidt']);
  });

  it.each(['**', '*)(uid=*', 'a*)(|(objectClass=*', ')(cn=*))(|(cn=*', 'ma\\2a', 'mar\u0001ia', '*)(mail=*@*'])('the hostile query %j returns nothing extra', async (q) => {
    const a = await search(client(), q);
    expect(a.hits).toEqual([]);
  });

  it('pictures (14.1): data for a photo, 173 without, 175 past MaxPictures, 174 over MaxSize', async () => {
    const a = await search(client(), 'schmidt', { picture: { maxPictures: 1 } });
    expect(a.hits.map((h) => h.picture?.status)).toEqual([1, 173, 175]);
    expect(a.hits[0]!.picture!.data).toEqual(Buffer.from(maria.photo!));
    const all = await search(client(), 'schmidt', { picture: {} });
    expect(all.hits.map((h) => h.picture?.status)).toEqual([1, 173, 1]);
    const small = await search(client(), 'mü', { picture: { maxSize: 100 } });
    expect(juergen.photo!.length).toBeGreaterThan(100);
    expect(small.hits[0]!.picture).toEqual({ status: 174 });
    const big = await search(client(), 'mü', { picture: { maxSize: 100_000 } });
    expect(big.hits[0]!.picture!.data).toEqual(Buffer.from(juergen.photo!));
  });

  it('a 14.0 device gets no Picture even when it asks', async () => {
    const c = servers[kind]!.client({ user: ALICE, version: '14.0' });
    const res = await c.command('Search', galSearchRequest({ query: 'maria' }));
    expect(readSearch(res.body).hits[0]!.picture).toBeUndefined();
  });

  it("never returns a card of another user's private address book", async () => {
    for (const user of [ALICE, BOB, CAROL]) {
      expect((await search(client(user), 'secret')).hits).toEqual([]);
      expect((await search(client(user), ALICE_PRIVATE.email)).hits).toEqual([]);
    }
  });

  it('Document Library gets Store Status 3, an unknown store 2, a Mailbox store given text instead of conditions 2', async () => {
    for (const [store, status] of [['Document Library', 3], ['Bogus', 2], ['Mailbox', 2]] as const) {
      const res = await client().command('Search', storeSearchRequest(store, 'hello'));
      expect(res.status).toBe(200);
      const a = readSearch(res.body);
      expect(a.status).toBe(1);
      expect(a.storeStatus).toBe(status);
    }
  });
});

describe('GAL Search on CardDAV', () => {
  it('sees a card added to and removed from the shared book at once (sync-token delta)', async () => {
    const c = servers['carddav-service']!.client();
    const gal = davSide(stack, GAL_USER.name);
    expect((await search(c, 'zelda')).hits).toEqual([]);
    const [url] = await putCards(world.galUrl, GAL_USER, [{ name: 'zelda.vcf', vcard: colleagueVcard({ uid: 'zelda', firstName: 'Zelda', lastName: 'Zimmer', email: 'zelda@example.test' }) }]);
    expect(names(await search(c, 'zelda'))).toEqual(['Zelda Zimmer']);
    expect([200, 204]).toContain(await gal.del(url!));
    expect((await search(c, 'zelda')).hits).toEqual([]);
  });

  it('a user whose login may not read the book gets Store Status 5, not the entries others loaded', async () => {
    // A server whose "GAL" is alice's private book, read with each user's login.
    const s = await startDirectoryServer(stack(), { EAS_GAL_CARDDAV_URL: world.aliceBookUrl, EAS_GAL_REFRESH_SECONDS: 60, EAS_POLICY_ENFORCE: false });
    try {
      expect(names(await search(s.client({ user: ALICE }), 'secret'))).toEqual([ALICE_PRIVATE.name]);
      const bob = await search(s.client({ user: BOB }), 'secret');
      expect(bob.storeStatus).toBe(5);
      expect(bob.hits).toEqual([]);
    } finally {
      await s.stop();
      s.cleanup();
    }
  });
});

describe('GAL Search without a directory', () => {
  it('Search stays advertised (the Mailbox store needs only IMAP); a GAL search finds nobody: Status 1, Total 0', async () => {
    const c = servers.none!.client();
    const commands = String((await c.options()).headers['ms-asprotocolcommands']).split(',');
    expect(commands).toEqual(expect.arrayContaining(['Search', 'Find', 'ResolveRecipients']));
    const res = await c.command('Search', galSearchRequest({ query: 'maria' }));
    expect(res.status).toBe(200);
    const a = readSearch(res.body);
    expect(a.storeStatus).toBe(1);
    expect(a.hits).toEqual([]);
    expect(a.total).toBe(0);
  });
});

describe('LDAP filters against slapd', () => {
  const HOSTILE = ['**', '*)(uid=*', 'a*)(|(objectClass=*', ')(cn=*))(|(cn=*', '*)(mail=*@*'];

  async function raw(filter: string): Promise<number> {
    const l = stack().ldap!;
    const c = new Client({ url: l.url });
    try {
      await c.bind(l.reader.dn, l.reader.password);
      const r = await c.search(l.peopleBase, { scope: 'sub', filter, attributes: ['cn'], sizeLimit: 1000 });
      return r.searchEntries.length;
    } finally {
      await c.unbind();
    }
  }

  it.each(HOSTILE)('the escaped filter of %j matches nobody on the LDAP server itself', async (q) => {
    expect(await raw(searchFilter(q)!)).toBe(0);
  });

  it('the same strings pasted unescaped would match many (the test above can fail)', async () => {
    const naive = (q: string): string => `(&(objectClass=inetOrgPerson)(cn=${q}*))`;
    expect(await raw(naive('*)(uid='))).toBeGreaterThan(100);
    expect(await raw(naive('*)(mail=*@'))).toBeGreaterThan(100);
  });
});
