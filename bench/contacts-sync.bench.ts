/**
 * Initial sync of a CardDAV address book of 1,000 contacts (5% with a
 * ~30 KB JPEG photo, every one with names, two emails, three numbers, an
 * address, a company, a birthday and a note), end to end through the server
 * (EAS client -> HTTP -> WBXML -> sync engine -> DAV client -> Radicale),
 * and, in the same run against the same Radicale, tsdav's fetchVCards of the
 * same book as the baseline (the raw fetch any CardDAV-backed server must do
 * at least). Best of three rounds each.
 *
 * Goal (issue 10): initial sync at most 1.5x the raw fetch. A PHP peer on
 * this machine takes 5.1 s for the same 1,000 contacts.
 */
import jpeg from 'jpeg-js';
import { fetchVCards } from 'tsdav';
import { startStack } from '../src/devstack/stack.ts';
import { putAll } from './dav-put.ts';
import { startTestServer } from '../test/integration/server-setup.ts';
import { initialSync, setUpPhone } from '../src/client/sync-session.ts';

export const name = 'contacts-sync';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1000);
const PHOTO_EVERY = 20; // 5%
const ROUNDS = 3;
const GOAL_RATIO = 1.5;
const USER = 'alice@example.test';

/** A noisy JPEG of about `bytes` bytes (noise does not compress, so the side sets the size). */
function photo(bytes: number): Buffer {
  for (let side = 64; ; side += 8) {
    const data = new Uint8Array(side * side * 4);
    let s = side;
    for (let i = 0; i < data.length; i++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      data[i] = i % 4 === 3 ? 255 : (s >> 16) & 0xff;
    }
    const out = Buffer.from(jpeg.encode({ width: side, height: side, data }, 80).data);
    if (out.length >= bytes) return out;
  }
}

function vcard(i: number, pic: string): string {
  const lines = [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `UID:contact-${i}@bench`,
    `N:Family${i};Given${i};;;`,
    `FN:Given${i} Family${i}`,
    `ORG:Company ${i % 50};Department ${i % 7}`,
    `TITLE:Role ${i % 13}`,
    `EMAIL;TYPE=INTERNET,WORK:given${i}@example.test`,
    `EMAIL;TYPE=INTERNET,HOME:g${i}@home.example`,
    `TEL;TYPE=WORK,VOICE:+49 30 ${100000 + i}`,
    `TEL;TYPE=CELL:+49 170 ${200000 + i}`,
    `TEL;TYPE=HOME:+49 30 ${300000 + i}`,
    `ADR;TYPE=WORK:;;Street ${i};Berlin;;10${String(i % 1000).padStart(3, '0')};Germany`,
    `BDAY:19${String(50 + (i % 50))}-0${1 + (i % 9)}-1${i % 10}`,
    `NOTE:Met at conference ${i % 20}\\, follow up.`,
    ...(i % PHOTO_EVERY === 0 ? [`PHOTO;ENCODING=b;TYPE=JPEG:${pic}`] : []),
    'END:VCARD',
    '',
  ];
  return lines.join('\r\n');
}

const ITEM = { prefix: 'c-', ext: '.vcf', contentType: 'text/vcard; charset=utf-8' };

export async function run(): Promise<Record<string, unknown>> {
  const stack = await startStack();
  try {
    const pic = photo(30_000);
    const book = await stack.ensureAddressBook(USER, 'bench', 'Bench contacts');
    await putAll(stack, USER, book, Array.from({ length: CONTACTS }, (_, i) => vcard(i, pic.toString('base64'))), ITEM);
    const server = await startTestServer(stack, { env: { EAS_LOG_LEVEL: 'silent' } });
    try {
      const headers = { authorization: `Basic ${Buffer.from(`${USER}:${stack.user(USER).password}`).toString('base64')}` };
      let raw = Infinity;
      let eas = Infinity;
      let photos = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const t0 = performance.now();
        const cards = await fetchVCards({ addressBook: { url: book } as never, headers });
        raw = Math.min(raw, performance.now() - t0);
        if (cards.length !== CONTACTS) throw new Error(`baseline fetched ${cards.length} of ${CONTACTS}`);
        const c = server.client({ user: USER, version: '16.1', deviceId: `benchcontacts${round}` });
        const { byName } = await setUpPhone(c);
        const t1 = performance.now();
        const r = await initialSync(c, byName.get('Bench contacts')!, { windowSize: 100 });
        eas = Math.min(eas, performance.now() - t1);
        if (r.changes.length !== CONTACTS) throw new Error(`EAS synced ${r.changes.length} of ${CONTACTS}`);
        photos = r.changes.filter((x) => x.data?.children?.some((e) => e.name === 'Picture')).length;
      }
      const ratio = Number((eas / raw).toFixed(2));
      return {
        contacts: CONTACTS,
        withPhotos: photos,
        photoBytes: pic.length,
        easMs: Math.round(eas),
        rawFetchMs: Math.round(raw),
        ratio,
        itemsPerSec: Math.round(CONTACTS / (eas / 1000)),
        rawItemsPerSec: Math.round(CONTACTS / (raw / 1000)),
        goals: { ratioMax: GOAL_RATIO, met: ratio <= GOAL_RATIO },
      };
    } finally {
      await server.stop();
      server.cleanup();
    }
  } finally {
    await stack.stop();
  }
}
