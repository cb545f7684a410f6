/**
 * The backend half of `npm run demo`: the dev stack with persistent data
 * under `.demo/` (git-ignored), one demo user with a stable generated
 * password, and a seeded mailbox, calendar, task list and address book.
 * Returns the server settings (EAS_* variables, see src/config.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { seedMailbox } from './seed.ts';
import { colleagueVcard, colleagues, putCards } from './seed-directory.ts';
import { startStack, type Stack, type StackOptions, type StackUser } from './stack.ts';

export interface DemoStackOptions {
  /** Persistent data dir (default `.demo` in the working directory). */
  readonly dataDir?: string;
  /** Login of the demo user (default `demo@example.test`). */
  readonly user?: string;
  /** Messages seeded on the first run (default 200). */
  readonly messages?: number;
  /** Fixed ports, e.g. to keep a phone's account working across restarts. */
  readonly ports?: StackOptions['ports'];
  /** Where progress lines go (default console.log); pass () => {} to silence. */
  readonly log?: (line: string) => void;
}

/** Settings for the EAS server, named as in src/config.ts. */
export interface DemoEnv {
  readonly EAS_IMAP_URL: string;
  readonly EAS_SMTP_URL: string;
  readonly EAS_CALDAV_URL: string;
  readonly EAS_CARDDAV_URL: string;
  /** The shared GAL book of the colleagues, read with the service login below. */
  readonly EAS_GAL_CARDDAV_URL: string;
  readonly EAS_GAL_USER: string;
  readonly EAS_GAL_PASSWORD_FILE: string;
  /** Out of Office as a Sieve vacation; absent when Pigeonhole is not installed. */
  readonly EAS_MANAGESIEVE_URL?: string;
}

export interface DemoStack {
  readonly stack: Stack;
  readonly user: StackUser;
  readonly env: DemoEnv;
  /** true when this run seeded the data (first run or after deleting the data dir). */
  readonly seeded: boolean;
  stop(): Promise<void>;
}

/** Starts (and on first run seeds) the demo backends. */
export async function startDemoStack(opts: DemoStackOptions = {}): Promise<DemoStack> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const dataDir = resolve(opts.dataDir ?? '.demo');
  mkdirSync(dataDir, { recursive: true });
  // The password is generated once and kept, so a phone set up yesterday still logs in.
  const credFile = join(dataDir, 'demo-user.json');
  let user: StackUser;
  if (existsSync(credFile)) {
    user = JSON.parse(readFileSync(credFile, 'utf8')) as StackUser;
  } else {
    user = { name: opts.user ?? 'demo@example.test', password: randomBytes(9).toString('base64url') };
    writeFileSync(credFile, `${JSON.stringify(user, null, 2)}\n`, { mode: 0o600 });
  }
  // The GAL's owner and service login: a DAV-only account with its own stable password.
  const galPasswordFile = join(dataDir, 'gal-password');
  if (!existsSync(galPasswordFile)) writeFileSync(galPasswordFile, `${randomBytes(12).toString('base64url')}\n`, { mode: 0o600 });
  const galUser: StackUser = { name: 'gal@example.test', password: readFileSync(galPasswordFile, 'utf8').trim() };
  const t0 = Date.now();
  const stack = await startStack({ users: [user, galUser], dataDir, ports: opts.ports });
  let galUrl = '';
  let seeded = false;
  const marker = join(dataDir, '.seeded');
  try {
    if (!existsSync(marker)) {
      const count = opts.messages ?? 200;
      log(`seeding ${count} messages, a calendar, a task list and an address book for ${user.name} ...`);
      await seedMailbox(stack, user, { count, folders: ['INBOX', 'Sent', 'Archive', 'Drafts', 'Projects', 'Projects/Alpha'] });
      writeFileSync(marker, new Date().toISOString() + '\n');
      seeded = true;
    }
    // Its own marker, so that a demo directory seeded before the GAL existed gets it too.
    galUrl = await stack.ensureAddressBook(galUser, 'directory', 'Global Address List');
    const galMarker = join(dataDir, '.seeded-gal');
    if (!existsSync(galMarker)) {
      const people = colleagues();
      log(`seeding the GAL (${people.length} colleagues, e.g. "mar" finds Maria Schmidt) ...`);
      await putCards(galUrl, galUser, people.map((c) => ({ name: `${c.uid}.vcf`, vcard: colleagueVcard(c) })));
      writeFileSync(galMarker, new Date().toISOString() + '\n');
    }
  } catch (e) {
    await stack.stop();
    throw e;
  }
  const env: DemoEnv = {
    EAS_IMAP_URL: stack.imap.url,
    EAS_SMTP_URL: stack.smtp.url,
    EAS_CALDAV_URL: stack.caldavUrl,
    EAS_CARDDAV_URL: stack.carddavUrl,
    EAS_GAL_CARDDAV_URL: galUrl,
    EAS_GAL_USER: galUser.name,
    EAS_GAL_PASSWORD_FILE: galPasswordFile,
    ...(stack.managesieve ? { EAS_MANAGESIEVE_URL: stack.managesieve.url } : {}),
  };
  log(`demo backends ready in ${Date.now() - t0} ms (data in ${dataDir})`);
  log(`  user:     ${user.name}`);
  log(`  password: ${user.password}`);
  for (const [k, v] of Object.entries(env)) log(`  ${k}=${v}`);
  log(`  logs:     ${stack.logs.dovecot}, ${stack.logs.radicale}`);
  return { stack, user, env, seeded, stop: () => stack.stop() };
}
