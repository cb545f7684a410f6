/**
 * HAR import (src/capture/replay/har.ts) without a server: the three ways
 * exporters write binary bodies, which entries are taken, what is never
 * kept; and `eas-wbxml step` printing one exchange of a capture.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { el } from '../../protocol/wbxml/tree.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { hashLogin } from '../../src/capture/redact.ts';
import { harBytes, HarInputError, importHar } from '../../src/capture/replay/har.ts';
import { captureProblems } from '../../src/capture/replay/load.ts';

const body = Buffer.from(encodeWbxml(el('FolderHierarchy', 'FolderSync', [el('FolderHierarchy', 'SyncKey', 'Ärger-0')]), { version: '14.1' }));

const entry = (url: string, o: { method?: string; post?: { text: string; encoding?: string }; auth?: string; status?: number } = {}) => ({
  startedDateTime: '2025-03-04T10:00:00.000Z',
  time: 10,
  request: {
    method: o.method ?? 'POST',
    url,
    headers: [{ name: 'MS-ASProtocolVersion', value: '14.1' }, ...(o.auth ? [{ name: 'Authorization', value: o.auth }] : []), { name: 'Cookie', value: 'session=abc' }],
    ...(o.post ? { postData: { mimeType: 'application/vnd.ms-sync.wbxml', ...o.post } } : {}),
  },
  response: { status: o.status ?? 200, headers: [{ name: 'Content-Type', value: 'application/vnd.ms-sync.wbxml' }], content: { size: body.length, mimeType: 'application/vnd.ms-sync.wbxml', text: body.toString('base64'), encoding: 'base64' } },
});

describe('HAR bodies', () => {
  it.each([
    ['base64 with encoding', body.toString('base64'), 'base64'],
    ['base64 without saying so', body.toString('base64'), undefined],
    ['one char per byte', body.toString('latin1'), undefined],
  ])('%s reads back to the WBXML bytes', (_name, text, encoding) => {
    expect(harBytes(text, encoding)).toEqual(body);
  });

  it('text that was decoded as UTF-8 by the exporter is encoded back', () => {
    const ascii = Buffer.from(encodeWbxml(el('FolderHierarchy', 'FolderSync', [el('FolderHierarchy', 'SyncKey', 'Ärger')]), { version: '14.1' }));
    expect(harBytes(ascii.toString('utf8'), undefined)).toEqual(ascii);
    expect(harBytes('', undefined)).toBeUndefined();
  });
});

describe('HAR import', () => {
  const Q = 'Cmd=FolderSync&DeviceId=dev1&DeviceType=iPhone';
  it('takes the EAS entries of the first device, names the mailbox from Basic auth, keeps no credentials', () => {
    const har = {
      log: {
        version: '1.2',
        creator: { name: 'Charles', version: '4.6' },
        entries: [
          entry('https://mail.example.test/owa/'),
          entry(`https://mail.example.test/microsoft-server-activesync?${Q}`, { post: { text: body.toString('base64'), encoding: 'base64' }, auth: `Basic ${Buffer.from('ann@example.test:pw1').toString('base64')}` }),
          entry(`https://mail.example.test/Microsoft-Server-ActiveSync?${Q.replace('dev1', 'dev2')}`, { post: { text: body.toString('latin1') } }),
          entry('not a url'),
        ],
      },
    };
    const r = importHar(har, '/tmp/x.har');
    expect([r.imported, r.skippedNotEas, r.skippedOtherDevice, r.skippedBroken]).toEqual([1, 1, 1, 1]);
    expect(r.capture.mailbox).toBe(hashLogin('ann@example.test'));
    expect(r.capture.source).toBe('imported from HAR x.har');
    expect(captureProblems(r.capture)).toEqual([]);
    const text = JSON.stringify(r.capture);
    expect(text).not.toMatch(/pw1|Authorization|Cookie|session=abc/);
    expect(r.capture.exchanges[0]!.request!.xml).toContain('<SyncKey>Ärger-0</SyncKey>');
  });

  it('refuses what is not a HAR or has no EAS entry', () => {
    expect(() => importHar({ entries: [] }, 'a.har')).toThrow(HarInputError);
    expect(() => importHar({ log: { entries: [entry('https://x.test/')] } }, 'b.har')).toThrow('b.har: no EAS exchanges (1 entries, none to /Microsoft-Server-ActiveSync)');
    expect(() => importHar({ log: { entries: [entry(`https://x.test/Microsoft-Server-ActiveSync?${Q}`, { status: 0 })] } }, 'c.har')).toThrow(/no HTTP status/);
  });
});

describe('eas-wbxml step', () => {
  const run = (...args: string[]): { code: number; out: string; err: string } => {
    try {
      return { code: 0, out: execFileSync(process.execPath, ['bin/eas-wbxml.mjs', ...args], { encoding: 'utf8', stdio: 'pipe' }), err: '' };
    } catch (e) {
      const x = e as { status: number; stdout: string; stderr: string };
      return { code: x.status, out: x.stdout, err: x.stderr };
    }
  };

  it('prints a step of a capture as XML, request then answer', () => {
    const r = run('step', 'captures/wm65-2.5.json', '3');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^step 3 of \d+: POST Provision \(2\.5, plain query\)/);
    expect(r.out).toContain('<PolicyType>MS-WAP-Provisioning-XML</PolicyType>');
    expect(r.out.indexOf('--- request')).toBeLessThan(r.out.indexOf('--- response: HTTP 200'));
  }, 20_000);

  it('a step that does not exist, or a file that is not a capture: exit 2 and why', () => {
    const r = run('step', 'captures/wm65-2.5.json', '99');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/step 99 does not exist: the capture has steps 1 to \d+/);
    const bad = run('step', 'package.json', '1');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('package.json: not a capture file');
  }, 20_000);
});
