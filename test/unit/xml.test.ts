import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeWbxml, el, ns } from '../../protocol/wbxml/index.ts';
import { fromXml, fromXmlFragment, redactSecrets, toXml, toXmlFragment } from '../../protocol/xml/index.ts';
import { wbxmlFailure } from './helpers/wire.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.resolve(repoRoot, '../shared/fixtures/wbxml');

const as = ns('AirSync');
const asb = ns('AirSyncBase');

describe('toXml', () => {
  it('renders the MS-ASWBXML section 4 example exactly as the spec prints it', () => {
    const bytes = readFileSync(path.join(fixtures, 'ms-aswbxml/sync-response-add-contact.wbxml'));
    const expected = readFileSync(path.join(fixtures, 'ms-aswbxml/sync-response-add-contact.xml'), 'utf8');
    expect(toXml(decodeWbxml(bytes), { pretty: true, declaration: true })).toBe(expected);
  });

  it('uses the root page as default namespace and lower-cased page names as prefixes', () => {
    const xml = toXml(as('Sync', [asb('Body', [asb('Type', 1)]), el('Email2', 'ConversationId', 'c')]));
    expect(xml).toBe(
      '<Sync xmlns="AirSync" xmlns:airsyncbase="AirSyncBase" xmlns:email2="Email2">' +
        '<airsyncbase:Body><airsyncbase:Type>1</airsyncbase:Type></airsyncbase:Body>' +
        '<email2:ConversationId>c</email2:ConversationId></Sync>',
    );
  });

  it('escapes markup, keeps CR as a character reference and renders opaque data as marked base64', () => {
    const xml = toXml(as('Sync', [as('ServerId', 'a<b & c>\r\n'), el('Email2', 'ConversationId', new Uint8Array([1, 2, 255]))]));
    expect(xml).toContain('<ServerId>a&lt;b &amp; c&gt;&#xd;\n</ServerId>');
    expect(xml).toContain('<email2:ConversationId opaque="base64">AQL/</email2:ConversationId>');
    expect(fromXml(xml)).toEqual(as('Sync', [as('ServerId', 'a<b & c>\r\n'), el('Email2', 'ConversationId', new Uint8Array([1, 2, 255]))]));
  });

  it('renders empty elements self-closed', () => {
    expect(toXml(as('Sync', [as('GetChanges'), { ns: 'AirSync', name: 'Commands', children: [] }]))).toBe(
      '<Sync xmlns="AirSync"><GetChanges/><Commands/></Sync>',
    );
  });

  it('lets a redact hook replace content without changing structure', () => {
    const tree = el('Settings', 'Settings', [
      el('Settings', 'DeviceInformation', [el('Settings', 'Model', 'X')]),
      el('Settings', 'Password', 'hunter2'),
    ]);
    const xml = toXml(tree, { redact: (e) => (e.name === 'Password' ? '***' : undefined) });
    expect(xml).not.toContain('hunter2');
    expect(xml).toContain('<Password>***</Password>');
    expect(xml).toContain('<Model>X</Model>');
  });

  it('redactSecrets hides passwords, body data and MIME, and keeps sizes', () => {
    const tree = as('Sync', [
      asb('Body', [asb('Type', 1), asb('Data', 'secret body')]),
      el('ComposeMail', 'Mime', new Uint8Array(10)),
      el('ItemOperations', 'Password', 'pw'),
    ]);
    const xml = toXml(tree, { redact: redactSecrets });
    expect(xml).not.toMatch(/secret body|>pw</);
    expect(xml).toContain('<airsyncbase:Data>[redacted 11 bytes]</airsyncbase:Data>');
    expect(xml).toContain('<composemail:Mime>[redacted 10 bytes]</composemail:Mime>');
    expect(xml).toContain('<airsyncbase:Type>1</airsyncbase:Type>');
  });

  it('toXmlFragment declares namespaces on each sibling', () => {
    expect(toXmlFragment([el('Calendar', 'Subject', 'x'), as('SyncKey', '1')])).toBe(
      '<Subject xmlns="Calendar">x</Subject><SyncKey xmlns="AirSync">1</SyncKey>',
    );
  });
});

describe('fromXml', () => {
  it('resolves default and prefixed namespaces and nested redeclarations', () => {
    const tree = fromXml('<?xml version="1.0"?><Sync xmlns="AirSync" xmlns:b="AirSyncBase"><b:Body><Type xmlns="AirSyncBase">1</Type></b:Body></Sync>');
    expect(tree).toEqual(as('Sync', [asb('Body', [asb('Type', '1')])]));
  });

  it('reads libwbxml output (namespace values with a trailing colon, DOCTYPE)', () => {
    const xml = '<?xml version="1.0"?><!DOCTYPE ActiveSync PUBLIC "-//MICROSOFT//DTD ActiveSync//EN" "http://www.microsoft.com/"><Sync xmlns="AirSync:"><Body xmlns="AirSyncBase:"><Type>1</Type></Body></Sync>';
    expect(fromXml(xml)).toEqual(as('Sync', [asb('Body', [asb('Type', '1')])]));
  });

  it('keeps text exactly: no trimming, entities and character references decoded, CDATA literal', () => {
    const tree = fromXml('<ServerId xmlns="AirSync">  a &amp; b &#x41;&#66; <![CDATA[<&amp;>]]> </ServerId>');
    expect(tree.text).toBe('  a & b AB <&amp;> ');
  });

  it('ignores indentation between elements and comments', () => {
    expect(fromXml('<Sync xmlns="AirSync">\n  <!-- c -->\n  <Status>1</Status>\n</Sync>')).toEqual(as('Sync', [as('Status', '1')]));
  });

  it('reads several siblings as a fragment', () => {
    expect(fromXmlFragment('<!-- x --><A xmlns="Calendar">1</A>\n<B xmlns="Email">2</B>').map((e) => `${e.ns}:${e.name}`)).toEqual(['Calendar:A', 'Email:B']);
  });

  const bad: [string, string][] = [
    ['malformed XML', '<Sync xmlns="AirSync"><Status></Sync>'],
    ['an undeclared prefix', '<x:Sync xmlns="AirSync"/>'],
    ['no namespace at all', '<Sync/>'],
    ['an attribute EAS does not have', '<Sync xmlns="AirSync" foo="1"/>'],
    ['mixed text and elements', '<Sync xmlns="AirSync">t<Status>1</Status></Sync>'],
    ['two roots for a document', '<A xmlns="AirSync"/><B xmlns="AirSync"/>'],
  ];
  for (const [what, xml] of bad) {
    it(`refuses ${what} with BadXml`, () => {
      expect(wbxmlFailure(() => fromXml(xml)).code).toBe('BadXml');
    });
  }
});
