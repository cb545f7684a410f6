/**
 * WBXML codec throughput on a realistic ~1 MB Sync response (hundreds of
 * emails with recipients, subjects, HTML bodies and attachment metadata),
 * against fast-xml-parser parsing and building the same document as XML.
 *
 * Goals (issue 2): decode and encode each >= 150 MB/s of WBXML, and >= 3x
 * faster than fast-xml-parser on the equivalent XML (compared per document,
 * since the XML text is larger than the WBXML).
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { decodeWbxml, encodeWbxml, ns, type WbxmlElement } from '../protocol/wbxml/index.ts';
import { toXml } from '../protocol/xml/index.ts';

export const name = 'codec';

const GOAL_MBPS = 150;
const GOAL_RATIO = 3;

/** Deterministic pseudo-random numbers (mulberry32) so every run measures the same document. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'the quarterly report meeting budget Zürich café review draft project update schedule team invoice résumé contract launch plan notes'.split(' ');
const PEOPLE = ['Alice Martin', 'Bob Müller', 'Chloé Dubois', 'David Smith', 'Eva Novák', 'Frank Øster', 'Grace Lee', 'Hiro Tanaka'];

/** A Sync response with `count` new emails, shaped like what a real server sends at 16.1. */
export function buildSyncResponse(count: number, seed = 1): WbxmlElement {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const addr = (p: string) => `"${p}" <${p.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com>`;
  const as = ns('AirSync');
  const asb = ns('AirSyncBase');
  const em = ns('Email');
  const em2 = ns('Email2');
  const adds: WbxmlElement[] = [];
  for (let i = 0; i < count; i++) {
    const subject = words(3 + Math.floor(r() * 6));
    const html = `<html><body>${Array.from({ length: 4 + Math.floor(r() * 8) }, () => `<p>${words(20 + Math.floor(r() * 20))}</p>`).join('')}</body></html>`;
    const attachments = Array.from({ length: Math.floor(r() * 3) }, (_, j) =>
      asb('Attachment', [
        asb('DisplayName', `${pick(WORDS)}-${j}.pdf`),
        asb('FileReference', `5:${i + 1}:${j + 2}`),
        asb('Method', 1),
        asb('EstimatedDataSize', Math.floor(r() * 2_000_000)),
        asb('IsInline', 0),
      ]),
    );
    const conversationId = new Uint8Array(16).map(() => Math.floor(r() * 256));
    adds.push(
      as('Add', [
        as('ServerId', `5:${i + 1}`),
        as('ApplicationData', [
          em('To', [addr(pick(PEOPLE)), addr(pick(PEOPLE))].join(', ')),
          em('Cc', addr(pick(PEOPLE))),
          em('From', addr(pick(PEOPLE))),
          em('Subject', subject),
          em('ReplyTo', addr(pick(PEOPLE))),
          em('DateReceived', new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString()),
          em('DisplayTo', pick(PEOPLE)),
          em('ThreadTopic', subject),
          em('Importance', 1),
          em('Read', r() < 0.5),
          attachments.length ? asb('Attachments', attachments) : undefined,
          asb('Body', [asb('Type', 2), asb('EstimatedDataSize', html.length), asb('Truncated', 0), asb('Data', html)]),
          em('MessageClass', 'IPM.Note'),
          em('InternetCPID', 65001),
          em('Flag', []),
          em('ContentClass', 'urn:content-classes:message'),
          asb('NativeBodyType', 2),
          em2('ConversationId', conversationId),
          em2('ConversationIndex', conversationId.subarray(0, 5)),
          em('Categories', []),
        ]),
      ]),
    );
  }
  return as('Sync', [
    as('Collections', [
      as('Collection', [as('SyncKey', '{7c1a7c38-1b39-4d77-a3b5-2f0b6c3c5f21}12'), as('CollectionId', '5'), as('Status', 1), as('Commands', adds), as('MoreAvailable')]),
    ]),
  ]);
}

/** Median wall time in ms of `fn` over `iterations`, after `warmup` untimed calls. */
function medianMs(fn: () => unknown, warmup: number, iterations: number): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

export async function run(): Promise<Record<string, unknown>> {
  // ~1 MB of WBXML: scale the email count until the document reaches it.
  let count = 300;
  let tree = buildSyncResponse(count);
  let wbxml = encodeWbxml(tree, { version: '16.1' });
  count = Math.round((count * 1_000_000) / wbxml.length);
  tree = buildSyncResponse(count);
  wbxml = encodeWbxml(tree, { version: '16.1' });
  const xml = toXml(tree);
  const xmlBytes = Buffer.byteLength(xml);

  const warmup = 20;
  const iterations = 60;
  const decodeMs = medianMs(() => decodeWbxml(wbxml), warmup, iterations);
  const encodeMs = medianMs(() => encodeWbxml(tree, { version: '16.1' }), warmup, iterations);

  const parserOrdered = new XMLParser({ preserveOrder: true, ignoreAttributes: false, parseTagValue: false, trimValues: false });
  const parserPlain = new XMLParser({ ignoreAttributes: false });
  const ordered = parserOrdered.parse(xml);
  const builderOrdered = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false });
  const fxpParseMs = medianMs(() => parserOrdered.parse(xml), 5, 15);
  const fxpParsePlainMs = medianMs(() => parserPlain.parse(xml), 5, 15);
  const fxpBuildMs = medianMs(() => builderOrdered.build(ordered), 5, 15);

  const decodeMBps = mbps(wbxml.length, decodeMs);
  const encodeMBps = mbps(wbxml.length, encodeMs);
  const decodeVsFxp = fxpParseMs / decodeMs;
  const encodeVsFxp = fxpBuildMs / encodeMs;
  return {
    document: { emails: count, wbxmlBytes: wbxml.length, xmlBytes },
    wbxml: { decodeMs, encodeMs, decodeMBps, encodeMBps },
    fastXmlParser: {
      parseMs: fxpParseMs,
      parseMBpsOfXml: mbps(xmlBytes, fxpParseMs),
      parsePlainMs: fxpParsePlainMs,
      buildMs: fxpBuildMs,
      buildMBpsOfXml: mbps(xmlBytes, fxpBuildMs),
    },
    ratios: { decodeVsFxpParse: decodeVsFxp, encodeVsFxpBuild: encodeVsFxp },
    goals: {
      decodeAtLeast150MBps: decodeMBps >= GOAL_MBPS,
      encodeAtLeast150MBps: encodeMBps >= GOAL_MBPS,
      decode3xFxp: decodeVsFxp >= GOAL_RATIO,
      encode3xFxp: encodeVsFxp >= GOAL_RATIO,
    },
  };
}

