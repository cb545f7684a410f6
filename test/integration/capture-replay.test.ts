/**
 * eas-replay end to end on the real stack (Dovecot, Radicale, SMTP sink)
 * with a fresh server: a corpus capture replays with no failure; a changed
 * expected answer fails that step with its reason and exit code 1; a
 * session without provisioning gets provisioned when the server asks;
 * --update makes a wrong expectation right again; a HAR 1.2 export is
 * imported and replayed; bad input gives clear messages and exit code 2.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaptureFile } from '../../src/capture/format.ts';
import { replayMain } from '../../src/capture/replay/cli.ts';
import { captureProblems } from '../../src/capture/replay/load.ts';
import { useStack } from '../harness/use-stack.ts';
import { useTestServer } from '../harness/use-test-server.ts';
import { makeTestCertificate } from '../../src/devstack/tls.ts';
import { startTestServer } from './server-setup.ts';
import { CORPUS_DIR, CORPUS_USER, seedCorpusMailbox } from './capture-replay-setup.ts';

const stack = useStack();
const server = useTestServer(stack);
const dir = mkdtempSync(join(tmpdir(), 'eas-replay-'));
const ROOT = new URL('../../', import.meta.url).pathname;
const GMAIL = join(CORPUS_DIR, 'android-gmail-14.1.json');
const IOS = join(CORPUS_DIR, 'ios-16.1-iphone.json');

beforeAll(async () => {
  await seedCorpusMailbox(stack());
}, 60_000);

/** Runs eas-replay in-process; returns the exit code and what it printed. */
async function replay(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const target = argv[0] === 'import' ? [] : ['--url', server().url, '--user', CORPUS_USER, '--password', stack().user(CORPUS_USER).password];
  const code = await replayMain([...target, ...argv], { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`) });
  return { code, out, err };
}

const read = (path: string): CaptureFile => JSON.parse(readFileSync(path, 'utf8')) as CaptureFile;
function writeVariant(name: string, file: CaptureFile): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(file, null, 2));
  return path;
}
/** The table row of a step: "7     Sync  200   failed  ...". */
const row = (out: string, step: number): string => out.split('\n').find((l) => l.startsWith(`${step} `)) ?? '';

describe('eas-replay against a fresh server', () => {
  it('a corpus capture replays with no failed step, and --json has every exchange', async () => {
    const json = join(dir, 'report.json');
    const r = await replay('--json', json, GMAIL);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n').pop()).toBe('14 steps ok, 0 failed, 0 unbound');
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const steps = report.sessions[0].steps;
    expect(steps).toHaveLength(14);
    expect(steps[4].sent.xml).toContain('<SyncKey>0</SyncKey>');
    expect(steps[4].sent.received.xml).toContain('<Status>1</Status>');
    expect(steps[4].result).toBe('ok');
    // The replay is a new device of the same shape, never the recorded one.
    expect(report.sessions[0].deviceId).toMatch(/^androidc\d{9}$/);
    expect(report.sessions[0].deviceId).not.toBe('androidc195792594');
  });

  it('one expected answer changed: that step fails with its reason and the exit code is 1', async () => {
    const file = read(GMAIL);
    const x = file.exchanges[6]!;
    const body = x.response.body!;
    const changed = { ...file, exchanges: file.exchanges.map((e, i) => (i === 6 ? { ...x, response: { ...x.response, body: { xml: body.xml!.replace('<Status>1</Status>', '<Status>3</Status>') } } } : e)) };
    const r = await replay(writeVariant('changed.json', changed));
    expect(r.code).toBe(1);
    expect(row(r.out, 7)).toMatch(/^7\s+Sync\s+200\s+failed\s+Sync: Status at Sync\/Collections\/Collection\/Status was 1, expected 3$/);
    expect(r.out.trimEnd().split('\n').pop()).toBe('13 steps ok, 1 failed, 0 unbound');
  });

  it('--update rewrites a wrong expectation from the answers, leaving the requests as they were', async () => {
    const file = read(GMAIL);
    const wrong = (xml: string): string => xml.replace('<Status>1</Status>', '<Status>4</Status>').replace('<MoreAvailable/>', '');
    const broken = { ...file, exchanges: file.exchanges.map((e, i) => (i === 6 ? { ...e, response: { ...e.response, body: { xml: wrong(e.response.body!.xml!) } } } : e)) };
    const path = writeVariant('update.json', broken);
    expect((await replay(path)).code).toBe(1);
    expect((await replay('--update', path)).code).toBe(1);
    const updated = read(path);
    expect(updated.exchanges[6]!.response.body!.xml).toContain('<MoreAvailable/>');
    expect(updated.exchanges[6]!.response.body!.xml).not.toContain('<Status>4</Status>');
    expect(updated.exchanges.map((e) => e.request)).toEqual(file.exchanges.map((e) => e.request));
    expect(captureProblems(updated)).toEqual([]);
    const again = await replay(path);
    expect(again.code).toBe(0);
    expect(again.out.trimEnd().split('\n').pop()).toBe('14 steps ok, 0 failed, 0 unbound');
  });

  it('a session recorded without provisioning is provisioned when the server asks, then the step is sent again', async () => {
    const file = read(IOS);
    // Drop the two Provision steps: the FolderSync that follows now meets a server that wants a policy.
    const noProvision = { ...file, exchanges: file.exchanges.filter((e) => e.decodedQuery?.command !== 'Provision' && e.decodedQuery?.command !== 'Find') };
    const json = join(dir, 'provisioned.json');
    const r = await replay('--json', json, writeVariant('no-provision.json', noProvision));
    expect(r.code).toBe(0);
    expect(row(r.out, 2)).toMatch(/^2\s+FolderSync\s+200\s+ok\s+provisioned first$/);
    const step = JSON.parse(readFileSync(json, 'utf8')).sessions[0].steps[1];
    expect(step.provisioning).toHaveLength(2);
    expect(step.provisioning[0].received.xml).toContain('<PolicyKey>');
  });

  it('a HAR 1.2 export is imported (EAS entries only, no credentials) and replays', async () => {
    const out = join(dir, 'from-har.json');
    const imported = await replay('import', join(ROOT, 'test/fixtures/har/gmail-session.har'), '-o', out);
    expect(imported.code).toBe(0);
    expect(imported.err).toContain('imported 7 exchanges');
    expect(imported.err).toContain('skipped 2 not EAS');
    const text = readFileSync(out, 'utf8');
    expect(text).not.toMatch(/jdoe@contoso\.com|Secret123|Authorization/);
    const capture = JSON.parse(text) as CaptureFile;
    expect(captureProblems(capture)).toEqual([]);
    expect(capture.exchanges.map((e) => e.decodedQuery?.command ?? e.method)).toEqual(['OPTIONS', 'FolderSync', 'Provision', 'Provision', 'FolderSync', 'Sync', 'Sync']);
    const r = await replay(out);
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n').pop()).toBe('7 steps ok, 0 failed, 0 unbound');
  });
});

describe('eas-replay over HTTPS', () => {
  it('a self-signed certificate fails every step with a hint; --insecure replays', async () => {
    const cert = makeTestCertificate(mkdtempSync(join(tmpdir(), 'eas-replay-tls-')));
    const tls = await startTestServer(stack(), { env: { EAS_TLS_CERT: cert.certFile, EAS_TLS_KEY: cert.keyFile } });
    try {
      const https = ['--url', tls.url.replace('http:', 'https:'), '--user', CORPUS_USER, '--password', stack().user(CORPUS_USER).password];
      let out = '';
      const io = { out: (l: string) => (out += `${l}\n`), err: () => undefined };
      expect(await replayMain([...https, GMAIL], io)).toBe(1);
      expect(row(out, 1)).toMatch(/failed\s+request failed: .*certificate.* \(--insecure accepts it\)$/);
      expect(out.trimEnd().split('\n').pop()).toBe('0 steps ok, 14 failed, 0 unbound');
      out = '';
      expect(await replayMain([...https, '--insecure', GMAIL], io)).toBe(0);
      expect(out.trimEnd().split('\n').pop()).toBe('14 steps ok, 0 failed, 0 unbound');
    } finally {
      await tls.stop();
      tls.cleanup();
    }
  }, 60_000);
});

describe('eas-replay with bad input', () => {
  it('a truncated capture file: exit 2, the file and the reason named, nothing replayed', async () => {
    const text = readFileSync(GMAIL, 'utf8');
    const path = join(dir, 'truncated.json');
    writeFileSync(path, text.slice(0, Math.floor(text.length * 0.6)));
    const r = await replay(path, GMAIL);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${path}: not JSON`);
    expect(r.err).toContain('1 of 2 inputs unreadable; nothing replayed');
    expect(r.out).toBe('');
  });

  it('a missing file and bad arguments: exit 2 with the usage', async () => {
    expect((await replay(join(dir, 'nope.json'))).err).toMatch(/nope\.json: cannot read/);
    const noUrl = await replayMain(['x.json'], { out: () => {}, err: () => {} });
    expect(noUrl).toBe(2);
    const r = await replay('--bogus', GMAIL);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown option --bogus');
    const badTo = await replay('--mail-to', 'not-an-address', GMAIL);
    expect(badTo.code).toBe(2);
    expect(badTo.err).toContain('--mail-to needs an address');
    expect(badTo.out).toBe('');
  });

  it('a server that is down: every step fails naming the connection error, exit 1, no crash', async () => {
    let out = '';
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const code = await replayMain(['--url', 'http://127.0.0.1:1', '--user', CORPUS_USER, '--password', 'x', GMAIL], { out: (l) => (out += `${l}\n`), err: () => undefined });
    expect(code).toBe(1);
    expect(row(out, 1)).toMatch(/failed\s+request failed: .*ECONNREFUSED/);
    expect(out.trimEnd().split('\n').pop()).toBe('0 steps ok, 14 failed, 0 unbound');
  });

  it('a HAR with only non-EAS entries: exit 2 and why', async () => {
    const r = await replay('import', join(ROOT, 'test/fixtures/har/only-web.har'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('no EAS exchanges (2 entries, none to /Microsoft-Server-ActiveSync)');
    const notHar = join(dir, 'not.har');
    writeFileSync(notHar, '{"entries": []}');
    expect((await replay('import', notHar)).err).toContain('not a HAR 1.2 file');
  });

  it('an id the binder cannot explain is reported as unbound, sent as recorded, and does not fail the run', async () => {
    const file = read(GMAIL);
    const last = file.exchanges.length - 1;
    const odd = { ...file, exchanges: file.exchanges.map((e, i) => (i === last ? { ...e, request: { xml: e.request!.xml!.replace('<CollectionId>5</CollectionId>', '<CollectionId>4711</CollectionId>') } } : e)) };
    const r = await replay(writeVariant('odd.json', odd));
    expect(r.code).toBe(0);
    // Its SyncKey belongs to the unknown collection too, so both are named.
    expect(row(r.out, 14)).toMatch(/^14\s+Sync\s+200\s+unbound\s+unbound syncKey "g3" at Sync\/Collections\/Collection\/SyncKey; unbound folder "4711" at Sync\/Collections\/Collection\/CollectionId/);
    expect(r.out.trimEnd().split('\n').pop()).toBe('13 steps ok, 0 failed, 1 unbound');
  });

  it('a recording begun after the FolderSync: each step names its unbound ids; what follows from them fails; no crash', async () => {
    const file = read(GMAIL);
    const late = { ...file, exchanges: file.exchanges.filter((_, i) => i !== 4) };
    const r = await replay(writeVariant('late.json', late));
    expect(r.code).toBe(1);
    expect(row(r.out, 5)).toMatch(/^5\s+Sync\s+200\s+unbound\s+unbound folder "5" at Sync\/Collections\/Collection\/CollectionId/);
    expect(row(r.out, 9)).toMatch(/unbound folder "5" at Ping\/Folders\/Folder\/Id; unbound folder "1" at Ping\/Folders\/Folder\/Id/);
    expect(r.out).toMatch(/\n\d+ steps ok, [1-9]\d* failed, [1-9]\d* unbound\n$/);
  });

  it('the installed bin runs the same CLI (exit 2 on a truncated file)', async () => {
    const path = join(dir, 'cut.json');
    writeFileSync(path, '{"format": "eas-capture/1", "exchanges": [');
    const run = promisify(execFile);
    const err = await run(process.execPath, [join(ROOT, 'bin/eas-replay.mjs'), '--url', 'http://127.0.0.1:9', '--user', 'u', '--password', 'p', path]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toContain('cut.json: not JSON');
  }, 20_000);
});
