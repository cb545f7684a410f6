import { isBackendError } from '../../backends/errors.ts';
import type { DirectoryEntry } from '../../backends/directory/types.ts';
import type { UserSession } from '../../backends/types.ts';
import {
  buildResolveRecipientsResponse,
  parseResolveRecipientsRequest,
  ResolveRecipientsStatus,
  type ResolvedRecipient,
  type ResolveRecipientsRequest,
  type ResolveRecipientsResult,
} from '../../protocol/commands/resolve-recipients.ts';
import { parseEasDate } from '../../protocol/types/dates.ts';
import { versionAtLeast } from '../../protocol/version.ts';
import type { Services } from '../server/services.ts';
import { DEFAULT_MAX_AMBIGUOUS, FREE_BUSY_CONCURRENCY, MAX_AVAILABILITY_MS, MAX_CANDIDATES } from './directory/limits.ts';
import { mergedFreeBusy } from './directory/merged-free-busy.ts';
import { PictureBudget } from './directory/pictures.ts';
import type { CommandContext, CommandHandler, CommandResult } from './types.ts';

/** Recipient Type (MS-ASCMD 2.2.3.182.5): 1 from the GAL, 2 from the user's contacts. */
export const RecipientType = { Gal: 1, Contact: 2 } as const;

/** Availability Status (MS-ASCMD 2.2.3.177.12): 1 success, 162 temporary failure (retry later). */
export const AvailabilityStatus = { Success: 1, TryLater: 162 } as const;

/** CertificateRetrieval (MS-ASCMD 2.2.3.25): 1 = do not retrieve. */
const CERTIFICATES_NONE = 1;

/**
 * ResolveRecipients (MS-ASCMD 2.2.1.15). Each To (a name or an address) is
 * looked up in the GAL (Type 1) and in the user's own CardDAV address books
 * (Type 2; a contact whose address the GAL already gave is not repeated).
 * Only candidates with an address count. Per To: Status 1 for one, 2 for
 * several (3 when MaxAmbiguousRecipients, default 20, cut the list), 4 for
 * none. Always advertised: without a GAL it still resolves from contacts.
 *
 * - CertificateRetrieval 2 or 3: we hold no S/MIME certificates, so every
 *   recipient gets Certificates Status 7 ("no valid certificate") and
 *   CertificateCount 0.
 * - Availability (14.0+): MergedFreeBusy for StartTime..EndTime from the
 *   recipient's calendars on our CalDAV server (backends/dav/free-busy.ts);
 *   all "4" (no data) for a recipient with no calendar here; Availability
 *   Status 162 when the CalDAV server does not answer. An EndTime not after
 *   StartTime, a bad date or a window over 62 days: Status 5.
 * - Picture (14.1): as in Search (directory/pictures.ts).
 */
export const resolveRecipientsHandler: CommandHandler<ResolveRecipientsRequest, Services> = {
  name: 'ResolveRecipients',
  parse: (body, ctx) => parseResolveRecipientsRequest(body, ctx.protocolVersion),
  handle: handleResolve,
};

/** A recipient of the answer whose Availability is still to be looked up. */
interface PendingAvailability {
  readonly recipient: ResolvedRecipient;
  readonly entry: DirectoryEntry;
  /** Index in the results, and in that result's recipients. */
  readonly index: number;
  readonly slot: number;
}

interface Candidate {
  readonly type: number;
  readonly entry: DirectoryEntry;
}

function protocolError(version: CommandContext['protocolVersion']): CommandResult {
  return { body: buildResolveRecipientsResponse({ status: ResolveRecipientsStatus.ProtocolError }, version), easStatus: ResolveRecipientsStatus.ProtocolError };
}

async function handleResolve(ctx: CommandContext<Services>, req: ResolveRecipientsRequest): Promise<CommandResult> {
  const v = ctx.protocolVersion;
  const o = req.options;
  let window: { start: number; end: number } | undefined;
  if (o.availability && versionAtLeast(v, '14.0')) {
    const start = parseEasDate(o.availability.startTime)?.getTime();
    const end = o.availability.endTime !== undefined ? parseEasDate(o.availability.endTime)?.getTime() : start !== undefined ? start + 86_400_000 : undefined;
    if (start === undefined || end === undefined || end <= start || end - start > MAX_AVAILABILITY_MS) {
      ctx.log.info({ event: 'resolverecipients.bad-availability' }, 'Availability window invalid or too long');
      return protocolError(v);
    }
    window = { start, end };
  }
  const picture = versionAtLeast(v, '14.1') ? o.picture : undefined;
  const budget = picture ? new PictureBudget(picture) : undefined;
  const maxAmbiguous = o.maxAmbiguousRecipients ?? DEFAULT_MAX_AMBIGUOUS;
  const session: UserSession = { user: ctx.mailbox, password: ctx.password };

  const results: ResolveRecipientsResult[] = [];
  const pending: PendingAvailability[] = [];
  for (const to of req.to) {
    const all = await candidates(ctx, session, to, picture !== undefined);
    // MaxAmbiguousRecipients limits suggestions for an ambiguous To; a single match is always sent.
    const shown = all.length > 1 ? all.slice(0, Math.max(0, maxAmbiguous)) : all;
    const status = all.length === 0 ? ResolveRecipientsStatus.Unresolved : all.length === 1 ? ResolveRecipientsStatus.Success : shown.length < all.length ? ResolveRecipientsStatus.AmbiguousPartial : ResolveRecipientsStatus.Ambiguous;
    const recipients: ResolvedRecipient[] = shown.map((c) => ({
      type: c.type,
      displayName: c.entry.displayName,
      emailAddress: c.entry.emails[0]!,
      ...(o.certificateRetrieval !== undefined && o.certificateRetrieval !== CERTIFICATES_NONE
        ? { certificates: { status: ResolveRecipientsStatus.NoValidCertificates, certificateCount: 0 } }
        : {}),
      ...(budget ? { picture: budget.next(c.entry) } : {}),
    }));
    recipients.forEach((r, slot) => pending.push({ recipient: r, entry: shown[slot]!.entry, index: results.length, slot }));
    results.push({ to, status, recipients });
  }
  if (window) await addAvailability(ctx, session, window, pending, results);
  return { body: buildResolveRecipientsResponse({ status: ResolveRecipientsStatus.Success, results }, v), easStatus: ResolveRecipientsStatus.Success };
}

/** GAL matches, then contacts whose address the GAL did not give; only those with an address. */
async function candidates(ctx: CommandContext<Services>, session: UserSession, to: string, pictures: boolean): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const add = (type: number, entries: readonly DirectoryEntry[]): void => {
    for (const e of entries) {
      const addr = e.emails[0]?.toLowerCase();
      if (!addr || seen.has(addr)) continue;
      seen.add(addr);
      out.push({ type, entry: e });
    }
  };
  const { directory, contacts } = ctx.services;
  if (directory) add(RecipientType.Gal, await softly(ctx, 'gal', () => directory.lookup(session, to, { limit: MAX_CANDIDATES, pictures })));
  if (contacts) add(RecipientType.Contact, await softly(ctx, 'contacts', () => contacts.lookup(session, to, { limit: MAX_CANDIDATES, pictures })));
  return out.slice(0, MAX_CANDIDATES);
}

/**
 * A source the user may not read (Forbidden) or that has nothing for them
 * (NotFound: no address book home) gives no candidates; an outage still
 * fails the request (HTTP 503, ARCHITECTURE rule 9).
 */
async function softly(ctx: CommandContext<Services>, source: string, fn: () => Promise<DirectoryEntry[]>): Promise<DirectoryEntry[]> {
  try {
    return await fn();
  } catch (e) {
    if (isBackendError(e, 'Forbidden') || isBackendError(e, 'NotFound') || isBackendError(e, 'AuthFailed') || isBackendError(e, 'Invalid')) {
      ctx.log.info({ event: 'resolverecipients.source-skipped', source, err: (e as Error).message }, 'recipient source not usable for this user');
      return [];
    }
    throw e;
  }
}

async function addAvailability(
  ctx: CommandContext<Services>,
  session: UserSession,
  window: { start: number; end: number },
  pending: readonly PendingAvailability[],
  results: ResolveRecipientsResult[],
): Promise<void> {
  const fb = ctx.services.freeBusy;
  const byEmail = new Map(ctx.services.repos.mailboxes.list().flatMap((m) => (m.email ? [[m.email.toLowerCase(), m.name] as const] : [])));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pending.length) {
      const p = pending[next++]!;
      const email = p.recipient.emailAddress;
      let availability: NonNullable<ResolvedRecipient['availability']>;
      if (!fb) availability = { status: AvailabilityStatus.Success, mergedFreeBusy: mergedFreeBusy(window.start, window.end, undefined) };
      else {
        try {
          const login = byEmail.get(email.toLowerCase()) ?? email;
          const busy = await fb.busy(session, login, p.entry.emails, window);
          availability = { status: AvailabilityStatus.Success, mergedFreeBusy: mergedFreeBusy(window.start, window.end, busy) };
        } catch (e) {
          if (!isBackendError(e)) throw e;
          ctx.log.warn({ event: 'resolverecipients.free-busy-failed', err: e.message }, 'free/busy lookup failed');
          availability = { status: isBackendError(e, 'BackendUnavailable') ? AvailabilityStatus.TryLater : AvailabilityStatus.Success, ...(isBackendError(e, 'BackendUnavailable') ? {} : { mergedFreeBusy: mergedFreeBusy(window.start, window.end, undefined) }) };
        }
      }
      const r = results[p.index]!;
      const list = [...r.recipients];
      list[p.slot] = { ...list[p.slot]!, availability };
      results[p.index] = { ...r, recipients: list };
    }
  };
  await Promise.all(Array.from({ length: FREE_BUSY_CONCURRENCY }, worker));
}
