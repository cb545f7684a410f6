/**
 * GAL Search over 10,000 people (issue 10), against a real Radicale (one
 * shared address book) and a real slapd holding the same people:
 *
 * - the in-memory index (backends/directory/match.ts EntryIndex) behind the
 *   CardDAV GAL, p50 / p95 of prefix searches, against the baseline of the
 *   raw in-memory filter (matchesQuery over every entry, then sort), run on
 *   the same entries and queries in the same process;
 * - a whole EAS Search command (client -> HTTP -> WBXML -> handler ->
 *   index -> WBXML) p50;
 * - the LDAP GAL (LdapDirectory) p50 against a raw ldapts search with the
 *   same filter on an already bound connection;
 * - the cost of the first load of the index (every card read) and of a
 *   refresh that finds nothing changed (one PROPFIND).
 *
 * Goal: index search p50 well under 20 ms (the issue); EAS Search p50 under
 * 20 ms too. Queries: 2- to 4-letter prefixes of first names, last names and
 * addresses, as a phone sends them while the user types.
 */
import { Client } from 'ldapts';
import { CardDavGal } from '../backends/directory/carddav-gal.ts';
import { LdapDirectory } from '../backends/directory/ldap.ts';
import { compareEntries, EntryIndex, matchesQuery } from '../backends/directory/match.ts';
import { cardToEntry } from '../backends/directory/card-index.ts';
import { searchFilter } from '../backends/directory/ldap-filter.ts';
import { galSearchRequest, readSearch } from '../src/client/directory-requests.ts';
import { basicAuth } from '../src/devstack/radicale.ts';
import { colleaguePerson, colleagueVcard, sharedDavRights, type Colleague } from '../src/devstack/seed-directory.ts';
import { startStack } from '../src/devstack/stack.ts';
import { startTestServer } from '../test/integration/server-setup.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const name = 'gal';

const PEOPLE = Number(process.env.BENCH_GAL_PEOPLE ?? 10_000);
const ROUNDS = 200;
const GOAL_P50_MS = 20;
const GAL = { name: 'gal@example.test', password: 'gal-bench-secret' };
const USER = { name: 'alice@example.test', password: 'alice-secret' };
const GAL_SESSION = { user: GAL.name, password: GAL.password };
const USER_SESSION = { user: USER.name, password: USER.password };

const FIRST = ['Anna', 'Ben', 'Chloé', 'David', 'Elif', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kenji', 'Lena', 'Mateo', 'Nora', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Xenia', 'Yusuf', 'Zoë'];
const LAST = ['Schmidt', 'Müller', 'Nguyen', 'García', 'Kowalski', 'Okafor', 'Rossi', 'Tanaka', 'Dubois', 'Novak', 'Larsen', 'Silva', 'Cohen', 'Ivanova', 'Murphy', 'Haddad', 'Jensen', 'Kaya', 'Lindqvist', 'Moreau'];

/** Person i: a first name, a last name with a numeric suffix for uniqueness, an address, a phone and a title. */
function person(i: number): Colleague {
  const f = FIRST[i % FIRST.length]!;
  const l = `${LAST[Math.floor(i / FIRST.length) % LAST.length]!}${i >= FIRST.length * LAST.length ? Math.floor(i / (FIRST.length * LAST.length)) : ''}`;
  const uid = `p${i}`;
  return { uid, firstName: f, lastName: l, email: `${uid}.${f.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()}@example.test`, workPhone: `+49 30 ${100000 + i}`, company: 'Bench Corp', title: i % 7 === 0 ? 'Engineer' : 'Analyst', office: `Floor ${i % 12}` };
}

/** Prefixes a user types: 2-4 letters of first and last names, and address beginnings. */
function queries(): string[] {
  const out: string[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const p = person((i * 7919) % PEOPLE);
    const len = 2 + (i % 3);
    out.push(i % 3 === 0 ? p.firstName.slice(0, len) : i % 3 === 1 ? p.lastName.slice(0, len) : p.email.slice(0, len + 2));
  }
  return out;
}

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const ms = (x: number): number => Number(x.toFixed(3));

async function timeAll(qs: readonly string[], fn: (q: string) => unknown): Promise<{ p50: number; p95: number }> {
  const t: number[] = [];
  for (const q of qs) {
    const t0 = performance.now();
    await fn(q);
    t.push(performance.now() - t0);
  }
  return { p50: ms(quantile(t, 0.5)), p95: ms(quantile(t, 0.95)) };
}

export async function run(): Promise<Record<string, unknown>> {
  const people = Array.from({ length: PEOPLE }, (_, i) => person(i));
  const stack = await startStack({ users: [USER, GAL], davRights: sharedDavRights({ service: GAL.name, galOwner: GAL.name, galBook: 'directory' }), ldap: { people: people.map(colleaguePerson) } });
  try {
    // One PUT of the whole book (Radicale splits it into one resource per card).
    const galUrl = `${stack.carddavUrl}gal@example.test/directory/`;
    const t0 = performance.now();
    const put = await fetch(galUrl, { method: 'PUT', headers: { authorization: basicAuth(GAL), 'content-type': 'text/vcard; charset=utf-8' }, body: people.map(colleagueVcard).join('') });
    await put.arrayBuffer();
    if (put.status !== 201 && put.status !== 204) throw new Error(`PUT of the GAL book: HTTP ${put.status}`);
    const seedMs = performance.now() - t0;

    const gal = new CardDavGal({ url: galUrl, service: GAL_SESSION, refreshMs: 60_000 });
    const t1 = performance.now();
    await gal.refresh(GAL_SESSION);
    const firstLoadMs = performance.now() - t1;
    const t2 = performance.now();
    const again = await gal.refresh(GAL_SESSION);
    const noChangeRefreshMs = performance.now() - t2;
    if (again.kind !== 'unchanged') throw new Error(`second refresh was ${again.kind}`);

    const qs = queries();
    const session = USER_SESSION;
    const first = await gal.search(session, qs[0]!, { limit: 100 });
    if (first.total === 0) throw new Error(`no match for ${qs[0]}`);

    // The same entries, for the baseline and a direct index measurement without the DAV wrapper.
    const entries = people.map((p) => cardToEntry(`/x/${p.uid}.vcf`, colleagueVcard(p))!);
    const tIndex = performance.now();
    const index = new EntryIndex(entries);
    const indexBuildMs = performance.now() - tIndex;
    const naive = (q: string) => entries.filter((e) => matchesQuery(e, q)).sort(compareEntries).slice(0, 100);
    for (const q of qs.slice(0, 20)) {
      const a = index.search(q, { limit: 100 }).entries.map((e) => e.id);
      const b = naive(q).map((e) => e.id);
      if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`index and baseline disagree on ${q}`);
    }
    const galSearch = await timeAll(qs, (q) => gal.search(session, q, { limit: 100 }));
    const rawFilter = await timeAll(qs, naive);

    // Whole EAS Search commands through the server.
    const pwDir = mkdtempSync(join(tmpdir(), 'gal-bench-'));
    writeFileSync(join(pwDir, 'pw'), GAL.password);
    const server = await startTestServer(stack, { env: { EAS_GAL_CARDDAV_URL: galUrl, EAS_GAL_USER: GAL.name, EAS_GAL_PASSWORD_FILE: join(pwDir, 'pw'), EAS_POLICY_ENFORCE: false, EAS_LOG_LEVEL: 'silent' }, enable: [USER.name] });
    let easSearch: { p50: number; p95: number };
    try {
      const c = server.client({ user: USER.name });
      const warm = readSearch((await c.command('Search', galSearchRequest({ query: qs[0]! }))).body);
      if (warm.storeStatus !== 1 || !warm.hits.length) throw new Error('EAS Search found nothing');
      easSearch = await timeAll(qs, async (q) => {
        const r = await c.command('Search', galSearchRequest({ query: q, range: '0-49' }));
        if (r.status !== 200) throw new Error(`Search: HTTP ${r.status}`);
      });
    } finally {
      await server.stop();
      server.cleanup();
    }

    // LDAP: our directory against a raw ldapts search with the same filter, both on bound connections.
    const l = stack.ldap!;
    const ldap = new LdapDirectory({ url: l.url, base: l.peopleBase, bindDn: l.reader.dn, password: l.reader.password, sizeLimit: 1000 });
    const raw = new Client({ url: l.url });
    let ldapSearch: { p50: number; p95: number };
    let rawLdap: { p50: number; p95: number };
    try {
      await raw.bind(l.reader.dn, l.reader.password);
      await ldap.search(session, qs[0]!, { limit: 100 });
      const attributes = ['cn', 'displayName', 'givenName', 'sn', 'mail', 'telephoneNumber', 'mobile', 'homePhone', 'o', 'title', 'physicalDeliveryOfficeName', 'uid'];
      rawLdap = await timeAll(qs, (q) => raw.search(l.peopleBase, { scope: 'sub', filter: searchFilter(q)!, attributes, sizeLimit: 1000 }));
      ldapSearch = await timeAll(qs, (q) => ldap.search(session, q, { limit: 100 }));
    } finally {
      await raw.unbind();
      await ldap.close();
    }

    return {
      people: PEOPLE,
      queries: qs.length,
      seedPutMs: Math.round(seedMs),
      carddav: {
        firstLoadMs: Math.round(firstLoadMs),
        noChangeRefreshMs: ms(noChangeRefreshMs),
        indexBuildMs: ms(indexBuildMs),
        searchP50Ms: galSearch.p50,
        searchP95Ms: galSearch.p95,
        baselineRawFilterP50Ms: rawFilter.p50,
        baselineRawFilterP95Ms: rawFilter.p95,
        speedup: Number((rawFilter.p50 / Math.max(galSearch.p50, 0.001)).toFixed(1)),
      },
      easSearch: { p50Ms: easSearch.p50, p95Ms: easSearch.p95 },
      ldap: {
        searchP50Ms: ldapSearch.p50,
        searchP95Ms: ldapSearch.p95,
        baselineRawLdaptsP50Ms: rawLdap.p50,
        overheadP50Ms: ms(ldapSearch.p50 - rawLdap.p50),
      },
      goals: { searchP50MaxMs: GOAL_P50_MS, met: galSearch.p50 < GOAL_P50_MS && easSearch.p50 < GOAL_P50_MS },
    };
  } finally {
    await stack.stop();
  }
}
