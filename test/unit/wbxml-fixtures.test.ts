import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { decodeWbxml, decodeWbxmlFragment, encodeWbxml, encodeWbxmlFragment, type WbxmlElement } from '../../protocol/wbxml/index.ts';
import { fromXml, fromXmlFragment, toXml, toXmlFragment } from '../../protocol/xml/index.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.resolve(repoRoot, '../shared/fixtures/wbxml');

/** XML cannot tell "no content", "content bit, nothing inside" and "" apart; compare trees modulo that. */
function norm(e: WbxmlElement): unknown {
  if (e.opaque) return { ns: e.ns, name: e.name, opaque: Buffer.from(e.opaque).toString('base64') };
  if (e.text !== undefined && e.text !== '') return { ns: e.ns, name: e.name, text: e.text };
  if (e.children && e.children.length) return { ns: e.ns, name: e.name, children: e.children.map(norm) };
  return { ns: e.ns, name: e.name };
}

/**
 * Every fixture with the version it is written in: the Horde ones use EAS 2.5
 * tags (calendar:Body) or 12.1 policy names, so the encoder must be told.
 */
const cases: { dir: string; file: string; fragment: boolean; version: ProtocolVersion }[] = [
  { dir: 'ms-aswbxml', file: 'sync-response-add-contact', fragment: false, version: '14.1' },
  { dir: 'tbsync-log', file: 'getitemestimate-response', fragment: false, version: '14.0' },
  { dir: 'horde', file: 'allday_appointment', fragment: true, version: '2.5' },
  { dir: 'horde', file: 'appointment', fragment: true, version: '2.5' },
  { dir: 'horde', file: 'recurrence', fragment: true, version: '2.5' },
  { dir: 'horde', file: 'simpleexception', fragment: true, version: '2.5' },
  { dir: 'horde', file: 'dst', fragment: true, version: '2.5' },
  { dir: 'horde', file: 'meeting_request_one', fragment: true, version: '12.1' },
  { dir: 'horde', file: 'default_policies', fragment: true, version: '12.1' },
];

describe('WBXML fixtures', () => {
  it('the table covers every .wbxml fixture on disk', () => {
    const onDisk = readdirSync(fixtures, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.wbxml'))
      .map((f) => f.replace(/\\/g, '/'))
      .sort();
    expect(onDisk).toEqual(cases.map((c) => `${c.dir}/${c.file}.wbxml`).sort());
  });

  for (const c of cases) {
    const bytes = readFileSync(path.join(fixtures, c.dir, `${c.file}.wbxml`));
    const xml = readFileSync(path.join(fixtures, c.dir, `${c.file}.xml`), 'utf8');

    it(`${c.dir}/${c.file} decodes to the tree of its .xml`, () => {
      const decoded = c.fragment ? decodeWbxmlFragment(bytes) : [decodeWbxml(bytes)];
      const expected = c.fragment ? fromXmlFragment(xml) : [fromXml(xml)];
      expect(decoded.map(norm)).toEqual(expected.map(norm));
    });

    it(`${c.dir}/${c.file} re-encodes byte-exact at ${c.version}`, () => {
      const out = c.fragment
        ? encodeWbxmlFragment(decodeWbxmlFragment(bytes), { version: c.version })
        : encodeWbxml(decodeWbxml(bytes), { version: c.version });
      expect(Buffer.from(out).toString('hex')).toBe(bytes.toString('hex'));
    });

    it(`${c.dir}/${c.file} encodes from its .xml to the same bytes`, () => {
      const out = c.fragment
        ? encodeWbxmlFragment(fromXmlFragment(xml), { version: c.version })
        : encodeWbxml(fromXml(xml), { version: c.version });
      expect(Buffer.from(out).toString('hex')).toBe(bytes.toString('hex'));
    });

    it(`${c.dir}/${c.file} survives toXml -> fromXml`, () => {
      const decoded = c.fragment ? decodeWbxmlFragment(bytes) : [decodeWbxml(bytes)];
      const text = c.fragment ? toXmlFragment(decoded, { pretty: true }) : toXml(decoded[0]!, { pretty: true });
      const back = c.fragment ? fromXmlFragment(text) : [fromXml(text)];
      expect(back.map(norm)).toEqual(decoded.map(norm));
    });
  }

  it('the MS-ASWBXML example starts with the EAS header and matches its .hex dump', () => {
    const bytes = readFileSync(path.join(fixtures, 'ms-aswbxml/sync-response-add-contact.wbxml'));
    const hex = readFileSync(path.join(fixtures, 'ms-aswbxml/sync-response-add-contact.hex'), 'utf8').replace(/[^0-9a-fA-F]/g, '');
    expect(bytes.toString('hex')).toBe(hex.toLowerCase());
    expect([...bytes.subarray(0, 4)]).toEqual([0x03, 0x01, 0x6a, 0x00]);
  });
});
