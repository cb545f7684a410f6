/**
 * DATE and DATE-TIME values of a VEVENT (RFC 5545 3.3.4, 3.3.5) as EAS
 * instants, and back. A VEVENT's times are read in one frame: the zone of
 * its DTSTART, or for all-day events (DTSTART;VALUE=DATE) the EAS TimeZone
 * blob whose local midnights StartTime/EndTime are (MS-ASCAL 2.2.2.1).
 */
import ICAL from 'ical.js';
import { allDayTimes } from '../../protocol/types/all-day.ts';
import type { EasTimeZone } from '../../protocol/types/timezone.ts';
import { BackendError } from '../errors.ts';
import type { EventWarning } from './event-fields.ts';
import { UTC_ZONE, blobOf, ianaNameOf, ianaZone, toUtc, toWall, vtimezoneZone } from './vtimezone.ts';
import type { Zone } from './vtimezone.ts';

type IcalComponent = InstanceType<typeof ICAL.Component>;
type IcalProperty = InstanceType<typeof ICAL.Property>;
type IcalTime = InstanceType<typeof ICAL.Time>;
type IcalRecur = InstanceType<typeof ICAL.Recur>;

export const DAY = 86_400_000;

/** A time as written: a calendar date, or an instant. */
export type When = { readonly date: string } | { readonly utc: number };

/** The TZIDs of one VCALENDAR, resolved once each. */
export class Zones {
  private readonly components = new Map<string, IcalComponent>();
  private readonly resolved = new Map<string, Zone>();
  private floatingWarned = false;

  constructor(
    vcal: IcalComponent,
    private readonly warnings: EventWarning[],
  ) {
    for (const c of vcal.getAllSubcomponents('vtimezone')) {
      const id = c.getFirstPropertyValue('tzid');
      if (typeof id === 'string' && !this.components.has(id)) this.components.set(id, c);
    }
  }

  /** Whether the VCALENDAR carries a VTIMEZONE for `tzid`. */
  has(tzid: string): boolean {
    return this.components.has(tzid);
  }

  /**
   * The zone a TZID means: its VTIMEZONE when there is one (RFC 5545 3.2.19
   * makes it authoritative), else the IANA zone it names; an unknown name is
   * read as UTC with a warning rather than failing the whole event.
   */
  get(tzid: string): Zone {
    const hit = this.resolved.get(tzid);
    if (hit) return hit;
    const iana = ianaNameOf(tzid);
    const comp = this.components.get(tzid);
    let zone = comp ? vtimezoneZone(comp, iana) : undefined;
    if (!zone && iana) zone = ianaZone(iana, tzid);
    if (!zone) {
      this.warnings.push({ event: 'caldav.timezone-unknown', detail: { tzid } });
      zone = UTC_ZONE;
    }
    this.resolved.set(tzid, zone);
    return zone;
  }

  /** The first usable VTIMEZONE: the only hint of the creator's zone that an all-day event carries. */
  first(): Zone | undefined {
    for (const tzid of this.components.keys()) {
      const z = this.get(tzid);
      if (z !== UTC_ZONE) return z;
    }
    return undefined;
  }

  /** Floating times (RFC 5545 3.3.5 form #1) have no zone at all; they are read as UTC, said once. */
  floating(): void {
    if (this.floatingWarned) return;
    this.floatingWarned = true;
    this.warnings.push({ event: 'caldav.floating-time', detail: {} });
  }
}

function param(p: IcalProperty, name: string): string | undefined {
  const v = p.getParameter(name);
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s !== '' ? s : undefined;
}

/** The TZID parameter of a property. */
export function tzidOf(p: IcalProperty): string | undefined {
  return param(p, 'tzid');
}

/** Wall-clock fields of an ical.js time as a number (UTC fields = the written fields). */
export function wallOf(t: IcalTime): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.isDate ? 0 : t.hour, t.isDate ? 0 : t.minute, t.isDate ? 0 : t.second);
}

/** `YYYY-MM-DD` of a wall time. */
export function dateText(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(0, 10);
}

/** An ical.js time with the wall fields of `wallMs`: a DATE, a floating DATE-TIME, or a UTC one. */
export function icalTime(wallMs: number, kind: 'date' | 'floating' | 'utc'): IcalTime {
  const d = new Date(wallMs);
  const date = kind === 'date';
  return ICAL.Time.fromData(
    {
      year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
      hour: date ? 0 : d.getUTCHours(), minute: date ? 0 : d.getUTCMinutes(), second: date ? 0 : d.getUTCSeconds(),
      isDate: date,
    },
    kind === 'utc' ? ICAL.Timezone.utcTimezone : undefined,
  );
}

/** One value of a DATE/DATE-TIME property, with the zone it was written in (undefined for a DATE). */
export function readWhen(t: IcalTime, tzid: string | undefined, zones: Zones): { when: When; zone?: Zone } {
  const wall = wallOf(t);
  if (t.isDate) return { when: { date: dateText(wall) } };
  if (t.zone?.tzid === 'UTC' || t.zone === ICAL.Timezone.utcTimezone) return { when: { utc: wall }, zone: UTC_ZONE };
  if (tzid) {
    const zone = zones.get(tzid);
    return { when: { utc: toUtc(zone, wall) }, zone };
  }
  zones.floating();
  return { when: { utc: wall }, zone: UTC_ZONE };
}

/** Every value of a (possibly multi-valued) time property: EXDATE, RDATE. */
export function readWhens(p: IcalProperty, zones: Zones): When[] {
  const tzid = tzidOf(p);
  return p.getValues().flatMap((v) => {
    if (v instanceof ICAL.Time) return [readWhen(v, tzid, zones).when];
    // RDATE;VALUE=PERIOD: its start is the occurrence.
    if (v instanceof ICAL.Period && v.start) return [readWhen(v.start, tzid, zones).when];
    return [];
  });
}

/** The frame a VEVENT's times are read and written in. */
export interface Frame {
  readonly allDay: boolean;
  /** Zone of timed values; for all-day events the zone the blob came from (or UTC). */
  readonly zone: Zone;
  /** The EAS TimeZone blob of the event. */
  readonly blob: EasTimeZone;
  /** Start as local wall time (UTC fields = local fields). */
  readonly startWall: number;
}

/**
 * A written time as an instant in `frame`. Mixed forms occur in the wild and
 * must not shift a day: a DATE in a timed series means that day at the
 * series' local start time; a DATE-TIME in an all-day series means its local
 * date's midnight.
 */
export function instantOf(w: When, frame: Frame): number {
  if ('date' in w) {
    if (frame.allDay) return allDayTimes(w.date, w.date, frame.blob).startTime.getTime();
    const timeOfDay = ((frame.startWall % DAY) + DAY) % DAY;
    return toUtc(frame.zone, Date.parse(`${w.date}T00:00:00Z`) + timeOfDay);
  }
  if (!frame.allDay) return w.utc;
  const local = toWall(frame.zone, w.utc);
  const date = dateText(local);
  return allDayTimes(date, date, frame.blob).startTime.getTime();
}

/** The blob for `zone`; a series is expanded by the device with one rule set, so it gets this year's rules. */
export function frameBlob(zone: Zone, startUtc: number, recurring: boolean, now = Date.now()): EasTimeZone {
  const startYear = new Date(startUtc).getUTCFullYear();
  return blobOf(zone, recurring ? Math.max(startYear, new Date(now).getUTCFullYear()) : startYear);
}

/**
 * Sets a single time property, keeping it (and its parameters) untouched when
 * it already says the same thing; DATE vs DATE-TIME follows the value.
 */
export function setTimeProp(ev: IcalComponent, name: string, t: IcalTime, tzid: string | undefined): void {
  const p = ev.getFirstProperty(name);
  const old = p?.getFirstValue();
  if (p && old instanceof ICAL.Time && old.toString() === t.toString() && tzidOf(p) === tzid) return;
  const q = p ?? new ICAL.Property(name);
  q.setValue(t);
  if (tzid) q.setParameter('tzid', tzid);
  else q.removeParameter('tzid');
  if (!p) ev.addProperty(q);
}

/** A UTC instant written in `zone`: local wall time with its TZID, or a `Z` time for UTC. */
export function timeIn(zone: Zone, utcMs: number): { time: IcalTime; tzid?: string } {
  if (zone === UTC_ZONE || !zone.tzid) return { time: icalTime(utcMs, 'utc') };
  return { time: icalTime(toWall(zone, utcMs), 'floating'), tzid: zone.tzid };
}

/** Start, end and frame of a VEVENT: DTSTART, then DTEND or DURATION (RFC 5545 3.6.1 defaults). */
export interface Span {
  readonly frame: Frame;
  readonly startUtc: number;
  readonly endUtc: number;
}

/**
 * The span of the master. All-day events are read in the first VTIMEZONE's
 * zone when the calendar carries one (this module writes one for them), else
 * UTC: either way StartTime is the local midnight of the same date.
 */
export function masterSpan(ev: IcalComponent, zones: Zones, now?: number): Span {
  const sp = ev.getFirstProperty('dtstart');
  const sv = sp?.getFirstValue();
  if (!sp || !(sv instanceof ICAL.Time)) throw new BackendError('Invalid', 'VEVENT without DTSTART');
  const start = readWhen(sv, tzidOf(sp), zones);
  const recurring = ev.hasProperty('rrule');
  if ('date' in start.when) {
    const zone = zones.first() ?? UTC_ZONE;
    const probe = Date.parse(`${start.when.date}T00:00:00Z`);
    const blob = frameBlob(zone, probe, recurring, now);
    const frame: Frame = { allDay: true, zone, blob, startWall: probe };
    const startUtc = allDayTimes(start.when.date, start.when.date, blob).startTime.getTime();
    return { frame, startUtc, endUtc: endOf(ev, zones, frame, startUtc) };
  }
  const zone = start.zone ?? UTC_ZONE;
  const startUtc = start.when.utc;
  const frame: Frame = { allDay: false, zone, blob: frameBlob(zone, startUtc, recurring, now), startWall: toWall(zone, startUtc) };
  return { frame, startUtc, endUtc: endOf(ev, zones, frame, startUtc) };
}

function endOf(ev: IcalComponent, zones: Zones, frame: Frame, startUtc: number): number {
  const ep = ev.getFirstProperty('dtend');
  const ev2 = ep?.getFirstValue();
  if (ep && ev2 instanceof ICAL.Time) {
    const w = readWhen(ev2, tzidOf(ep), zones).when;
    if (frame.allDay && 'date' in w) return allDayTimes(dateText(frame.startWall), w.date, frame.blob).endTime.getTime();
    return Math.max(startUtc, instantOf(w, frame));
  }
  const d = ev.getFirstPropertyValue('duration');
  if (d instanceof ICAL.Duration) {
    if (!frame.allDay) return startUtc + Math.max(0, d.toSeconds()) * 1000;
    // A day of DURATION is a calendar day, not 24 hours (RFC 5545 3.3.6).
    const days = Math.max(1, Math.round(d.toSeconds() / 86_400));
    return allDayTimes(dateText(frame.startWall), dateText(frame.startWall + days * DAY), frame.blob).endTime.getTime();
  }
  // RFC 5545 3.6.1: a DATE start lasts one day, a DATE-TIME start no time at all.
  if (frame.allDay) return allDayTimes(dateText(frame.startWall), dateText(frame.startWall + DAY), frame.blob).endTime.getTime();
  return startUtc;
}

/** UNTIL as an instant: a UTC value as is, a DATE as that day (all of it for a timed series), a local value in the series' zone. */
export function untilInstant(r: IcalRecur, frame: Frame): number | undefined {
  const u = r.until;
  if (!u) return undefined;
  if (u.isDate) {
    const date = dateText(Date.UTC(u.year, u.month - 1, u.day));
    if (frame.allDay) return allDayTimes(date, date, frame.blob).startTime.getTime();
    return toUtc(frame.zone, Date.UTC(u.year, u.month - 1, u.day, 23, 59, 59));
  }
  const wall = Date.UTC(u.year, u.month - 1, u.day, u.hour, u.minute, u.second);
  return u.zone?.tzid === 'UTC' ? wall : toUtc(frame.zone, wall);
}
