import ICAL from 'ical.js';
import { foldContentLine } from '../dav/content-lines.ts';

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
