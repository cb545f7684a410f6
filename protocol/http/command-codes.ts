/**
 * EAS command names and their numeric codes in the base64-encoded query
 * (MS-ASHTTP 2.2.1.1.1.1.2). The table is the single source of the command
 * names the server understands: the plain query's `Cmd=` value is checked
 * against it, and OPTIONS advertises it.
 */
export const COMMAND_CODES = {
  Sync: 0,
  SendMail: 1,
  SmartForward: 2,
  SmartReply: 3,
  GetAttachment: 4,
  FolderSync: 9,
  FolderCreate: 10,
  FolderDelete: 11,
  FolderUpdate: 12,
  MoveItems: 13,
  GetItemEstimate: 14,
  MeetingResponse: 15,
  Search: 16,
  Settings: 17,
  Ping: 18,
  ItemOperations: 19,
  Provision: 20,
  ResolveRecipients: 21,
  ValidateCert: 22,
  Find: 23,
} as const;

/** A command name as it appears in `Cmd=` and in MS-ASProtocolCommands. */
export type EasCommandName = keyof typeof COMMAND_CODES;

/** All command names in code order; what OPTIONS lists (MS-ASHTTP 2.2.1.2.1 MS-ASProtocolCommands). */
export const EAS_COMMAND_NAMES: readonly EasCommandName[] = Object.freeze(
  (Object.keys(COMMAND_CODES) as EasCommandName[]).sort((a, b) => COMMAND_CODES[a] - COMMAND_CODES[b]),
);

const BY_CODE = new Map<number, EasCommandName>(EAS_COMMAND_NAMES.map((n) => [COMMAND_CODES[n], n]));

/** Whether `s` is a command name we know (case-sensitive, as MS-ASHTTP 2.2.1.1.1.2.1 spells them). */
export function isEasCommandName(s: string): s is EasCommandName {
  return Object.prototype.hasOwnProperty.call(COMMAND_CODES, s);
}

/** The command for a base64 query command code, or undefined for codes we do not know. */
export function commandForCode(code: number): EasCommandName | undefined {
  return BY_CODE.get(code);
}

/**
 * Tags of the base64 query's command parameters (MS-ASHTTP 2.2.1.1.1.1.3).
 * Tags 2 and 5 are unassigned; a tag we do not know is skipped, not fatal,
 * because its length byte still tells us where the next parameter starts.
 */
export const PARAMETER_TAGS = {
  0: 'AttachmentName',
  1: 'CollectionId',
  3: 'ItemId',
  4: 'LongId',
  6: 'Occurrence',
  7: 'Options',
  8: 'User',
} as const satisfies Record<number, string>;

/** Flags of the base64 `Options` parameter (MS-ASHTTP 2.2.1.1.1.1.3). */
export const OPTION_FLAGS = {
  SaveInSent: 0x01,
  AcceptMultiPart: 0x02,
} as const;
