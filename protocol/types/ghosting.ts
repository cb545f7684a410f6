/**
 * Ghosted properties (MS-ASCMD 2.2.3.179 Supported): in a Sync Change of a
 * Contacts or Calendar item, a property the device omits is deleted, unless
 * the device declared a Supported list for the collection and that property's
 * element is not in it; then it is "ghosted" and keeps its server value.
 *
 * This module maps elements to properties and merges a change onto the stored
 * item accordingly, so the sync engine need not know element names.
 */
import { CONTACT_STRING_FIELDS } from './contact.ts';
import type { EasContact } from './contact.ts';
import type { EasCalendar } from './calendar.ts';

/** An element named in Supported (as protocol/commands/sync.ts SupportedElement). */
export interface ElementName {
  readonly ns: string;
  readonly name: string;
}

/** Contact element (`Namespace:Name`) -> EasContact property. */
export const CONTACT_ELEMENTS: ReadonlyMap<string, keyof EasContact> = new Map<string, keyof EasContact>([
  ...CONTACT_STRING_FIELDS.map(([key, ns, name]) => [`${ns}:${name}`, key] as [string, keyof EasContact]),
  ['Contacts:Birthday', 'birthday'],
  ['Contacts:Anniversary', 'anniversary'],
  ['Contacts:Categories', 'categories'],
  ['Contacts:Children', 'children'],
]);

/** Calendar element (`Namespace:Name`) -> EasCalendar property, for the top-level properties a device may change. */
export const CALENDAR_ELEMENTS: ReadonlyMap<string, keyof EasCalendar> = new Map<string, keyof EasCalendar>([
  ['Calendar:TimeZone', 'timeZone'],
  ['Calendar:AllDayEvent', 'allDayEvent'],
  ['Calendar:StartTime', 'startTime'],
  ['Calendar:EndTime', 'endTime'],
  ['Calendar:Subject', 'subject'],
  ['Calendar:Location', 'location'],
  ['AirSyncBase:Location', 'location'],
  ['Calendar:Reminder', 'reminder'],
  ['Calendar:Sensitivity', 'sensitivity'],
  ['Calendar:BusyStatus', 'busyStatus'],
  ['Calendar:MeetingStatus', 'meetingStatus'],
  ['Calendar:Attendees', 'attendees'],
  ['Calendar:Categories', 'categories'],
  ['Calendar:Recurrence', 'recurrence'],
  ['Calendar:Exceptions', 'exceptions'],
  ['Calendar:ResponseRequested', 'responseRequested'],
  ['Calendar:DisallowNewTimeProposal', 'disallowNewTimeProposal'],
  ['Calendar:OnlineMeetingConfLink', 'onlineMeetingConfLink'],
  ['Calendar:OnlineMeetingExternalLink', 'onlineMeetingExternalLink'],
]);

/**
 * The item after applying a device's Change: present properties come from
 * `change`; an omitted mapped property is deleted, or kept from `previous`
 * when `supported` is given and does not name it (ghosted). Properties not in
 * `elements` (server-owned ones such as UID, organizer, DtStamp) and the body
 * are kept when omitted: a device that received a truncated body leaves it out
 * of its changes, and dropping it would lose the user's text.
 */
export function applyChange<T extends object>(
  previous: T,
  change: T,
  elements: ReadonlyMap<string, keyof T>,
  supported?: readonly ElementName[],
): T {
  const out: Record<string, unknown> = { ...(previous as Record<string, unknown>) };
  const declared = supported && new Set(supported.map((s) => `${s.ns}:${s.name}`));
  const mapped = new Set(elements.values());
  for (const key of mapped) {
    if ((change as Record<string, unknown>)[key as string] !== undefined) continue;
    const names = [...elements].filter(([, k]) => k === key).map(([n]) => n);
    const ghosted = declared !== undefined && !names.some((n) => declared.has(n));
    if (!ghosted) delete out[key as string];
  }
  for (const [k, v] of Object.entries(change)) if (v !== undefined) out[k] = v;
  return out as T;
}
