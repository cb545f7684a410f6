import {
  buildFindEmailProperties,
  buildFindResponse,
  FindStatus,
  parseFindRequest,
  type FindEmailProperties,
  type FindRequest,
  type FindResponse,
  type FindResult,
} from '../../protocol/commands/find.ts';
import { CommonStatus } from '../../protocol/commands/common-status.ts';
import type { EasEmail } from '../../protocol/types/email.ts';
import { versionAtLeast } from '../../protocol/version.ts';
import type { Services } from '../server/services.ts';
import { heldItem } from './fetch/resolve.ts';
import { parseKql } from './mailbox-search/kql.ts';
import { isRefusal } from './mailbox-search/plan.ts';
import { buildPage, runMailboxSearch, type PageHit } from './mailbox-search/run.ts';
import { searchGal } from './search.ts';
import type { CommandContext, CommandHandler, CommandResult } from './types.ts';

/**
 * Find (MS-ASCMD 2.2.1.2, protocol 16.1): the mailbox search of Outlook
 * mobile and iOS 16+, with its query in KQL (mailbox-search/kql.ts), and
 * the GAL by text.
 *
 * - Mailbox: the same runner as Search Store Mailbox (folders, IMAP SEARCH,
 *   newest first, hits kept per device, Range capped at 100, Total). A hit
 *   the device synced carries its own ServerId; any other the LongId of
 *   the message, which ItemOperations, SmartReply/SmartForward and
 *   MoveItems take in place of a ServerId. Properties are the find:
 *   set (Subject, DateReceived, DisplayTo/Cc/Bcc, Importance, Read,
 *   IsDraft, Preview of 255 characters, HasAttachments, From).
 * - GAL: Search's GAL rules (search.ts `searchGal`), gal:* in Properties.
 * - A query the KQL subset does not take, over the caps, an unknown
 *   CollectionId: Response Status 2. IMAP too slow
 *   (EAS_SEARCH_TIMEOUT_MS): Status 111, retry later.
 *
 * The Find code page exists only from 16.1 (MS-ASWBXML 2.1.2.1.26): a
 * Find sent with a lower MS-ASProtocolVersion gets HTTP 400, since no
 * answer could be encoded in that version.
 */
export const findHandler: CommandHandler<FindRequest, Services> = {
  name: 'Find',
  parse: (body, ctx) => parseFindRequest(body, ctx.protocolVersion),
  handle: handleFind,
};

function answer(res: FindResponse, ctx: CommandContext<Services>): CommandResult {
  return { body: buildFindResponse(res, ctx.protocolVersion), easStatus: res.response?.status ?? res.status };
}

function refused(ctx: CommandContext<Services>, reason: string): CommandResult {
  ctx.log.info({ event: 'find.refused', reason }, 'Find query refused');
  return answer({ status: FindStatus.Success, response: { status: FindStatus.InvalidRequest, results: [] } }, ctx);
}

async function handleFind(ctx: CommandContext<Services>, req: FindRequest): Promise<CommandResult> {
  if (!versionAtLeast(ctx.protocolVersion, '16.1')) {
    // No Find answer can be written in this version either: its tokens do not exist there.
    ctx.log.info({ event: 'find.version', version: ctx.protocolVersion }, 'Find below protocol 16.1');
    return { httpStatus: 400, easStatus: 'FindNeeds16.1' };
  }
  const c = req.criterion;
  if (c.kind === 'gal') {
    const found = await searchGal(ctx, c.query, c.options.range, c.options.picture);
    const results: FindResult[] = found.entries.map((properties) => ({ properties }));
    return answer({ status: FindStatus.Success, response: { status: found.status, results, ...pageOf(found.start, results.length), ...(found.total !== undefined ? { total: found.total } : {}) } }, ctx);
  }
  const match = parseKql(c.freeText);
  if (isRefusal(match)) return refused(ctx, match.reason);
  const outcome = await runMailboxSearch(ctx, {
    plan: { classes: c.classes, collectionIds: c.collectionIds, match },
    deepTraversal: c.options.deepTraversal,
    rebuildResults: false,
    ...(c.options.range ? { range: c.options.range } : {}),
  });
  if (outcome.kind === 'refused') {
    if (outcome.refused === 'invalid') return refused(ctx, outcome.reason);
    return answer({ status: CommonStatus.ServerErrorRetryLater }, ctx);
  }
  // A plain-text body cut at the preview length: one part fetch per message, cut on the server.
  const body = { bodyPreferences: [{ type: 1, truncationSize: PREVIEW_CHARS * 4 }] };
  const built = await buildPage(ctx, outcome.page, body, (h) => ownServerId(ctx, h) ?? h.longId);
  const results: FindResult[] = built.map((b) => ({
    class: 'Email',
    serverId: b.serverId,
    collectionId: String(b.hit.folder.id),
    properties: buildFindEmailProperties(findProperties(b.email)),
  }));
  return answer({ status: FindStatus.Success, response: { status: FindStatus.Success, results, ...pageOf(outcome.start, results.length), total: outcome.total } }, ctx);
}

function pageOf(start: number, n: number): { range?: { start: number; end: number } } {
  return n ? { range: { start, end: start + n - 1 } } : {};
}

/** The device's ServerId for a hit it synced, so that the phone opens its own copy. */
function ownServerId(ctx: CommandContext<Services>, h: PageHit): string | undefined {
  return heldItem(ctx, { folderId: h.folder.id, uidValidity: h.uidValidity, uid: h.uid })?.item.serverId;
}

/** MS-ASCMD 2.2.3.137: at most 255 characters. */
const PREVIEW_CHARS = 255;

/** Display names of an address list as src/sync/email-item.ts formats it (`"Name" <addr>, addr2`), `; `-separated as DisplayTo. */
export function displayNames(list: string | undefined): string | undefined {
  if (!list) return undefined;
  const names: string[] = [];
  for (const m of list.matchAll(/"((?:[^"\\]|\\.)*)"(?:\s*<[^>]*>)?|([^,\s][^,]*)/gu)) {
    const name = m[1] !== undefined ? m[1].replace(/\\(.)/gu, '$1') : (m[2] ?? '').trim();
    if (name) names.push(name);
  }
  return names.length ? names.join('; ') : undefined;
}

function findProperties(e: EasEmail): FindEmailProperties {
  const text = e.body?.data?.replace(/\s+/gu, ' ').trim();
  const p: { -readonly [K in keyof FindEmailProperties]: FindEmailProperties[K] } = {
    subject: e.subject ?? '',
    read: e.read ?? false,
    hasAttachments: (e.attachments?.length ?? 0) > 0,
  };
  if (e.dateReceived) p.dateReceived = e.dateReceived;
  if (e.displayTo) p.displayTo = e.displayTo;
  const cc = displayNames(e.cc);
  if (cc) p.displayCc = cc;
  const bcc = displayNames(e.bcc);
  if (bcc) p.displayBcc = bcc;
  if (e.importance !== undefined) p.importance = e.importance;
  if (e.isDraft !== undefined) p.isDraft = e.isDraft;
  if (text) p.preview = [...text].slice(0, PREVIEW_CHARS).join('');
  if (e.from) p.from = e.from;
  return p;
}
