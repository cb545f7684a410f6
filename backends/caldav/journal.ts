/**
 * iCalendar VJOURNAL (RFC 5545 3.6.3) <-> EAS Note (MS-ASNOTE 2.2.2):
 * SUMMARY = Subject, DESCRIPTION = Body (plain text), CATEGORIES =
 * Categories, LAST-MODIFIED (else DTSTAMP) = LastModifiedDate. A device's
 * Change patches the stored resource: only those properties are replaced,
 * so X- properties and everything else survive.
 */
import ICAL from 'ical.js';
import type { EasBody } from '../../protocol/types/body.ts';
import type { EasNote } from '../../protocol/types/note.ts';
import { clean } from '../../protocol/types/values.ts';
import { BackendError, isBackendError } from '../errors.ts';
import { htmlToText, safeText, setText, text } from './event-fields.ts';
import { parseCalendar } from './event.ts';
import { icalTime } from './event-time.ts';
import { icsText, openOrCreateCalendar } from './ics-text.ts';

type IcalComponent = InstanceType<typeof ICAL.Component>;

/** One journal entry read from CalDAV. */
export interface ParsedJournal {
  readonly item: EasNote;
  readonly uid: string;
}

function journalOf(vcal: IcalComponent): IcalComponent | undefined {
  const all = vcal.getAllSubcomponents('vjournal');
  return all.find((j) => !j.hasProperty('recurrence-id')) ?? all[0];
}

function dateProp(j: IcalComponent, name: string): Date | undefined {
  const v = j.getFirstPropertyValue(name);
  if (!v || typeof v !== 'object' || !('toJSDate' in v)) return undefined;
  const d = (v as { toJSDate(): Date }).toJSDate();
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function categoriesOf(j: IcalComponent): string[] | undefined {
  const all = j.getAllProperties('categories').flatMap((p) => p.getValues().map(String)).filter((c) => c !== '');
  return all.length ? all : undefined;
}

/** A VJOURNAL resource as a note; BackendError('Invalid') when it holds none. */
export function icsToEasNote(ics: string): ParsedJournal {
  const vcal = parseCalendar(ics);
  const j = journalOf(vcal);
  if (!j) throw new BackendError('Invalid', 'no VJOURNAL');
  const uid = text(j, 'uid') ?? '';
  const d = text(j, 'description');
  const body: EasBody | undefined = d === undefined ? undefined : { type: 1, data: d, estimatedDataSize: Buffer.byteLength(d, 'utf8') };
  return {
    uid,
    item: clean<EasNote>({
      subject: text(j, 'summary') ?? '',
      body,
      messageClass: 'IPM.StickyNote',
      lastModifiedDate: dateProp(j, 'last-modified') ?? dateProp(j, 'dtstamp') ?? dateProp(j, 'created'),
      categories: categoriesOf(j),
    }),
  };
}

/** The resource for a note: a new VCALENDAR, or `base` with the mapped properties replaced. */
export function easNoteToIcs(note: EasNote, opts: { uid: string; base?: string; now?: Date }): string {
  const now = opts.now ?? new Date();
  const { vcal, comp: j, isNew } = openOrCreateCalendar(opts.base, 'vjournal', opts.uid, parseCalendar, journalOf);
  if (isNew) j.addPropertyWithValue('created', icalTime(now.getTime(), 'utc'));
  try {
    if (note.subject !== undefined) setText(j, 'summary', note.subject);
    // MS-ASCMD 2.2.3.9: a Change without Body leaves the body alone; truncated bodies are not written back.
    const b = note.body;
    if (b && b.data !== undefined && !b.truncated && (b.type === 1 || b.type === 2)) setText(j, 'description', b.type === 2 ? htmlToText(b.data) : b.data);
    if (note.categories !== undefined) {
      const want = note.categories.map(safeText).filter((c) => c !== '');
      j.removeAllProperties('categories');
      if (want.length) {
        const p = new ICAL.Property('categories');
        p.setValues(want);
        j.addProperty(p);
      }
    }
    j.updatePropertyWithValue('dtstamp', icalTime(now.getTime(), 'utc'));
    j.updatePropertyWithValue('last-modified', icalTime(now.getTime(), 'utc'));
  } catch (e) {
    if (isBackendError(e)) throw e;
    throw new BackendError('Invalid', `cannot write note: ${(e as Error).message}`, { cause: e });
  }
  return icsText(vcal);
}
