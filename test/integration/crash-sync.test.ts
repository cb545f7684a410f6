/**
 * Crash safety of the initial Sync (issue 4, "How it is verified";
 * ARCHITECTURE rules 1 and 2; MS-ASCMD 2.2.1.21): the server process is
 * SIGKILLed at seeded random points while a windowed initial Sync is in
 * flight — at a random delay into the request, or the moment the new sync
 * key is committed to SQLite but before the response has reached the
 * device — and restarted on the same database. The client behaves as a
 * phone: a request that failed on the connection is resent unchanged, with
 * the same SyncKey. At the end it must hold exactly the folder's messages:
 * none missing, none twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncOptions } from '../../protocol/commands/sync.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { EasClient } from '../../src/client/index.ts';
import { freePorts } from '../../src/devstack/net.ts';
import { prng } from '../../src/devstack/seed-messages.ts';
import { seedMailbox } from '../../src/devstack/seed.ts';
import { useStack } from '../harness/use-stack.ts';
import { adminEnable, startServerProcess, type ServerProcess } from './crash-server.ts';
import { syncOne } from './sync-helpers.ts';

const stack = useStack();
const USER = 'alice@example.test';
const MESSAGES = 240;
const WINDOW = 25;
/** Whole MIME (headers first), so the client can read each message's Message-ID as a phone would store it. */
const MIME_OPTIONS: SyncOptions[] = [{ bodyPreferences: [{ type: 4, truncationSize: 2048 }], bodyPartPreferences: [], mimeSupport: 2 }];

let dir: string;
let db: string;
let port: number;
let server: ServerProcess | undefined;
let imapIds: string[];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const s = stack();
  await seedMailbox(s, USER, { count: MESSAGES, folders: ['INBOX'], dav: false, seed: 4 });
  // The truth is what IMAP holds, not what the seeder meant to append.
  const imap = await s.imapClient(USER);
  try {
    await imap.mailboxOpen('INBOX', { readOnly: true });
    imapIds = [];
    for await (const m of imap.fetch('1:*', { envelope: true })) imapIds.push(m.envelope?.messageId ?? `(none uid ${m.uid})`);
  } finally {
    await imap.logout();
  }
  dir = mkdtempSync(join(tmpdir(), 'eas-crash-'));
  db = join(dir, 'eas.db');
  [port] = await freePorts(1);
  server = await startServerProcess(s, db, port!);
  adminEnable(db, USER);
}, 120_000);

afterAll(async () => {
  await server?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The sync key the server has committed for the collection (read beside the running server; WAL allows it). */
function committedKey(reader: Database.Database, deviceId: string, collectionId: string): string | undefined {
  const row = reader
    .prepare('SELECT gen, sync_key FROM sync_collections WHERE device_id = ? AND collection_id = ?')
    .get(deviceId, collectionId) as { gen: string; sync_key: number } | undefined;
  return row ? `${row.gen}-${row.sync_key}` : undefined;
}

function messageIdOf(mime: string | undefined): string | undefined {
  const m = /^Message-ID:[ \t]*(?:\r?\n[ \t]+)?(<[^>\r\n]+>)/im.exec(mime ?? '');
  return m?.[1];
}

describe.each<ProtocolVersion>(['14.1', '16.1'])('initial sync in %s with the server killed at random points', (version) => {
  it('ends with exactly the folder messages, none missing and none twice', async () => {
    const s = stack();
    const rnd = prng(version === '14.1' ? 1401 : 1601);
    const deviceId = `crash${version.replace('.', '')}`;
    const user = s.user(USER);
    const c = new EasClient({ baseUrl: `http://127.0.0.1:${port}`, user: user.name, password: user.password, deviceId, deviceType: 'TestPhone', version, timeoutMs: 30_000 });
    const reader = new Database(db, { readonly: true, fileMustExist: true });
    const kills: Array<{ round: number; mode: string; delayMs?: number; failedRequests: number }> = [];
    let restarting: Promise<void> | undefined;

    const killAndRestart = async (): Promise<void> => {
      await server!.kill();
      server = await startServerProcess(s, db, port!);
    };

    /** A phone's retry: a request that died on the wire is sent again, unchanged. 503 while starting counts too. */
    const resend = async <T extends { httpStatus: number }>(fn: () => Promise<T>, dropFirstAnswer = false): Promise<{ result: T; failures: number }> => {
      let failures = 0;
      for (;;) {
        try {
          const result = await fn();
          if (result.httpStatus !== 503 && !(dropFirstAnswer && failures === 0)) return { result, failures };
        } catch {
          // ECONNRESET / socket hang up / ECONNREFUSED while the server is down.
        }
        failures++;
        if (failures > 300) throw new Error('the server did not come back');
        await sleep(100);
      }
    };

    try {
      await c.provision();
      const fs = await c.folderSync('0');
      const inbox = fs.adds.find((f) => f.type === 2)?.serverId;
      expect(inbox).toBeDefined();

      // serverId -> Message-ID: what the phone stores.
      const held = new Map<string, string>();
      const duplicateAdds: string[] = [];
      const unknownChanges: string[] = [];
      const rounds = Math.ceil(MESSAGES / WINDOW);
      // Four kills at seeded random rounds, SyncKey 0 included; every second one on commit, the others at a random moment.
      const killRounds = new Set<number>();
      while (killRounds.size < 4) killRounds.add(Math.floor(rnd() * (rounds + 1)));
      let lastMs = 300;
      let key = '0';
      for (let round = 0; ; round++) {
        if (round > rounds * 3) throw new Error('too many rounds');
        const sentKey = key;
        const request = (): ReturnType<typeof syncOne> =>
          syncOne(c, { collectionId: inbox!, syncKey: sentKey, options: MIME_OPTIONS, ...(sentKey !== '0' ? { windowSize: WINDOW } : {}) });
        let mode: string | undefined;
        let delayMs: number | undefined;
        if (killRounds.has(round)) {
          // Either right after the new key is committed (the response is being written), or at a random moment into the request.
          mode = sentKey !== '0' && kills.length % 2 === 1 ? 'after-commit' : 'random-delay';
          delayMs = Math.floor(rnd() * lastMs);
          const before = committedKey(reader, deviceId, inbox!);
          restarting = (async () => {
            if (mode === 'after-commit') {
              // Poll in busy bursts (yielding between them so the request can leave): the kill lands within
              // microseconds of the commit, typically while the server is still encoding that response.
              const moved = (): boolean => committedKey(reader, deviceId, inbox!) !== before;
              const until = Date.now() + 20_000;
              while (!moved() && Date.now() < until) {
                const burst = Date.now() + 3;
                while (!moved() && Date.now() < burst) {
                  // spin
                }
                if (!moved()) await new Promise((r) => setImmediate(r));
              }
              server!.child.kill('SIGKILL');
            } else {
              await sleep(delayMs!);
            }
            await killAndRestart();
          })();
        }
        const t0 = Date.now();
        // After a kill on commit, an answer that still got out in time is dropped too, as a phone whose connection
        // broke mid-response would: the server then holds a committed key that the device never saw.
        const { result: r, failures } = await resend(request, mode === 'after-commit');
        if (restarting) {
          await restarting;
          restarting = undefined;
        }
        if (mode) kills.push({ round, mode, ...(mode === 'random-delay' ? { delayMs } : {}), failedRequests: failures });
        else lastMs = Math.max(50, Date.now() - t0);

        expect(r.httpStatus, `round ${round}`).toBe(200);
        expect(r.status, `round ${round}: Sync status (3 = the server lost the key the device holds)`).toBe(1);
        for (const ch of r.changes) {
          if (ch.kind === 'Add') {
            if (held.has(ch.serverId)) duplicateAdds.push(ch.serverId);
            const id = messageIdOf(ch.email?.body?.data);
            expect(id, `Message-ID in the MIME of ${ch.serverId}`).toBeDefined();
            held.set(ch.serverId, id!);
          } else if (ch.kind === 'Delete' || ch.kind === 'SoftDelete') {
            if (!held.delete(ch.serverId)) unknownChanges.push(`${ch.kind} ${ch.serverId}`);
          } else if (!held.has(ch.serverId)) {
            unknownChanges.push(`${ch.kind} ${ch.serverId}`);
          }
        }
        key = r.syncKey!;
        if (sentKey !== '0' && !r.moreAvailable) break;
      }

      // The kills must have hit requests in flight, or this test proved nothing; and at least one must have
      // lost a response whose new key was already committed, so that the retry (with the key the server had
      // just replaced, answered Status 1 above) took the previous-key path.
      expect(kills.length).toBeGreaterThanOrEqual(4);
      expect(kills.filter((k) => k.failedRequests > 0).length, JSON.stringify(kills)).toBeGreaterThanOrEqual(2);
      expect(kills.some((k) => k.mode === 'after-commit' && k.failedRequests > 0), JSON.stringify(kills)).toBe(true);
      expect(duplicateAdds).toEqual([]);
      expect(unknownChanges).toEqual([]);
      const got = [...held.values()].sort();
      expect(new Set(got).size).toBe(got.length);
      expect(got).toEqual([...imapIds].sort());

      // And the key the phone ends with is one the server still knows: nothing more to send.
      const { result: again } = await resend(() => syncOne(c, { collectionId: inbox!, syncKey: key, windowSize: WINDOW, options: MIME_OPTIONS }));
      expect(again.status).toBe(1);
      expect(again.changes).toEqual([]);
    } finally {
      if (restarting) await restarting.catch(() => undefined);
      reader.close();
    }
  }, 150_000);
});
