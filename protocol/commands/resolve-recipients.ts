import { child, el, type WbxmlElement } from '../wbxml/tree.ts';
import { versionAtLeast, type ProtocolVersion } from '../version.ts';
import { compact, expectRoot, failWith, optInt, reqText, texts, type Fail } from './util.ts';

/** ResolveRecipients Status values (MS-ASCMD 2.2.3.177.12). */
export const ResolveRecipientsStatus = {
  Success: 1,
  /** Per To: several matches, all returned. */
  Ambiguous: 2,
  /** Per To: several matches, some returned (MaxAmbiguousRecipients). */
  AmbiguousPartial: 3,
  Unresolved: 4,
  ProtocolError: 5,
  ServerError: 6,
  /** Certificates: none valid. */
  NoValidCertificates: 7,
  /** Certificates: MaxCertificates reached. */
  CertificateLimitReached: 8,
} as const;

/** Options (MS-ASCMD 2.2.3.125.4). CertificateRetrieval: 1 none, 2 full, 3 mini. */
export interface ResolveRecipientsOptions {
  readonly certificateRetrieval?: number;
  readonly maxCertificates?: number;
  readonly maxAmbiguousRecipients?: number;
  /** 14.0+: free/busy window (EAS date-time strings). */
  readonly availability?: { readonly startTime: string; readonly endTime?: string };
  /** 14.1+. */
  readonly picture?: { readonly maxSize?: number; readonly maxPictures?: number };
}

/** A ResolveRecipients request (MS-ASCMD 2.2.1.15): up to 100 names or addresses to resolve. */
export interface ResolveRecipientsRequest {
  readonly to: readonly string[];
  readonly options: ResolveRecipientsOptions;
}

/** One candidate for a To (MS-ASCMD 2.2.3.148). Type 1 = GAL, 2 = contact. Certificates are base64 strings. */
export interface ResolvedRecipient {
  readonly type: number;
  readonly displayName: string;
  readonly emailAddress: string;
  readonly availability?: { readonly status: number; readonly mergedFreeBusy?: string };
  readonly certificates?: {
    readonly status: number;
    readonly certificateCount?: number;
    readonly recipientCount?: number;
    readonly certificates?: readonly string[];
    readonly miniCertificate?: string;
  };
  readonly picture?: { readonly status: number; readonly data?: Uint8Array };
}

/** The answer for one To. */
export interface ResolveRecipientsResult {
  readonly to: string;
  readonly status: number;
  readonly recipients: readonly ResolvedRecipient[];
}

/** A ResolveRecipients response; results only with Status 1. */
export interface ResolveRecipientsResponse {
  readonly status: number;
  readonly results?: readonly ResolveRecipientsResult[];
}

const RR = 'ResolveRecipients';
/** MS-ASCMD 2.2.3.187.2: at most 100 To elements. */
const MAX_TO = 100;

function parseOptions(o: WbxmlElement | undefined, fail: Fail): ResolveRecipientsOptions {
  if (!o) return {};
  const av = child(o, 'Availability', RR);
  const pic = child(o, 'Picture', RR);
  const cr = optInt(o, 'CertificateRetrieval', RR, fail);
  if (cr !== undefined && (cr < 1 || cr > 3)) fail('CertificateRetrieval is not 1..3');
  return compact({
    certificateRetrieval: cr,
    maxCertificates: optInt(o, 'MaxCertificates', RR, fail),
    maxAmbiguousRecipients: optInt(o, 'MaxAmbiguousRecipients', RR, fail),
    availability: av ? compact({ startTime: reqText(av, 'StartTime', RR, fail), endTime: child(av, 'EndTime', RR) ? reqText(av, 'EndTime', RR, fail) : undefined }) : undefined,
    picture: pic ? compact({ maxSize: optInt(pic, 'MaxSize', RR, fail), maxPictures: optInt(pic, 'MaxPictures', RR, fail) }) : undefined,
  });
}

/** Parses a ResolveRecipients request; grammar errors (no To, over 100 To) are Status 5. */
export function parseResolveRecipientsRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): ResolveRecipientsRequest {
  const fail = failWith('ResolveRecipients', ResolveRecipientsStatus.ProtocolError);
  const r = expectRoot(root, RR, 'ResolveRecipients', fail);
  const to = texts(r, 'To', RR, fail).filter((t) => t.trim() !== '');
  if (to.length === 0) fail('no To');
  if (to.length > MAX_TO) fail(`more than ${MAX_TO} To`);
  return { to, options: parseOptions(child(r, 'Options', RR), fail) };
}

function buildRecipient(x: ResolvedRecipient, version: ProtocolVersion): WbxmlElement {
  const c = x.certificates;
  return el(RR, 'Recipient', [
    el(RR, 'Type', x.type),
    el(RR, 'DisplayName', x.displayName),
    el(RR, 'EmailAddress', x.emailAddress),
    x.availability && versionAtLeast(version, '14.0')
      ? el(RR, 'Availability', [
          el(RR, 'Status', x.availability.status),
          x.availability.mergedFreeBusy !== undefined ? el(RR, 'MergedFreeBusy', x.availability.mergedFreeBusy) : undefined,
        ])
      : undefined,
    c
      ? el(RR, 'Certificates', [
          el(RR, 'Status', c.status),
          c.certificateCount !== undefined ? el(RR, 'CertificateCount', c.certificateCount) : undefined,
          c.recipientCount !== undefined ? el(RR, 'RecipientCount', c.recipientCount) : undefined,
          ...(c.certificates ?? []).map((b64) => el(RR, 'Certificate', b64)),
          c.miniCertificate !== undefined ? el(RR, 'MiniCertificate', c.miniCertificate) : undefined,
        ])
      : undefined,
    x.picture && versionAtLeast(version, '14.1')
      ? el(RR, 'Picture', [el(RR, 'Status', x.picture.status), x.picture.data ? el(RR, 'Data', Buffer.from(x.picture.data).toString('base64')) : undefined])
      : undefined,
  ]);
}

/**
 * Builds a ResolveRecipients response (MS-ASCMD 2.2.1.15): Status, then per
 * To a Response { To, Status, RecipientCount, Recipient* }. Availability is
 * written from 14.0, Picture from 14.1.
 */
export function buildResolveRecipientsResponse(res: ResolveRecipientsResponse, version: ProtocolVersion): WbxmlElement {
  return el(RR, 'ResolveRecipients', [
    el(RR, 'Status', res.status),
    ...(res.results ?? []).map((r) =>
      el(RR, 'Response', [
        el(RR, 'To', r.to),
        el(RR, 'Status', r.status),
        el(RR, 'RecipientCount', r.recipients.length),
        ...r.recipients.map((x) => buildRecipient(x, version)),
      ]),
    ),
  ]);
}

