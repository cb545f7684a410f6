import type { ImapFlow, FetchMessageObject, FetchQueryObject } from 'imapflow';
import { BackendError } from '../errors.ts';
import type { FetchWant, FetchedMessage, MailAddress, MessageEnvelope } from '../types.ts';
import { decodeTransfer, normaliseStructure, type ImapStructureNode } from './mime.ts';
import { lockFolder } from './lock.ts';
import { uidSet } from './uid-set.ts';

/**
 * Pipelined FETCH of only what `want` names (RFC 3501 6.4.5, RFC 3516 BINARY):
 * one UID FETCH for the whole UID list, parts as `BINARY.PEEK[p]<0.max>` where
 * the server has BINARY so truncation happens on the server and no transfer
 * encoding crosses the wire twice. UIDs that no longer exist are simply absent
 * from the result.
 */
export async function fetchMessages(client: ImapFlow, path: string, uids: readonly number[], want: FetchWant): Promise<FetchedMessage[]> {
  if (uids.length === 0) return [];
  const query: FetchQueryObject = { uid: true, flags: true, internalDate: true, size: true };
  if (want.structure) query.bodyStructure = true;
  if (want.envelope) query.envelope = true;
  if (want.headers) query.headers = want.headers === true ? true : [...want.headers];
  if (want.source) query.source = want.sourceMaxBytes !== undefined ? { maxLength: want.sourceMaxBytes } : true;
  const parts = want.parts ?? [];
  if (parts.length) query.bodyParts = parts.map((p) => (p.maxBytes !== undefined ? { key: p.part, maxLength: p.maxBytes } : p.part));
  await refreshSelection(client, path, want.uidValidity);
  const lock = await lockFolder(client, path, { description: 'eas fetch' });
  try {
    const out: FetchedMessage[] = [];
    for await (const m of client.fetch(uidSet(uids), query, { uid: true, binary: parts.length > 0 })) {
      let partMap: Map<string, Buffer> | undefined;
      if (parts.length) {
        partMap = new Map();
        for (const p of parts) {
          const raw = findPart(m.bodyParts, p.part);
          if (!raw) continue;
          const binary = m.binaryParts ? hasKey(m.binaryParts, p.part) : false;
          let data = binary ? raw : decodeTransfer(raw, p.encoding);
          // BODY.PEEK's limit counts encoded octets; keep the promise of `maxBytes` decoded ones.
          if (p.maxBytes !== undefined && data.length > p.maxBytes) data = data.subarray(0, p.maxBytes);
          partMap.set(p.part, data);
        }
      }
      // Built by assignment, not spreads: this runs for every message of an initial sync (tens of thousands).
      const f: { -readonly [K in keyof FetchedMessage]: FetchedMessage[K] } = {
        uid: m.uid,
        flags: m.flags ? imapFlags(m.flags) : [],
        internalDate: m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? 0),
        size: m.size ?? 0,
      };
      if (m.modseq !== undefined) f.modseq = BigInt(m.modseq);
      if (m.bodyStructure) f.structure = normaliseStructure(m.bodyStructure as ImapStructureNode);
      if (m.envelope) f.envelope = toEnvelope(m.envelope);
      if (m.headers) f.headers = m.headers;
      if (m.source) f.source = m.source;
      if (partMap) f.parts = partMap;
      out.push(f);
    }
    out.sort((a, b) => a.uid - b.uid);
    return out;
  } finally {
    lock.release();
  }
}

/**
 * A pooled connection that has `path` selected since an earlier request sees
 * the folder as it was then: the server announces new messages (EXISTS) only
 * in answer to a command, and a UID FETCH of a message the session has not
 * been told about returns nothing (RFC 3501 7.4.1, 5.2). A NOOP brings the
 * session up to date first. A selection of another UIDVALIDITY (the folder
 * was deleted and re-created) is closed, so that the lock selects it anew.
 */
async function refreshSelection(client: ImapFlow, path: string, uidValidity: number | undefined): Promise<void> {
  const selected = client.mailbox;
  if (!selected || selected.path !== path) return;
  if (uidValidity !== undefined && selected.uidValidity !== BigInt(uidValidity)) {
    await client.mailboxClose().catch(() => undefined);
    return;
  }
  await client.noop();
}

/** Flags without `\\Recent` (per-session, RFC 3501 2.3.2), sorted. */
function imapFlags(set: Set<string>): string[] {
  const out: string[] = [];
  for (const f of set) if (f !== '\\Recent') out.push(f);
  return out.sort();
}

function addrs(list: { name?: string; address?: string }[] | undefined): MailAddress[] {
  const out: MailAddress[] = [];
  if (!list) return out;
  for (const a of list) {
    const x: { name?: string; address?: string } = {};
    if (a.name) x.name = a.name;
    if (a.address) x.address = a.address;
    out.push(x);
  }
  return out;
}

/** imapflow decodes RFC 2047 words in the envelope (libmime, as mailparser does). */
function toEnvelope(e: NonNullable<FetchMessageObject['envelope']>): MessageEnvelope {
  const env: { -readonly [K in keyof MessageEnvelope]: MessageEnvelope[K] } = {
    from: addrs(e.from),
    sender: addrs(e.sender),
    replyTo: addrs(e.replyTo),
    to: addrs(e.to),
    cc: addrs(e.cc),
    bcc: addrs(e.bcc),
  };
  // imapflow already gives a Date (or the raw string when it could not parse one).
  const date = e.date instanceof Date ? e.date : e.date ? new Date(e.date) : undefined;
  if (date && !Number.isNaN(date.getTime())) env.date = date;
  if (e.subject !== undefined) env.subject = e.subject;
  if (e.messageId) env.messageId = e.messageId;
  if (e.inReplyTo) env.inReplyTo = e.inReplyTo;
  return env;
}

/** imapflow keys body parts by the section it asked for, lower-cased; accept either spelling. */
function findPart(map: Map<string, Buffer> | undefined, part: string): Buffer | undefined {
  if (!map) return undefined;
  return map.get(part) ?? map.get(part.toLowerCase()) ?? map.get(part.toUpperCase());
}

function hasKey(set: Set<string>, part: string): boolean {
  return set.has(part) || set.has(part.toLowerCase()) || set.has(part.toUpperCase());
}

/** A download stream not read at all after this long is destroyed, freeing its connection. */
const UNREAD_STREAM_MS = 60_000;

/**
 * Streams one message or one part while holding the folder lock; the lock is
 * released when the stream ends, fails or is destroyed. `run` receives the
 * client that the pool lent for the duration of the returned promise.
 */
export function streamWhileLocked<T extends { stream: NodeJS.ReadableStream }>(
  borrow: (fn: (client: ImapFlow) => Promise<void>) => Promise<void>,
  path: string,
  open: (client: ImapFlow) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    borrow(async (client) => {
      const lock = await lockFolder(client, path, { description: 'eas download' });
      try {
        const res = await open(client);
        settled = true;
        resolve(res);
        await new Promise<void>((done) => {
          const s = res.stream as NodeJS.ReadableStream & { once(ev: string, fn: () => void): void; readableDidRead?: boolean; destroy?(): void };
          // A stream nobody starts reading would hold the user's pooled connection forever.
          const guard = setTimeout(() => {
            if (!s.readableDidRead) s.destroy?.();
          }, UNREAD_STREAM_MS);
          guard.unref();
          const end = (): void => {
            clearTimeout(guard);
            done();
          };
          s.once('end', end);
          s.once('close', end);
          s.once('error', end);
        });
      } finally {
        lock.release();
      }
    }).catch((e) => {
      if (!settled) reject(e);
    });
  });
}

/** The whole message source (RFC 822), streamed. */
export async function downloadSource(client: ImapFlow, uid: number): Promise<{ stream: NodeJS.ReadableStream }> {
  const d = await client.download(String(uid), undefined, { uid: true });
  if (!d.content) throw new BackendError('NotFound', `message ${uid} not found`);
  return { stream: d.content };
}

/** One part, transfer decoding removed (BINARY where possible), charset untouched: attachment bytes as sent. */
export async function downloadPart(client: ImapFlow, uid: number, part: string): Promise<{ stream: NodeJS.ReadableStream; contentType: string; size?: number }> {
  if (!/^\d+(\.\d+)*$/.test(part)) throw new BackendError('NotFound', `no part ${part}`);
  const d = await client.download(String(uid), part, { uid: true, binary: true, decodeText: false });
  if (!d.content || !d.meta) throw new BackendError('NotFound', `part ${part} of message ${uid} not found`);
  return {
    stream: d.content,
    contentType: d.meta.contentType ?? 'application/octet-stream',
    ...(d.meta.expectedSize !== undefined ? { size: d.meta.expectedSize } : {}),
  };
}
