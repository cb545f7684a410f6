import ICAL from 'ical.js';
import { foldContentLine } from '../dav/content-lines.ts';
import { BackendError } from '../errors.ts';

type IcalComponent = InstanceType<typeof ICAL.Component>;

/*
 * ical.js folds by UTF-16 code units, so a line of accented or astral
 * characters came out longer than 75 octets, which strict parsers (and some
 * phones' CalDAV accounts) refuse: its output is unfolded and folded again
 * by octets.
 */

/** The iCalendar text of a component: CRLF line ends, folded by octets, ending with CRLF. */
export function icsText(vcal: IcalComponent): string {
  const unfolded = vcal.toString().replace(/\r?\n[ \t]/g, '');
  return `${unfolded.split(/\r?\n/).filter((l) => l !== '').flatMap(foldContentLine).join('\r\n')}\r\n`;
}

/**
 * The resource a phone's item is written into: the stored VCALENDAR (`base`)
 * and its component found by `find`, else a new VCALENDAR (VERSION, PRODID)
 * holding a new `name` component with `uid` (ours, but it ends up in a
 * property line: no control characters). BackendError Invalid when `base`
 * has no such component.
 */
export function openOrCreateCalendar(
  base: string | undefined,
  name: string,
  uid: string,
  parse: (ics: string) => IcalComponent,
  find: (vcal: IcalComponent) => IcalComponent | undefined,
): { vcal: IcalComponent; comp: IcalComponent; isNew: boolean } {
  if (base !== undefined) {
    const vcal = parse(base);
    const comp = find(vcal);
    if (!comp) throw new BackendError('Invalid', `base has no ${name.toUpperCase()}`);
    return { vcal, comp, isNew: false };
  }
  const vcal = new ICAL.Component('vcalendar');
  vcal.addPropertyWithValue('version', '2.0');
  vcal.addPropertyWithValue('prodid', '-//eas-server//EN');
  const comp = new ICAL.Component(name);
  comp.addPropertyWithValue('uid', uid.replace(/[\u0000-\u001f\u007f]/g, ''));
  vcal.addSubcomponent(comp);
  return { vcal, comp, isNew: true };
}
