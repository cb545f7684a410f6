/**
 * Bodies and attachments of every EAS class, in both wire forms:
 * - 12.0 and later: AirSyncBase Body / Attachments / NativeBodyType (MS-ASAIRS 2.2.2);
 * - 2.5: Body, BodyTruncated, BodySize in the class namespace (and for Email
 *   MIMEData/MIMETruncated/MIMESize and Email Attachments with AttName, AttSize,
 *   AttOid, AttMethod; MS-ASEMAIL 2.2.2, MS-ASCAL 2.2.2.9, MS-ASCNTC 2.2.2.10,
 *   MS-ASTASK 2.2.2.2).
 */
import { child, childrenNamed, el, opt, textOf } from '../wbxml/tree.ts';
import type { WbxmlElement } from '../wbxml/tree.ts';
import { versionAtLeast } from '../version.ts';
import type { ProtocolVersion } from '../version.ts';
import { clean, readBool, readInt, readText } from './values.ts';

/** MS-ASAIRS 2.2.2.22.1 Type: 1 plain text, 2 HTML, 3 RTF, 4 MIME. */
export type BodyType = 1 | 2 | 3 | 4;

/** MS-ASAIRS 2.2.2.9 Body (or the 2.5 class-namespace body). */
export interface EasBody {
  type: BodyType;
  /** Size of the whole body in bytes, before truncation. */
  estimatedDataSize?: number;
  truncated?: boolean;
  data?: string;
  /** MS-ASAIRS 2.2.2.37 Preview (14.0+): plain-text start of the body. */
  preview?: string;
}

/** MS-ASAIRS 2.2.2.10 BodyPart (14.1+): the conversation-trimmed HTML part of a message. */
export interface EasBodyPart {
  /** 1 success, 176 too large to fetch (MS-ASAIRS 2.2.2.40.1). */
  status: number;
  type: 2;
  estimatedDataSize?: number;
  truncated?: boolean;
  data?: string;
  preview?: string;
}

/** MS-ASAIRS 2.2.2.7 Attachment (2.5: Email Attachment). `fileReference` is what ItemOperations/GetAttachment fetch by. */
export interface EasAttachment {
  displayName?: string;
  fileReference: string;
  /** MS-ASAIRS 2.2.2.31 Method: 1 normal, 5 embedded message, 6 OLE. */
  method: number;
  estimatedDataSize: number;
  contentId?: string;
  contentLocation?: string;
  isInline?: boolean;
  /** Email2 UmAttDuration / UmAttOrder (14.0+, voice mail). */
  umAttDuration?: number;
  umAttOrder?: number;
}

/** An attachment a 16.x client adds to a draft or an event (MS-ASAIRS 2.2.2.2 Add). */
export interface EasAttachmentAdd {
  clientId: string;
  method: number;
  content: Uint8Array;
  displayName?: string;
  contentType?: string;
  contentId?: string;
  contentLocation?: string;
  isInline?: boolean;
}

/** Attachment edits a 16.x client sends in Sync Add/Change (MS-ASAIRS 2.2.2.8 Attachments with Add/Delete). */
export interface EasAttachmentChanges {
  add: EasAttachmentAdd[];
  /** FileReferences to remove. */
  delete: string[];
}

/** Namespaces that have their own 2.5 body elements. */
export type LegacyBodyNamespace = 'Email' | 'Calendar' | 'Contacts' | 'Tasks';

const airsyncbaseFrom = (v: ProtocolVersion): boolean => versionAtLeast(v, '12.0');

/**
 * Body elements for ApplicationData: `[airsyncbase:Body]` from 12.0, the
 * class-namespace elements for 2.5. A 2.5 MIME body is only possible for Email
 * (MIMEData); for other classes it is written as text. Preview only from 14.0.
 */
export function bodyToElements(body: EasBody | undefined, version: ProtocolVersion, legacyNs: LegacyBodyNamespace): WbxmlElement[] {
  if (!body) return [];
  if (airsyncbaseFrom(version)) {
    return [
      el('AirSyncBase', 'Body', [
        el('AirSyncBase', 'Type', body.type),
        opt('AirSyncBase', 'EstimatedDataSize', body.estimatedDataSize),
        opt('AirSyncBase', 'Truncated', body.truncated),
        opt('AirSyncBase', 'Data', body.data),
        versionAtLeast(version, '14.0') ? opt('AirSyncBase', 'Preview', body.preview) : undefined,
      ]),
    ];
  }
  const size = body.estimatedDataSize ?? (body.data !== undefined ? Buffer.byteLength(body.data, 'utf8') : undefined);
  if (legacyNs === 'Email' && body.type === 4) {
    return [
      opt('Email', 'MIMETruncated', body.truncated ?? false),
      opt('Email', 'MIMESize', size),
      opt('Email', 'MIMEData', body.data),
    ].filter((e): e is WbxmlElement => !!e);
  }
  // Calendar 2.5 has no BodySize token (MS-ASWBXML code page 4).
  return [
    opt(legacyNs, 'Body', body.data),
    legacyNs === 'Calendar' ? undefined : opt(legacyNs, 'BodySize', size),
    opt(legacyNs, 'BodyTruncated', body.truncated ?? false),
  ].filter((e): e is WbxmlElement => !!e);
}

/**
 * Reads the body of an ApplicationData (or Exception) element in either form;
 * AirSyncBase wins when a client sends both. Undefined when there is none.
 */
export function bodyFromElements(parent: WbxmlElement, legacyNs: LegacyBodyNamespace): EasBody | undefined {
  const b = child(parent, 'Body', 'AirSyncBase');
  if (b) return bodyFromElement(b);
  if (legacyNs === 'Email' && child(parent, 'MIMEData', 'Email')) {
    return clean<EasBody>({
      type: 4,
      data: readText(parent, 'Email', 'MIMEData'),
      truncated: readBool(parent, 'Email', 'MIMETruncated'),
      estimatedDataSize: readInt(parent, 'Email', 'MIMESize'),
    });
  }
  const legacy = child(parent, 'Body', legacyNs);
  if (!legacy) return undefined;
  return clean<EasBody>({
    type: 1,
    data: textOf(legacy),
    truncated: readBool(parent, legacyNs, 'BodyTruncated'),
    estimatedDataSize: legacyNs === 'Calendar' ? undefined : readInt(parent, legacyNs, 'BodySize'),
  });
}

/**
 * Reads one `airsyncbase:Body` element (MS-ASAIRS 2.2.2.9), e.g. the body of a
 * 16.x MeetingResponse SendResponse. An unknown Type is read as plain text.
 */
export function bodyFromElement(b: WbxmlElement): EasBody {
  const type = readInt(b, 'AirSyncBase', 'Type') ?? 1;
  return clean<EasBody>({
    type: (type >= 1 && type <= 4 ? type : 1) as BodyType,
    estimatedDataSize: readInt(b, 'AirSyncBase', 'EstimatedDataSize'),
    truncated: readBool(b, 'AirSyncBase', 'Truncated'),
    data: readText(b, 'AirSyncBase', 'Data'),
    preview: readText(b, 'AirSyncBase', 'Preview'),
  });
}

/** MS-ASAIRS 2.2.2.10 BodyPart element (14.1+); nothing for older versions. */
export function bodyPartToElements(part: EasBodyPart | undefined, version: ProtocolVersion): WbxmlElement[] {
  if (!part || !versionAtLeast(version, '14.1')) return [];
  return [
    el('AirSyncBase', 'BodyPart', [
      el('AirSyncBase', 'Status', part.status),
      el('AirSyncBase', 'Type', part.type),
      opt('AirSyncBase', 'EstimatedDataSize', part.estimatedDataSize),
      opt('AirSyncBase', 'Truncated', part.truncated),
      opt('AirSyncBase', 'Data', part.data),
      opt('AirSyncBase', 'Preview', part.preview),
    ]),
  ];
}

/** MS-ASAIRS 2.2.2.32 NativeBodyType (12.0+): the type the item is stored in. */
export function nativeBodyTypeToElements(type: BodyType | undefined, version: ProtocolVersion): WbxmlElement[] {
  return type !== undefined && airsyncbaseFrom(version) ? [el('AirSyncBase', 'NativeBodyType', type)] : [];
}

/**
 * Attachments for ApplicationData: AirSyncBase Attachments from 12.0, Email
 * Attachments (AttMethod, AttSize, DisplayName, AttName) in 2.5. An empty list
 * writes nothing.
 */
export function attachmentsToElements(atts: readonly EasAttachment[] | undefined, version: ProtocolVersion): WbxmlElement[] {
  if (!atts || atts.length === 0) return [];
  if (airsyncbaseFrom(version)) {
    const um = versionAtLeast(version, '14.0');
    return [
      el(
        'AirSyncBase',
        'Attachments',
        atts.map((a) =>
          el('AirSyncBase', 'Attachment', [
            opt('AirSyncBase', 'DisplayName', a.displayName),
            el('AirSyncBase', 'FileReference', a.fileReference),
            el('AirSyncBase', 'Method', a.method),
            el('AirSyncBase', 'EstimatedDataSize', a.estimatedDataSize),
            opt('AirSyncBase', 'ContentId', a.contentId),
            opt('AirSyncBase', 'ContentLocation', a.contentLocation),
            opt('AirSyncBase', 'IsInline', a.isInline),
            um ? opt('Email2', 'UmAttDuration', a.umAttDuration) : undefined,
            um ? opt('Email2', 'UmAttOrder', a.umAttOrder) : undefined,
          ]),
        ),
      ),
    ];
  }
  return [
    el(
      'Email',
      'Attachments',
      atts.map((a) =>
        el('Email', 'Attachment', [
          el('Email', 'AttMethod', a.method),
          el('Email', 'AttSize', a.estimatedDataSize),
          opt('Email', 'DisplayName', a.displayName),
          el('Email', 'AttName', a.fileReference),
        ]),
      ),
    ),
  ];
}

/** Attachments of an ApplicationData element in either form; undefined when there are none. */
export function attachmentsFromElements(parent: WbxmlElement): EasAttachment[] | undefined {
  const asb = child(parent, 'Attachments', 'AirSyncBase');
  if (asb) {
    return childrenNamed(asb, 'Attachment', 'AirSyncBase').map((a) =>
      clean({
        displayName: readText(a, 'AirSyncBase', 'DisplayName'),
        fileReference: readText(a, 'AirSyncBase', 'FileReference') ?? '',
        method: readInt(a, 'AirSyncBase', 'Method') ?? 1,
        estimatedDataSize: readInt(a, 'AirSyncBase', 'EstimatedDataSize') ?? 0,
        contentId: readText(a, 'AirSyncBase', 'ContentId'),
        contentLocation: readText(a, 'AirSyncBase', 'ContentLocation'),
        isInline: readBool(a, 'AirSyncBase', 'IsInline'),
        umAttDuration: readInt(a, 'Email2', 'UmAttDuration'),
        umAttOrder: readInt(a, 'Email2', 'UmAttOrder'),
      }),
    );
  }
  const legacy = child(parent, 'Attachments', 'Email');
  if (!legacy) return undefined;
  return childrenNamed(legacy, 'Attachment', 'Email').map((a) =>
    clean({
      displayName: readText(a, 'Email', 'DisplayName'),
      fileReference: readText(a, 'Email', 'AttName') ?? '',
      method: readInt(a, 'Email', 'AttMethod') ?? 1,
      estimatedDataSize: readInt(a, 'Email', 'AttSize') ?? 0,
    }),
  );
}

/**
 * The Add/Delete attachment edits of a 16.x client request (MS-ASAIRS 2.2.2.2,
 * 2.2.2.18). Undefined when the request has no such edits. Content arrives as
 * OPAQUE; a client that sends it as text is read as base64.
 */
export function attachmentChangesFromElements(parent: WbxmlElement): EasAttachmentChanges | undefined {
  const asb = child(parent, 'Attachments', 'AirSyncBase');
  if (!asb) return undefined;
  const adds = childrenNamed(asb, 'Add', 'AirSyncBase');
  const dels = childrenNamed(asb, 'Delete', 'AirSyncBase');
  if (adds.length === 0 && dels.length === 0) return undefined;
  return {
    add: adds.map((a) => {
      const c = child(a, 'Content', 'AirSyncBase');
      const content = c?.opaque ?? new Uint8Array(Buffer.from(c?.text ?? '', 'base64'));
      return clean({
        clientId: readText(a, 'AirSyncBase', 'ClientId') ?? '',
        method: readInt(a, 'AirSyncBase', 'Method') ?? 1,
        content,
        displayName: readText(a, 'AirSyncBase', 'DisplayName'),
        contentType: readText(a, 'AirSyncBase', 'ContentType'),
        contentId: readText(a, 'AirSyncBase', 'ContentId'),
        contentLocation: readText(a, 'AirSyncBase', 'ContentLocation'),
        isInline: readBool(a, 'AirSyncBase', 'IsInline'),
      });
    }),
    delete: dels.map((d) => readText(d, 'AirSyncBase', 'FileReference') ?? '').filter((r) => r !== ''),
  };
}

/** The parts of a BodyPreference (MS-ASAIRS 2.2.2.7) that shape a body; structurally matches protocol/commands' BodyPreference. */
export interface BodyShaping {
  /** Bytes of Data to send at most (MS-ASAIRS 2.2.2.41). */
  readonly truncationSize?: number;
  /** Send all of the body or none of it (MS-ASAIRS 2.2.2.4). */
  readonly allOrNone?: boolean;
  /** Characters of plain-text Preview, 0..255 (MS-ASAIRS 2.2.2.37). */
  readonly preview?: number;
}

/**
 * The body to send for `data` (the whole body in `type`) under a preference:
 * EstimatedDataSize is the full size in UTF-8 bytes; Data is cut to
 * TruncationSize bytes on a character boundary (or left out entirely with
 * AllOrNone when it does not fit); Preview is the first `preview` characters
 * of `previewText` (plain text; defaults to `data` for plain-text bodies) with
 * whitespace runs collapsed.
 */
export function shapeBody(type: BodyType, data: string, pref: BodyShaping = {}, previewText?: string): EasBody {
  const bytes = Buffer.from(data, 'utf8');
  const body: EasBody = { type, estimatedDataSize: bytes.length, truncated: false, data };
  const limit = pref.truncationSize;
  if (limit !== undefined && bytes.length > limit) {
    body.truncated = true;
    if (pref.allOrNone) delete body.data;
    else body.data = cutUtf8(bytes, limit);
  }
  const source = previewText ?? (type === 1 ? data : undefined);
  if (pref.preview && source !== undefined) {
    body.preview = Array.from(source.replace(/\s+/g, ' ').trim()).slice(0, Math.min(pref.preview, 255)).join('');
  }
  return body;
}

function cutUtf8(bytes: Buffer, limit: number): string {
  let end = Math.max(0, limit);
  // Step back over continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
