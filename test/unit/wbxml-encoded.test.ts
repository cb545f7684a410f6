import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeWbxml, el, encodeElement, encodeWbxml, ns, type WbxmlElement } from '../../protocol/wbxml/index.ts';
import { toXml } from '../../protocol/xml/index.ts';

/**
 * Pre-encoded elements (`WbxmlElement.encoded`): parts of a response built
 * and encoded elsewhere (Sync Add ApplicationData in a worker thread) and
 * spliced into the document. The document must read exactly as if the
 * element had been encoded in place.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = readFileSync(path.resolve(repoRoot, '../shared/fixtures/wbxml/ms-aswbxml/sync-response-add-contact.wbxml'));

/** A copy of `e` in which every element `pick` selects is replaced by its encoded form. */
function withEncoded(e: WbxmlElement, pick: (x: WbxmlElement) => boolean, version: string): WbxmlElement {
  if (pick(e)) return { ns: e.ns, name: e.name, encoded: encodeElement(e, { version: version as '14.1' }) };
  return e.children ? { ...e, children: e.children.map((c) => withEncoded(c, pick, version)) } : e;
}

const as = ns('AirSync');
const em = ns('Email');
const base = ns('AirSyncBase');
const mailSync = as('Sync', [
  as('Collections', [
    as('Collection', [
      as('SyncKey', '7'),
      as('Commands', [
        as('Add', [as('ServerId', '5:1'), as('ApplicationData', [em('Subject', 'Hi'), base('Body', [base('Type', 2), base('Data', '<b>x</b>')]), em('Read', 0)])]),
        as('Add', [as('ServerId', '5:2'), as('ApplicationData', [base('NativeBodyType', 1), em('Subject', 'Zwei')])]),
        as('Delete', [as('ServerId', '5:0')]),
      ]),
      as('MoreAvailable'),
    ]),
  ]),
]);

describe('pre-encoded elements', () => {
  it('splicing AirSync ApplicationData gives the same bytes as encoding in place (the MS-ASWBXML fixture too)', () => {
    for (const [doc, v] of [[decodeWbxml(fixture), '14.1'], [mailSync, '16.1']] as const) {
      const spliced = withEncoded(doc, (x) => x.name === 'ApplicationData', v);
      expect(JSON.stringify(spliced)).toContain('"encoded"');
      expect(Buffer.from(encodeWbxml(spliced, { version: v })).toString('hex')).toBe(Buffer.from(encodeWbxml(doc, { version: v })).toString('hex'));
    }
  });

  it('an element that starts or ends on another code page decodes the same wherever it is spliced', () => {
    // Body is on page 17 and Read ends the ApplicationData on page 2: the writer must switch back afterwards.
    for (const pick of [(x: WbxmlElement) => x.name === 'Body', (x: WbxmlElement) => x.name === 'ApplicationData', (x: WbxmlElement) => x.name === 'Subject']) {
      const bytes = encodeWbxml(withEncoded(mailSync, pick, '14.1'), { version: '14.1' });
      expect(decodeWbxml(bytes)).toEqual(decodeWbxml(encodeWbxml(mailSync, { version: '14.1' })));
    }
  });

  it('records the page the element ends on', () => {
    expect(encodeElement(as('ApplicationData', [em('Subject', 'x')]), { version: '14.1' }).endPage).toBe(2);
    expect(encodeElement(as('ServerId', '1:1'), { version: '14.1' }).endPage).toBe(0);
  });

  it('refuses an element encoded for another protocol version', () => {
    const enc = encodeElement(as('ApplicationData', [em('Subject', 'x')]), { version: '12.1' });
    expect(() => encodeWbxml(as('Sync', [{ ns: 'AirSync', name: 'ApplicationData', encoded: enc }]), { version: '14.1' })).toThrow(/encoded for protocol 12.1/);
  });

  it('XML shows the decoded element, namespaces declared on the root', () => {
    const spliced = withEncoded(mailSync, (x) => x.name === 'ApplicationData', '14.1');
    expect(toXml(spliced)).toBe(toXml(mailSync));
    expect(toXml(spliced)).toContain('<email:Subject>Zwei</email:Subject>');
  });

  it('is not produced by the decoder', () => {
    expect(JSON.stringify(decodeWbxml(encodeWbxml(withEncoded(mailSync, (x) => x.name === 'ApplicationData', '14.1'), { version: '14.1' })))).not.toContain('encoded');
    expect(el('AirSync', 'Status', 1).encoded).toBeUndefined();
  });
});
