import ICAL from 'ical.js';

type IcalComponent = InstanceType<typeof ICAL.Component>;

/** RFC 5545 3.1: content lines SHOULD NOT be longer than 75 octets, excluding the line break. */
const MAX_OCTETS = 75;

/**
 * Folds one unfolded content line at 75 octets of UTF-8, never inside a
 * character. ical.js folds by UTF-16 code units, so a line of accented or
 * astral characters came out longer than 75 octets, which strict parsers
 * (and some phones' CalDAV accounts) refuse.
 */
function foldLine(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= MAX_OCTETS) return line;
  const out: string[] = [];
  let cur = '';
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    // Continuation lines start with one space, which counts against their 75.
    if (octets + n > MAX_OCTETS) {
      out.push(cur);
      cur = ' ';
      octets = 1;
    }
    cur += ch;
    octets += n;
  }
  out.push(cur);
  return out.join('\r\n');
}

/** The iCalendar text of a component: CRLF line ends, folded by octets, ending with CRLF. */
export function icsText(vcal: IcalComponent): string {
  const unfolded = vcal.toString().replace(/\r?\n[ \t]/g, '');
  return `${unfolded.split(/\r?\n/).filter((l) => l !== '').map(foldLine).join('\r\n')}\r\n`;
}
