/**
 * The writing half of event.ts: a device's Calendar item (MS-ASCAL 2.2.2)
 * applied to a VCALENDAR, with MS-ASCMD 2.2.3.9 Change semantics.
 *
 * - Times are written in the item's TimeZone: the stored TZID when its rules
 *   are the blob's (so a round trip leaves DTSTART byte-identical), else the
 *   IANA zone the blob matches, with a VTIMEZONE generated from the blob.
 * - A recurrence that reads back as the item's pattern keeps its RRULE as
 *   stored: a rule EAS could only approximate is not replaced by the
 *   approximation when the device merely edited the subject.
 * - Exceptions, when sent, replace EXDATE and the override VEVENTs; an
 *   override is rebuilt from its old self (or the master) so its own X-
 *   properties survive.
 * - SEQUENCE goes up when the start, end or recurrence set changed
 *   (RFC 5545 3.8.7.4); DTSTAMP is always `now`.
 */
import ICAL from 'ical.js';
import { allDayDatesOf } from '../../protocol/types/all-day.ts';
import type { EasCalendarChange, EasException } from '../../protocol/types/calendar.ts';
import { hasDaylightSaving, toLocalWallTime } from '../../protocol/types/timezone.ts';
import type { EasTimeZone } from '../../protocol/types/timezone.ts';
import { ianaFromTimeZone, sameTimeZoneRules, utcTimeZone } from '../../protocol/types/timezone-iana.ts';
import { BackendError } from '../errors.ts';
import { writePlainFields } from './event-fields.ts';
import type { EventWarning, PlainFields } from './event-fields.ts';
import { recurrenceFromRrule, rruleProperty, sameRecurrence } from './event-recurrence.ts';
import { Zones, dateText, icalTime, instantOf, masterSpan, readWhen, readWhens, setTimeProp, timeIn, tzidOf, untilInstant } from './event-time.ts';
import type { Frame, Span } from './event-time.ts';
import { UTC_ZONE, blobOf, blobZone, toWall, vtimezoneFromBlob, vtimezoneZone } from './vtimezone.ts';
import type { Zone } from './vtimezone.ts';

type IcalComponent = InstanceType<typeof ICAL.Component>;
type IcalTime = InstanceType<typeof ICAL.Time>;

export interface PatchContext {
  readonly isNew: boolean;
  readonly now: Date;
  readonly userEmail?: string;
  readonly warnings: EventWarning[];
}

const PLAIN_KEYS = [
  'subject', 'location', 'body', 'categories', 'sensitivity', 'busyStatus', 'reminder', 'meetingStatus', 'attendees',
  'responseType', 'organizerName', 'organizerEmail', 'disallowNewTimeProposal',
] as const;

function plainOf(f: object, onlyDefined = false): PlainFields {
  const src = f as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of PLAIN_KEYS) if (!onlyDefined || src[k] !== undefined) out[k] = src[k];
  return out as PlainFields;
}

/** A TZID for a blob no IANA zone matches: its own name, kept apart from real zone names. */
function customTzid(blob: EasTimeZone): string {
  const name = blob.standardName.replace(/[^A-Za-z0-9 ._+-]/g, '').trim();
  if (name) return `EAS/${name}`;
  const off = -(blob.bias + blob.standardBias);
  const abs = Math.abs(off);
  return `EAS/UTC${off < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/**
 * The zone to write times in. A blob with DST rules that no IANA zone has
 * still gets a TZID and VTIMEZONE of its own: in UTC a weekly 09:00 meeting
 * would drift by an hour at every change. A fixed offset without a name is
 * exact in UTC.
 */
function chooseZone(blob: EasTimeZone, year: number, base: Frame | undefined): Zone {
  if (base && base.zone !== UTC_ZONE && base.zone.tzid && sameTimeZoneRules(blobOf(base.zone, year), blob)) return base.zone;
  const m = ianaFromTimeZone(blob, { year });
  if (m.kind === 'iana') return m.zone === 'UTC' ? UTC_ZONE : blobZone(blob, m.zone, m.zone);
  if (hasDaylightSaving(blob)) return blobZone(blob, customTzid(blob));
  if (m.zone && m.zone !== 'Etc/UTC') return blobZone(blob, m.zone, m.zone);
  return UTC_ZONE;
}

/** Adds (first in the VCALENDAR) or refreshes the VTIMEZONE of a zone written from a blob; one with the same rules is kept as is. */
function ensureVtimezone(vcal: IcalComponent, zone: Zone, year: number): void {
  if (!zone.tzid || !zone.blob) return;
  const existing = vcal.getAllSubcomponents('vtimezone').find((c) => c.getFirstPropertyValue('tzid') === zone.tzid);
  if (existing) {
    const z = vtimezoneZone(existing);
    if (z && sameTimeZoneRules(blobOf(z, year), zone.blob)) return;
    vcal.removeSubcomponent(existing);
  }
  // getAllSubcomponents hands out the live list: copy it before emptying.
  const subs = [...vcal.getAllSubcomponents()];
  vcal.removeAllSubcomponents();
  vcal.addSubcomponent(vtimezoneFromBlob(zone.tzid, zone.blob));
  for (const s of subs) vcal.addSubcomponent(s);
}

const midnight = (date: string): number => Date.parse(`${date}T00:00:00Z`);

/** DTSTART/DTEND of `ev` for the span: DATE values for all-day (dates taken in the blob, never shifted), else times in `zone`. */
function writeSpan(ev: IcalComponent, startUtc: number, endUtc: number, allDay: boolean, zone: Zone, blob: EasTimeZone, keepDuration: boolean): void {
  if (allDay) {
    const d = allDayDatesOf(new Date(startUtc), new Date(endUtc), blob);
    setTimeProp(ev, 'dtstart', icalTime(midnight(d.start), 'date'), undefined);
    if (keepDuration) return;
    setTimeProp(ev, 'dtend', icalTime(midnight(d.end), 'date'), undefined);
  } else {
    const s = timeIn(zone, startUtc);
    setTimeProp(ev, 'dtstart', s.time, s.tzid);
    if (keepDuration) return;
    const e = timeIn(zone, Math.max(startUtc, endUtc));
    setTimeProp(ev, 'dtend', e.time, e.tzid);
  }
  ev.removeAllProperties('duration');
}

/** An instance's original start as RECURRENCE-ID / EXDATE wants it: the master's form (RFC 5545 3.8.4.4, 3.8.5.1). */
function instanceValue(t: number, allDay: boolean, zone: Zone, blob: EasTimeZone): { time: IcalTime; tzid?: string } {
  if (allDay) return { time: icalTime(midnight(dateText(toLocalWallTime(blob, new Date(t)).getTime())), 'date') };
  return timeIn(zone, t);
}

/** What SEQUENCE depends on, as instants, so a TZID rewritten for the same times is no change. */
function scheduleSignature(vcal: IcalComponent, master: IcalComponent, now: number): string {
  const zones = new Zones(vcal, []);
  const span = masterSpan(master, zones, now);
  const set = (name: string): number[] => master.getAllProperties(name).flatMap((p) => readWhens(p, zones)).map((w) => instantOf(w, span.frame)).sort((a, b) => a - b);
  return JSON.stringify([
    span.startUtc, span.endUtc, span.frame.allDay,
    master.getAllProperties('rrule').map((p) => p.toICALString()), set('rdate'), set('exdate'),
  ]);
}

const isOverrideOf = (e: IcalComponent, master: IcalComponent): boolean =>
  e !== master && e.hasProperty('recurrence-id') && e.getFirstPropertyValue('uid') === master.getFirstPropertyValue('uid');

/** Applies `item` to `master` (and the override VEVENTs of `vcal`). */
export function patchCalendar(vcal: IcalComponent, master: IcalComponent, item: EasCalendarChange, ctx: PatchContext): void {
  const nowMs = ctx.now.getTime();
  // The base's own oddities (an unknown TZID) were reported when it was read; they are not this write's.
  const zones = new Zones(vcal, []);
  const base: Span | undefined = ctx.isNew ? undefined : masterSpan(master, zones, nowMs);
  const before = base ? scheduleSignature(vcal, master, nowMs) : '';

  const startUtc = item.startTime?.getTime() ?? base?.startUtc;
  if (startUtc === undefined) throw new BackendError('Invalid', 'event without StartTime');
  const duration = item.endTime ? item.endTime.getTime() - startUtc : base ? base.endUtc - base.startUtc : 0;
  const endUtc = startUtc + Math.max(0, duration);
  const allDay = item.allDayEvent ?? base?.frame.allDay ?? false;
  const blob = item.timeZone ?? base?.frame.blob ?? utcTimeZone();
  const startYear = new Date(startUtc).getUTCFullYear();
  const year = item.recurrence ? Math.max(startYear, ctx.now.getUTCFullYear()) : startYear;
  const zone = chooseZone(blob, year, base?.frame);
  // A stored DURATION that still says the same stays a DURATION.
  const keepDuration = !!base && !master.hasProperty('dtend') && master.hasProperty('duration') && base.frame.allDay === allDay && base.endUtc - base.startUtc === endUtc - startUtc;
  writeSpan(master, startUtc, endUtc, allDay, zone, blob, keepDuration);
  const frame: Frame = { allDay, zone, blob, startWall: allDay ? midnight(allDayDatesOf(new Date(startUtc), new Date(endUtc), blob).start) : toWall(zone, startUtc) };

  const fields = plainOf(item);
  writePlainFields(master, fields, { startMs: startUtc, durationMs: endUtc - startUtc, userEmail: ctx.userEmail, warnings: ctx.warnings });
  writeRecurrence(master, item, frame);

  const regenerated: IcalComponent[] = [];
  if (!item.recurrence) {
    // A single event has no instances to except.
    for (const e of vcal.getAllSubcomponents('vevent')) if (isOverrideOf(e, master)) vcal.removeSubcomponent(e);
  } else if (item.exceptions) {
    regenerated.push(...writeExceptions(vcal, master, item.exceptions, fields, { frame, base, zones, duration: endUtc - startUtc, ctx }));
  }

  ensureVtimezone(vcal, zone, year);
  let sequence = Number(master.getFirstPropertyValue('sequence') ?? 0);
  if (!Number.isFinite(sequence) || sequence < 0) sequence = 0;
  if (base && scheduleSignature(vcal, master, nowMs) !== before) sequence += 1;
  const stamp = icalTime(nowMs, 'utc');
  for (const ev of [master, ...regenerated]) {
    ev.updatePropertyWithValue('sequence', sequence);
    ev.updatePropertyWithValue('dtstamp', stamp);
  }
  if (master.hasProperty('last-modified')) master.updatePropertyWithValue('last-modified', stamp);
}

function writeRecurrence(master: IcalComponent, item: EasCalendarChange, frame: Frame): void {
  const rec = item.recurrence;
  const drop = (): void => {
    for (const n of ['rrule', 'rdate', 'exrule']) master.removeAllProperties(n);
  };
  if (!rec) {
    drop();
    master.removeAllProperties('exdate');
    return;
  }
  const props = master.getAllProperties('rrule');
  const old = props[0]?.getFirstValue();
  if (props.length === 1 && old instanceof ICAL.Recur) {
    const until = untilInstant(old, frame);
    const read = recurrenceFromRrule(old, new Date(frame.startWall), until === undefined ? undefined : new Date(until), /WKST=/i.test(props[0]!.toICALString()));
    if (sameRecurrence(read.recurrence, rec)) return;
  }
  drop();
  const untilValue = (u: Date): IcalTime =>
    frame.allDay ? icalTime(midnight(dateText(toLocalWallTime(frame.blob, u).getTime())), 'date') : icalTime(u.getTime(), 'utc');
  master.addProperty(rruleProperty(rec, new Date(frame.startWall), untilValue));
}

interface ExceptionContext {
  readonly frame: Frame;
  readonly base: Span | undefined;
  readonly zones: Zones;
  readonly duration: number;
  readonly ctx: PatchContext;
}

/** EXDATE for deleted instances, one override VEVENT per changed one (MS-ASCAL 2.2.2.21 <-> RFC 5545 3.8.4.4). */
function writeExceptions(vcal: IcalComponent, master: IcalComponent, exceptions: readonly EasException[], fields: PlainFields, x: ExceptionContext): IcalComponent[] {
  const { frame } = x;
  // Old overrides by their original instant, read in the base's frame, to rebuild each from itself.
  const old = new Map<number, IcalComponent>();
  for (const e of vcal.getAllSubcomponents('vevent')) {
    if (!isOverrideOf(e, master)) continue;
    const rp = e.getFirstProperty('recurrence-id')!;
    const rv = rp.getFirstValue();
    if (x.base && rv instanceof ICAL.Time) old.set(instantOf(readWhen(rv, tzidOf(rp), x.zones).when, x.base.frame), e);
    vcal.removeSubcomponent(e);
  }
  const deleted = [...new Set(exceptions.filter((e) => e.deleted).map((e) => e.exceptionStartTime.getTime()))].sort((a, b) => a - b);
  const stored = x.base ? master.getAllProperties('exdate').flatMap((p) => readWhens(p, x.zones)).map((w) => instantOf(w, x.base!.frame)) : [];
  const sameSet = stored.length === deleted.length && [...stored].sort((a, b) => a - b).every((t, i) => t === deleted[i]);
  // An unchanged set keeps its EXDATE lines as they were (their form, their place).
  if (!sameSet) master.removeAllProperties('exdate');
  if (deleted.length && !sameSet) {
    const p = new ICAL.Property('exdate');
    const values = deleted.map((t) => instanceValue(t, frame.allDay, frame.zone, frame.blob));
    p.setValues(values.map((v) => v.time));
    if (values[0]!.tzid) p.setParameter('tzid', values[0]!.tzid);
    master.addProperty(p);
  }
  // The template of a new override: the master as it now is, without its recurrence set.
  const template = new ICAL.Component(JSON.parse(JSON.stringify(master.toJSON())) as unknown[]);
  for (const n of ['rrule', 'rdate', 'exrule', 'exdate']) template.removeAllProperties(n);
  const out: IcalComponent[] = [];
  const changed = exceptions.filter((e) => !e.deleted).sort((a, b) => a.exceptionStartTime.getTime() - b.exceptionStartTime.getTime());
  for (const e of changed) {
    const rid = e.exceptionStartTime.getTime();
    const prev = old.get(rid);
    const ov = new ICAL.Component(JSON.parse(JSON.stringify((prev ?? template).toJSON())) as unknown[]);
    const r = instanceValue(rid, frame.allDay, frame.zone, frame.blob);
    setTimeProp(ov, 'recurrence-id', r.time, r.tzid);
    const start = e.startTime?.getTime() ?? rid;
    const end = e.endTime?.getTime() ?? start + x.duration;
    writeSpan(ov, start, end, e.allDayEvent ?? frame.allDay, frame.zone, frame.blob, false);
    const merged = { ...fields, ...plainOf(e, true) };
    writePlainFields(ov, merged, { startMs: start, durationMs: end - start, userEmail: x.ctx.userEmail, warnings: x.ctx.warnings });
    vcal.addSubcomponent(ov);
    out.push(ov);
  }
  return out;
}
