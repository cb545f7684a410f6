/**
 * The Email class (MS-ASEMAIL): what the server sends in Sync/ItemOperations/
 * Search, and what devices send back (read state, flag, categories; whole
 * drafts in 16.x).
 *
 * Element order follows the Exchange responses shown in MS-ASEMAIL section 4;
 * each token is written only in the versions that define it (MS-ASWBXML code
 * pages 2 Email, 17 AirSyncBase, 22 Email2).
 */
import { child, el, hasChild, opt } from '../wbxml/tree.ts';
import type { WbxmlElement } from '../wbxml/tree.ts';
import { versionAtLeast } from '../version.ts';
import type { ProtocolVersion } from '../version.ts';
import {
  attachmentChangesFromElements,
  attachmentsFromElements,
  attachmentsToElements,
  bodyFromElements,
  bodyPartToElements,
  bodyToElements,
  nativeBodyTypeToElements,
} from './body.ts';
import type { BodyType, EasAttachment, EasAttachmentChanges, EasBody, EasBodyPart } from './body.ts';
import { flagFromParent, flagToElement } from './email-flag.ts';
import type { EasFlag } from './email-flag.ts';
import { meetingRequestFromElement, meetingRequestToElement } from './meeting-request.ts';
import type { EasMeetingRequest } from './meeting-request.ts';
import { categoriesEl, clean, dateEl, readBool, readCategories, readDate, readInt, readText } from './values.ts';

/** MS-ASEMAIL 2.2.2.39 Importance: 0 low, 1 normal, 2 high. */
export type Importance = 0 | 1 | 2;

/** A message as the server describes it. Address fields are RFC 5322 address lists as text. */
export interface EasEmail {
  to?: string;
  cc?: string;
  from?: string;
  replyTo?: string;
  subject?: string;
  dateReceived?: Date;
  displayTo?: string;
  threadTopic?: string;
  importance?: Importance;
  read?: boolean;
  attachments?: EasAttachment[];
  body?: EasBody;
  /** 14.1+ */
  bodyPart?: EasBodyPart;
  /** IPM.Note, IPM.Schedule.Meeting.Request, ... (MS-ASEMAIL 2.2.2.47). */
  messageClass?: string;
  meetingRequest?: EasMeetingRequest;
  /** Code page of the original message, e.g. "65001" (MS-ASEMAIL 2.2.2.42). */
  internetCPID?: string;
  /** 12.0+; writing `null` sends an empty Flag (flag cleared). */
  flag?: EasFlag | null;
  /** 12.0+: urn:content-classes:message, ...calendarmessage. */
  contentClass?: string;
  /** 12.0+ */
  nativeBodyType?: BodyType;
  /** 14.0+ Email2 */
  umCallerId?: string;
  umUserNotes?: string;
  conversationId?: Uint8Array;
  conversationIndex?: Uint8Array;
  /** 0 unknown, 1 reply to sender, 2 reply to all, 3 forward (MS-ASEMAIL 2.2.2.45). */
  lastVerbExecuted?: number;
  lastVerbExecutionTime?: Date;
  receivedAsBcc?: boolean;
  sender?: string;
  /** 14.0+ (Email namespace). */
  categories?: string[];
  /** 14.1+ */
  accountId?: string;
  /** 16.0+ */
  isDraft?: boolean;
  /** 16.0+: only for drafts. */
  bcc?: string;
}

/**
 * What a device can send for an email in Sync Add/Change: read state, flag and
 * categories in every version that has them; in 16.x also the fields of a
 * draft and `send` (the draft is to be sent, MS-ASEMAIL 2.2.2.72).
 */
export interface EasEmailChange {
  read?: boolean;
  /** `null`: the flag was cleared (an empty Flag element). */
  flag?: EasFlag | null;
  categories?: string[];
  to?: string;
  cc?: string;
  bcc?: string;
  replyTo?: string;
  from?: string;
  subject?: string;
  importance?: Importance;
  body?: EasBody;
  attachments?: EasAttachmentChanges;
  send?: boolean;
}

const at = versionAtLeast;

/**
 * The children of ApplicationData for `e` in `version`, in the order Exchange
 * writes them, without the tokens the version lacks.
 */
export function emailToApplicationData(e: EasEmail, version: ProtocolVersion): WbxmlElement[] {
  const v12 = at(version, '12.0');
  const v14 = at(version, '14.0');
  const v141 = at(version, '14.1');
  const v16 = at(version, '16.0');
  const out: (WbxmlElement | undefined)[] = [
    opt('Email', 'To', e.to),
    opt('Email', 'Cc', e.cc),
    opt('Email', 'From', e.from),
    opt('Email', 'Subject', e.subject),
    opt('Email', 'ReplyTo', e.replyTo),
    dateEl('Email', 'DateReceived', e.dateReceived),
    opt('Email', 'DisplayTo', e.displayTo),
    opt('Email', 'ThreadTopic', e.threadTopic),
    opt('Email', 'Importance', e.importance),
    opt('Email', 'Read', e.read),
    ...attachmentsToElements(e.attachments, version),
    ...bodyToElements(e.body, version, 'Email'),
    ...bodyPartToElements(e.bodyPart, version),
    opt('Email', 'MessageClass', e.messageClass),
    e.meetingRequest ? meetingRequestToElement(e.meetingRequest, version) : undefined,
    opt('Email', 'InternetCPID', e.internetCPID),
    v12 && e.flag !== undefined ? flagToElement(e.flag ?? {}) : undefined,
    v12 ? opt('Email', 'ContentClass', e.contentClass) : undefined,
    ...nativeBodyTypeToElements(e.nativeBodyType, version),
  ];
  if (v14) {
    out.push(
      opt('Email2', 'UmCallerID', e.umCallerId),
      opt('Email2', 'UmUserNotes', e.umUserNotes),
      opt('Email2', 'ConversationId', e.conversationId),
      opt('Email2', 'ConversationIndex', e.conversationIndex),
      opt('Email2', 'LastVerbExecuted', e.lastVerbExecuted),
      dateEl('Email2', 'LastVerbExecutionTime', e.lastVerbExecutionTime),
      opt('Email2', 'ReceivedAsBcc', e.receivedAsBcc),
      opt('Email2', 'Sender', e.sender),
      categoriesEl('Email', e.categories),
    );
  }
  if (v141) out.push(opt('Email2', 'AccountId', e.accountId));
  if (v16) out.push(opt('Email2', 'IsDraft', e.isDraft), opt('Email2', 'Bcc', e.bcc));
  return out.filter((x): x is WbxmlElement => !!x);
}

function readImportance(a: WbxmlElement): Importance | undefined {
  const n = readInt(a, 'Email', 'Importance');
  // Out-of-range importance from a device is read as normal rather than failing the item.
  return n === undefined ? undefined : n === 0 || n === 2 ? n : 1;
}

function opaqueOrText(e: WbxmlElement, ns: string, name: string): Uint8Array | undefined {
  const c = child(e, name, ns);
  if (!c) return undefined;
  return c.opaque ?? new TextEncoder().encode(c.text ?? '');
}

/**
 * What the device changed or created (Sync Add/Change ApplicationData). Draft
 * fields and attachment edits are read from 16.0 only; earlier versions cannot
 * send them. Throws EasDataError for unreadable values.
 */
export function emailFromApplicationData(appData: WbxmlElement, version: ProtocolVersion): EasEmailChange {
  const change: EasEmailChange = clean({
    read: readBool(appData, 'Email', 'Read'),
    flag: flagFromParent(appData),
    categories: readCategories(appData, 'Email'),
  });
  if (!at(version, '16.0')) return change;
  return clean({
    ...change,
    to: readText(appData, 'Email', 'To'),
    cc: readText(appData, 'Email', 'Cc'),
    bcc: readText(appData, 'Email2', 'Bcc'),
    replyTo: readText(appData, 'Email', 'ReplyTo'),
    from: readText(appData, 'Email', 'From'),
    subject: readText(appData, 'Email', 'Subject'),
    importance: readImportance(appData),
    body: bodyFromElements(appData, 'Email'),
    attachments: attachmentChangesFromElements(appData),
    send: hasChild(appData, 'Send', 'Email2') ? true : undefined,
  });
}

/**
 * Reads a whole server-side Email ApplicationData back into an EasEmail (the
 * inverse of emailToApplicationData): for replaying captures and for tests.
 */
export function emailFromServerApplicationData(appData: WbxmlElement): EasEmail {
  const mr = child(appData, 'MeetingRequest', 'Email');
  const nbt = readInt(appData, 'AirSyncBase', 'NativeBodyType');
  const a = appData;
  return clean({
    to: readText(a, 'Email', 'To'),
    cc: readText(a, 'Email', 'Cc'),
    from: readText(a, 'Email', 'From'),
    replyTo: readText(a, 'Email', 'ReplyTo'),
    subject: readText(a, 'Email', 'Subject'),
    dateReceived: readDate(a, 'Email', 'DateReceived'),
    displayTo: readText(a, 'Email', 'DisplayTo'),
    threadTopic: readText(a, 'Email', 'ThreadTopic'),
    importance: readImportance(a),
    read: readBool(a, 'Email', 'Read'),
    attachments: attachmentsFromElements(a),
    body: bodyFromElements(a, 'Email'),
    messageClass: readText(a, 'Email', 'MessageClass'),
    meetingRequest: mr && (mr.children?.length ?? 0) > 0 ? meetingRequestFromElement(mr) : undefined,
    internetCPID: readText(a, 'Email', 'InternetCPID'),
    flag: flagFromParent(a),
    contentClass: readText(a, 'Email', 'ContentClass'),
    nativeBodyType: nbt !== undefined && nbt >= 1 && nbt <= 4 ? (nbt as BodyType) : undefined,
    umCallerId: readText(a, 'Email2', 'UmCallerID'),
    umUserNotes: readText(a, 'Email2', 'UmUserNotes'),
    conversationId: opaqueOrText(a, 'Email2', 'ConversationId'),
    conversationIndex: opaqueOrText(a, 'Email2', 'ConversationIndex'),
    lastVerbExecuted: readInt(a, 'Email2', 'LastVerbExecuted'),
    lastVerbExecutionTime: readDate(a, 'Email2', 'LastVerbExecutionTime'),
    receivedAsBcc: readBool(a, 'Email2', 'ReceivedAsBcc'),
    sender: readText(a, 'Email2', 'Sender'),
    categories: readCategories(a, 'Email'),
    accountId: readText(a, 'Email2', 'AccountId'),
    isDraft: readBool(a, 'Email2', 'IsDraft'),
    bcc: readText(a, 'Email2', 'Bcc'),
  });
}

/** ApplicationData element wrapping `children`, for callers that need the whole element. */
export function applicationData(children: WbxmlElement[]): WbxmlElement {
  return el('AirSync', 'ApplicationData', children);
}
