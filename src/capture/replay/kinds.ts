/**
 * The values an EAS server chooses and a device sends back: where they
 * occur (element and URI parameter names, MS-ASCMD 2.2.3 / MS-ASHTTP
 * 2.2.1.1.1.2.5) and which of their values the client chose instead.
 * The binder (binder.ts) rewrites these in requests; the updater
 * (update.ts) writes them back in the recorded answers.
 */

/** What a server-produced value identifies. */
export type ValueKind = 'hierarchyKey' | 'syncKey' | 'folder' | 'item' | 'longId' | 'fileRef' | 'policyKey';

/** Element (`Namespace:Name`) -> what its text is. */
export const ELEMENT_KIND: ReadonlyMap<string, ValueKind> = new Map<string, ValueKind>([
  // MS-ASCMD 2.2.3.181.1-2: FolderSync/FolderCreate/FolderUpdate/FolderDelete keys.
  ['FolderHierarchy:SyncKey', 'hierarchyKey'],
  ['FolderHierarchy:ServerId', 'folder'],
  ['FolderHierarchy:ParentId', 'folder'],
  // MS-ASCMD 2.2.3.181.3-4: Sync and GetItemEstimate keys, per collection.
  ['AirSync:SyncKey', 'syncKey'],
  ['AirSync:CollectionId', 'folder'],
  ['GetItemEstimate:CollectionId', 'folder'],
  ['Ping:Id', 'folder'],
  // Ping response Folders/Folder carries a folder id as text (MS-ASCMD 2.2.3.73.1).
  ['Ping:Folder', 'folder'],
  ['ItemOperations:DstFldId', 'folder'],
  ['Move:SrcFldId', 'folder'],
  ['Move:DstFldId', 'folder'],
  ['ComposeMail:FolderId', 'folder'],
  ['MeetingResponse:CollectionId', 'folder'],
  ['AirSync:ServerId', 'item'],
  ['Move:SrcMsgId', 'item'],
  ['Move:DstMsgId', 'item'],
  ['ComposeMail:ItemId', 'item'],
  ['MeetingResponse:RequestId', 'item'],
  ['MeetingResponse:CalendarId', 'item'],
  ['Search:LongId', 'longId'],
  ['ComposeMail:LongId', 'longId'],
  ['AirSyncBase:FileReference', 'fileRef'],
  ['Provision:PolicyKey', 'policyKey'],
]);

/** URI parameters of the plain and base64 query (MS-ASHTTP 2.2.1.1.1.2.5) that carry server ids. */
export const PARAM_KIND: Readonly<Record<string, ValueKind>> = {
  CollectionId: 'folder',
  ParentId: 'folder',
  ItemId: 'item',
  LongId: 'longId',
  AttachmentName: 'fileRef',
};

/**
 * Values a client writes without asking the server: SyncKey 0 starts a
 * collection or the hierarchy, ParentId 0 is the root, an empty value is
 * absent. These are sent as they are.
 */
export function isClientValue(kind: ValueKind, value: string): boolean {
  if (value === '') return true;
  if ((kind === 'hierarchyKey' || kind === 'syncKey' || kind === 'policyKey') && value === '0') return true;
  return kind === 'folder' && value === '0';
}

/**
 * Elements whose content is an item's data, where servers legitimately
 * differ in which optional fields they send (Email:Cc, Calendar:Location,
 * the policy settings of an EASProvisionDoc, a Settings Get answer): the
 * comparison looks at their presence, not inside them (compare.ts).
 */
export const ITEM_CONTAINERS: ReadonlySet<string> = new Set([
  'AirSync:ApplicationData',
  'ItemOperations:Properties',
  'Search:Properties',
  'Find:Properties',
  'Provision:Data',
  'Settings:Get',
  'ResolveRecipients:Recipient',
]);
