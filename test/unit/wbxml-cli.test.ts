import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeWbxml, decodeWbxmlFragment } from '../../protocol/wbxml/index.ts';
import { fromXml, fromXmlFragment } from '../../protocol/xml/index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.resolve(repoRoot, '../shared/fixtures/wbxml');
const bin = path.join(repoRoot, 'bin/eas-wbxml.mjs');

function cli(args: string[], input?: Buffer | string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, input, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

describe('eas-wbxml CLI', () => {
  it('decode prints the XML of a fixture', () => {
    const file = path.join(fixtures, 'ms-aswbxml/sync-response-add-contact.wbxml');
    const r = cli(['decode', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(fromXml(r.stdout.toString('utf8'))).toEqual(decodeWbxml(readFileSync(file)));
  });

  it('encode reads XML from stdin and writes the fixture bytes', () => {
    const xml = readFileSync(path.join(fixtures, 'ms-aswbxml/sync-response-add-contact.xml'));
    const r = cli(['encode', '-', '--version', '16.1'], xml);
    expect(r.status).toBe(0);
    expect(r.stdout.toString('hex')).toBe(readFileSync(path.join(fixtures, 'ms-aswbxml/sync-response-add-contact.wbxml')).toString('hex'));
  });

  it('decode --fragment handles header-less Horde bodies', () => {
    const file = path.join(fixtures, 'horde/allday_appointment.wbxml');
    const r = cli(['decode', '--fragment', file]);
    expect(r.status).toBe(0);
    expect(fromXmlFragment(r.stdout.toString('utf8'))).toEqual(decodeWbxmlFragment(readFileSync(file)));
  });

  it('bad input exits 2 with the error code and offset on stderr', () => {
    const r = cli(['decode', '-'], Buffer.from([0x03, 0x01, 0x6a, 0x00, 0x45, 0x83]));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Unsupported');
    expect(r.stderr).toContain('at byte 5');
    expect(r.stdout.length).toBe(0);
  });

  it('a tag missing from the requested version exits 2', () => {
    const r = cli(['encode', '-', '--version', '12.1'], '<Find xmlns="Find"/>');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('TokenNotInVersion');
  });

  it('usage errors exit 2', () => {
    expect(cli(['encode', '-']).status).toBe(2);
    expect(cli(['frobnicate', 'x']).status).toBe(2);
    expect(cli(['decode', path.join(fixtures, 'no-such-file.wbxml')]).status).toBe(2);
  });
});
