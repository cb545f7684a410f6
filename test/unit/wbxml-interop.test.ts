import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { decodeWbxml, el, encodeWbxml, ns, type WbxmlElement } from '../../protocol/wbxml/index.ts';
import { escapeText, fromXml } from '../../protocol/xml/index.ts';

/**
 * Interop with libwbxml (Debian libwbxml2-utils), an independent EAS WBXML
 * implementation: it must read what we write, and we must read what it writes.
 * Only tags whose names libwbxml's ActiveSync tables share with MS-ASWBXML are
 * used.
 */
const hasTool = (name: string) => spawnSync(name, [], { encoding: 'utf8' }).error === undefined;
const available = hasTool('wbxml2xml') && hasTool('xml2wbxml');
if (!available) console.warn('wbxml interop tests skipped: wbxml2xml/xml2wbxml (Debian libwbxml2-utils) are not installed');

const as = ns('AirSync');
const asb = ns('AirSyncBase');
const em = ns('Email');
const fh = ns('FolderHierarchy');

const documents: { what: string; version: ProtocolVersion; tree: WbxmlElement }[] = [
  {
    what: 'Sync response with an email',
    version: '14.1',
    tree: as('Sync', [
      as('Collections', [
        as('Collection', [
          as('SyncKey', '{a1b2}3'),
          as('CollectionId', '1'),
          as('Status', 1),
          as('Commands', [
            as('Add', [
              as('ServerId', '1:42'),
              as('ApplicationData', [
                em('To', '"Jörg" <j@example.org>'),
                em('From', 'a@example.org'),
                em('Subject', 'Grüße & <tags> 😀'),
                em('DateReceived', '2024-01-02T03:04:05.000Z'),
                em('Read', 0),
                asb('Body', [asb('Type', 2), asb('EstimatedDataSize', 1234), asb('Truncated', 1), asb('Data', '<p>Hello</p>')]),
                asb('NativeBodyType', 2),
                em('MessageClass', 'IPM.Note'),
                em('InternetCPID', 65001),
              ]),
            ]),
            as('Delete', [as('ServerId', '1:7')]),
          ]),
          as('MoreAvailable'),
        ]),
      ]),
    ]),
  },
  {
    what: 'FolderSync response',
    version: '14.1',
    tree: fh('FolderSync', [
      fh('Status', 1),
      fh('SyncKey', '5'),
      fh('Changes', [fh('Count', 1), fh('Add', [fh('ServerId', '2'), fh('ParentId', '0'), fh('DisplayName', 'Inbox'), fh('Type', 2)])]),
    ]),
  },
  {
    what: 'Ping request',
    version: '14.1',
    tree: el('Ping', 'Ping', [el('Ping', 'HeartbeatInterval', 480), el('Ping', 'Folders', [el('Ping', 'Folder', [el('Ping', 'Id', '1'), el('Ping', 'Class', 'Email')])])]),
  },
  {
    what: 'GetItemEstimate response',
    version: '14.0',
    tree: el('GetItemEstimate', 'GetItemEstimate', [
      el('GetItemEstimate', 'Response', [el('GetItemEstimate', 'Status', 1), el('GetItemEstimate', 'Collection', [el('GetItemEstimate', 'CollectionId', '10'), el('GetItemEstimate', 'Estimate', 0)])]),
    ]),
  },
  {
    what: 'Provision response with a policy document',
    version: '14.1',
    tree: el('Provision', 'Provision', [
      el('Provision', 'Status', 1),
      el('Provision', 'Policies', [
        el('Provision', 'Policy', [
          el('Provision', 'PolicyType', 'MS-EAS-Provisioning-WBXML'),
          el('Provision', 'Status', 1),
          el('Provision', 'PolicyKey', '3942919513'),
          el('Provision', 'Data', [el('Provision', 'EASProvisionDoc', [el('Provision', 'DevicePasswordEnabled', 0), el('Provision', 'MaxAttachmentSize', 5000000)])]),
        ]),
      ]),
    ]),
  },
];

let dir: string | undefined;
function tmp(name: string): string {
  dir ??= mkdtempSync(path.join(tmpdir(), 'eas-wbxml-interop-'));
  return path.join(dir, name);
}
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
}

/** libwbxml's XML form: namespace values "Name:" declared where the code page changes, and its DOCTYPE. */
function libwbxmlXml(e: WbxmlElement, parentNs?: string): string {
  const decl = e.ns === parentNs ? '' : ` xmlns="${e.ns}:"`;
  const inner = e.text !== undefined ? escapeText(e.text) : (e.children ?? []).map((c) => libwbxmlXml(c, e.ns)).join('');
  const body = inner === '' ? `<${e.name}${decl}/>` : `<${e.name}${decl}>${inner}</${e.name}>`;
  return parentNs === undefined
    ? `<?xml version="1.0"?><!DOCTYPE ActiveSync PUBLIC "-//MICROSOFT//DTD ActiveSync//EN" "http://www.microsoft.com/">${body}`
    : body;
}

describe.skipIf(!available)('interop with libwbxml (wbxml2xml / xml2wbxml -l ACTIVESYNC)', () => {
  for (const [i, d] of documents.entries()) {
    it(`libwbxml decodes our encoding of: ${d.what}`, () => {
      const wbxml = tmp(`ours-${i}.wbxml`);
      const xml = tmp(`ours-${i}.xml`);
      writeFileSync(wbxml, encodeWbxml(d.tree, { version: d.version }));
      run('wbxml2xml', ['-l', 'ACTIVESYNC', '-m', '0', '-o', xml, wbxml]);
      expect(fromXml(readFileSync(xml, 'utf8'))).toEqual(d.tree);
    });

    it(`we decode libwbxml's encoding of: ${d.what}`, () => {
      const xml = tmp(`theirs-${i}.xml`);
      const wbxml = tmp(`theirs-${i}.wbxml`);
      writeFileSync(xml, libwbxmlXml(d.tree));
      // -a: no public id string, -n: no string table; gives the EAS header 03 01 6A 00.
      run('xml2wbxml', ['-a', '-n', '-v', '1.3', '-o', wbxml, xml]);
      const bytes = readFileSync(wbxml);
      expect(decodeWbxml(bytes)).toEqual(d.tree);
      // Both encoders make the same choices (minimal SWITCH_PAGE, STR_I), so the bytes agree too.
      expect(bytes.toString('hex')).toBe(Buffer.from(encodeWbxml(d.tree, { version: d.version })).toString('hex'));
    });
  }
});
