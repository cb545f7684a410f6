/** RFC 5545 3.1 and RFC 6350 3.2: content lines SHOULD NOT be longer than 75 octets, excluding the line break. */
const FOLD_OCTETS = 75;

/**
 * Folds one logical iCalendar or vCard line into physical lines of at most
 * 75 octets of UTF-8, never inside a character; continuation lines start
 * with one space, which counts against their 75.
 */
export function foldContentLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (octets + n > FOLD_OCTETS) {
      out.push(cur);
      cur = ' ';
      octets = 1;
    }
    cur += ch;
    octets += n;
  }
  out.push(cur);
  return out;
}
