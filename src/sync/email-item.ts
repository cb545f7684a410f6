import type { FetchWant, FetchedMessage, MailAddress } from '../../backends/types.ts';
import type { EasAttachment } from '../../protocol/types/body.ts';
import type { EasEmail, Importance } from '../../protocol/types/email.ts';
import { versionAtLeast, type ProtocolVersion } from '../../protocol/version.ts';
import { chooseBody, chooseBodyPart, planBodyFetch, renderBody, type BodyOptions, type BodyRequest } from './body.ts';
import { conversationId, conversationIndex, replyDepth, threadRoot } from './conversation.ts';
import { formatFileReference } from './file-reference.ts';
import { categoriesOf, flagOf, lastVerbOf } from './flags.ts';
import { MAX_CALENDAR_BYTES, meetingRequestFromIcs } from './meeting.ts';
import { analyseLayout, attachmentName, decodedSize, messageClassOf, type MessageLayout } from './mime-parts.ts';
import { decodeCharset } from './text.ts';

/**
 * An IMAP message as an EAS Email item (MS-ASEMAIL 2.2.2), fetched in two
 * steps so that only the bytes the body preference needs cross the wire:
 * `ITEM_FIRST_FETCH` (flags, BODYSTRUCTURE, ENVELOPE, a few header fields),
 * then `planItemFetch` (the one text part, cut on the server, or the source).
 */

/** Header fields the ENVELOPE lacks: threading (References) and importance. */
export const ITEM_HEADER_FIELDS: readonly string[] = ['references', 'importance', 'x-priority', 'x-msmail-priority', 'priority'];

/** First fetch of every new item. */
export const ITEM_FIRST_FETCH: FetchWant = { structure: true, envelope: true, headers: ITEM_HEADER_FIELDS };

/** Reads unfolded `Name: value` lines of a header block; lower-case names, first occurrence wins. */
export function parseHeaderFields(buf: Buffer | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!buf) return out;
  const text = buf.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(i + 1).trim());
  }
  return out;
}

/** MS-ASEMAIL 2.2.2.39: Importance header, else X-Priority 1-2 high / 4-5 low, else X-MSMail-Priority. */
export function importanceOf(h: Map<string, string>): Importance {
  const imp = (h.get('importance') ?? h.get('priority') ?? '').toLowerCase();
  if (imp.startsWith('high') || imp === 'urgent') return 2;
  if (imp.startsWith('low') || imp === 'non-urgent') return 0;
  const xp = /^\s*(\d)/.exec(h.get('x-priority') ?? '');
  if (xp) {
    const n = Number(xp[1]);
    if (n <= 2) return 2;
    if (n >= 4) return 0;
  }
  const ms = (h.get('x-msmail-priority') ?? '').toLowerCase();
  if (ms.startsWith('high')) return 2;
  if (ms.startsWith('low')) return 0;
  return 1;
}

/** RFC 5322 address list text: `"Name" <addr>, addr2` (names stay Unicode: WBXML carries UTF-8). */
export function formatAddresses(list: readonly MailAddress[]): string | undefined {
  if (list.length === 0) return undefined;
  return list
    .map((a) => {
      const addr = a.address ?? '';
      if (!a.name) return addr;
      const name = `"${a.name.replace(/["\\]/g, '\\$&')}"`;
      return addr ? `${name} <${addr}>` : name;
    })
    .join(', ');
}

/** Everything needed to turn fetched data into an item for one request. */
export interface ItemContext {
  readonly version: ProtocolVersion;
  readonly body: BodyOptions;
  /** `<collectionId>:<n>`, for attachment FileReferences. */
  readonly serverId: string;
}

/** The body form for this message and the part fetch it needs (none when nothing beyond the first fetch is needed). */
export function planItemFetch(msg: FetchedMessage, ctx: Pick<ItemContext, 'version' | 'body'>): ItemPlan {
  const hit = plans.get(msg);
  if (hit && hit.body === ctx.body && hit.version === ctx.version) return hit;
  const layout = analyseLayout(msg.structure ?? { part: '1', type: 'text/plain', params: {}, size: msg.size });
  const req = chooseBody(ctx.body, layout, ctx.version);
  const partReq = chooseBodyPart(ctx.body, ctx.version);
  let want = planBodyFetch(req, layout, msg.size);
  if (partReq) want = mergeWants(want, planBodyFetch(partReq, layout, msg.size));
  const calendar = layout.calendar && messageClassOf(layout).startsWith('IPM.Schedule.Meeting') ? layout.calendar : undefined;
  // The invitation's details come from its iCalendar part (MS-ASEMAIL 2.2.2.48), fetched whole up to a cap.
  if (calendar) want = mergeWants(want, { parts: [{ part: calendar.part, maxBytes: MAX_CALENDAR_BYTES + 1, ...(calendar.encoding ? { encoding: calendar.encoding } : {}) }] });
  const plan: ItemPlan = { layout, req, ...(partReq ? { partReq } : {}), want, body: ctx.body, version: ctx.version };
  plans.set(msg, plan);
  return plan;
}

/** A message's body plan, kept with the message so the window's two passes (fetch, build) compute it once. */
export interface ItemPlan {
  readonly layout: MessageLayout;
  readonly req: BodyRequest;
  /** BodyPartPreference Type 2 (14.1+), when asked. */
  readonly partReq?: BodyRequest;
  readonly want: FetchWant;
  readonly body: BodyOptions;
  readonly version: ProtocolVersion;
}
const plans = new WeakMap<FetchedMessage, ItemPlan>();

type PartWant = NonNullable<FetchWant['parts']>[number];

/** One fetch for two plans: the union of parts (the larger cut of a part both need) and the source if either needs it. */
export function mergeWants(a: FetchWant, b: FetchWant): FetchWant {
  const parts = new Map<string, PartWant>();
  for (const p of [...(a.parts ?? []), ...(b.parts ?? [])]) {
    const prev = parts.get(p.part);
    if (!prev) {
      parts.set(p.part, p);
      continue;
    }
    const max = prev.maxBytes === undefined || p.maxBytes === undefined ? undefined : Math.max(prev.maxBytes, p.maxBytes);
    parts.set(p.part, max === undefined ? { part: prev.part, ...(prev.encoding ? { encoding: prev.encoding } : {}) } : { ...prev, maxBytes: max });
  }
  const source = a.source || b.source;
  const srcMax = source ? (a.source && b.source ? maxOrWhole(a.sourceMaxBytes, b.sourceMaxBytes) : a.source ? a.sourceMaxBytes : b.sourceMaxBytes) : undefined;
  const { parts: _ap, source: _as, sourceMaxBytes: _am, ...rest } = a;
  return {
    ...rest,
    ...(parts.size ? { parts: [...parts.values()] } : {}),
    ...(source ? { source: true } : {}),
    ...(srcMax !== undefined ? { sourceMaxBytes: srcMax } : {}),
  };
}

function maxOrWhole(x: number | undefined, y: number | undefined): number | undefined {
  return x === undefined || y === undefined ? undefined : Math.max(x, y);
}

/**
 * Builds the item. `msg` carries the first fetch; `bodyData` the part fetch
 * (parts or source) planned by `planItemFetch`.
 */
export function buildEmail(msg: FetchedMessage, bodyData: FetchedMessage | undefined, ctx: ItemContext): EasEmail {
  const { layout, req, partReq } = planItemFetch(msg, ctx);
  const env = msg.envelope;
  const h = parseHeaderFields(msg.headers);
  const merged: FetchedMessage = bodyData?.parts || bodyData?.source ? { ...msg, ...(bodyData.parts ? { parts: bodyData.parts } : {}), ...(bodyData.source ? { source: bodyData.source } : {}) } : msg;
  const { body, nativeType } = renderBody(req, layout, merged);
  const v12 = versionAtLeast(ctx.version, '12.0');
  const v14 = versionAtLeast(ctx.version, '14.0');
  const messageClass = messageClassOf(layout);
  const attachments: EasAttachment[] = layout.attachments.map((a) => ({
    displayName: attachmentName(a.part),
    fileReference: formatFileReference(ctx.serverId, a.part.part),
    method: a.embeddedMessage ? 5 : 1,
    estimatedDataSize: decodedSize(a.part),
    ...(a.part.contentId ? { contentId: a.part.contentId } : {}),
    ...(v12 ? { isInline: a.inline } : {}),
  }));
  const to = env?.to ?? [];
  const displayTo = to.map((a) => a.name || a.address || '').filter(Boolean).join('; ');
  // Filled property by property (same key order as before) instead of spreading a small object per optional field.
  const email: EasEmail = {};
  const toText = formatAddresses(to);
  if (toText !== undefined) email.to = toText;
  const cc = formatAddresses(env?.cc ?? []);
  if (cc !== undefined) email.cc = cc;
  const from = formatAddresses(env?.from ?? []);
  if (from !== undefined) email.from = from;
  const replyTo = formatAddresses(env?.replyTo ?? []);
  if (replyTo !== undefined) email.replyTo = replyTo;
  email.subject = env?.subject ?? '';
  email.dateReceived = msg.internalDate;
  if (displayTo) email.displayTo = displayTo;
  email.importance = importanceOf(h);
  email.read = msg.flags.includes('\\Seen');
  if (attachments.length) email.attachments = attachments;
  email.body = body;
  email.messageClass = messageClass;
  email.internetCPID = '65001';
  email.flag = flagOf(msg.flags);
  email.contentClass = messageClass.startsWith('IPM.Schedule') ? 'urn:content-classes:calendarmessage' : 'urn:content-classes:message';
  email.nativeBodyType = nativeType;
  if (partReq) {
    const r = renderBody(partReq, layout, merged).body;
    email.bodyPart = {
      status: 1,
      type: 2,
      estimatedDataSize: r.estimatedDataSize ?? 0,
      ...(r.truncated !== undefined ? { truncated: r.truncated } : {}),
      ...(r.data !== undefined ? { data: r.data } : {}),
      ...(r.preview !== undefined ? { preview: r.preview } : {}),
    };
  }
  if (layout.calendar && messageClass.startsWith('IPM.Schedule.Meeting')) {
    const bytes = merged.parts?.get(layout.calendar.part);
    const invitation = bytes && bytes.length <= MAX_CALENDAR_BYTES ? meetingRequestFromIcs(decodeCharset(bytes, layout.calendar.params['charset'])) : undefined;
    if (invitation) email.meetingRequest = invitation.meeting;
  }
  if (v14) {
    const root = threadRoot({ references: h.get('references'), inReplyTo: env?.inReplyTo, messageId: env?.messageId, subject: env?.subject });
    const cid = conversationId(root);
    email.conversationId = cid;
    email.conversationIndex = conversationIndex(cid, env?.date ?? msg.internalDate, replyDepth(h.get('references')));
    email.categories = categoriesOf(msg.flags);
    const verb = lastVerbOf(msg.flags);
    if (verb !== undefined) email.lastVerbExecuted = verb;
  }
  if (versionAtLeast(ctx.version, '16.0') && msg.flags.includes('\\Draft')) email.isDraft = true;
  return email;
}

/** The properties a flag change touches (Change command, MS-ASCMD 2.2.3.24): Read, Flag, Categories. */
export function buildEmailChange(flags: readonly string[], version: ProtocolVersion): EasEmail {
  const e: EasEmail = { read: flags.includes('\\Seen'), flag: flagOf(flags) };
  if (versionAtLeast(version, '14.0')) {
    e.categories = categoriesOf(flags);
    const verb = lastVerbOf(flags);
    if (verb !== undefined) e.lastVerbExecuted = verb;
  }
  return e;
}
