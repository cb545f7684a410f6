/**
 * Attachment FileReference (MS-ASAIRS 2.2.2.24): `<collectionId>:<n>:<part>`,
 * i.e. the item's ServerId plus the IMAP part id. It names nothing on its
 * own: ItemOperations resolves the ServerId through the requesting device's
 * own sync state (src/sync/state.ts), so a reference can never reach another
 * user's (or another device's) messages.
 */
export interface FileReference {
  readonly collectionId: string;
  readonly serverId: string;
  readonly part: string;
}

/** Builds the reference of part `part` of item `serverId` (`<collectionId>:<n>`). */
export function formatFileReference(serverId: string, part: string): string {
  return `${serverId}:${part}`;
}

/** Parses a reference; undefined when it is not one of ours (answer "not found"). */
export function parseFileReference(ref: string): FileReference | undefined {
  const m = /^([1-9]\d{0,9}):([1-9]\d{0,14}):(\d{1,4}(?:\.\d{1,4}){0,20})$/.exec(ref);
  if (!m) return undefined;
  return { collectionId: m[1]!, serverId: `${m[1]}:${m[2]}`, part: m[3]! };
}

/** Item ServerId `<collectionId>:<n>` (ARCHITECTURE "ServerIds are short and stable"). */
export function formatServerId(collectionId: string, n: number): string {
  return `${collectionId}:${n}`;
}

/** The collection a ServerId belongs to; undefined when malformed. */
export function collectionOfServerId(serverId: string): string | undefined {
  const m = /^([1-9]\d{0,9}):[1-9]\d{0,14}$/.exec(serverId);
  return m ? m[1] : undefined;
}
