/**
 * Compresses UIDs into an IMAP sequence set (RFC 3501 section 9, `sequence-set`):
 * `[1,2,3,7,9,10]` -> `"1:3,7,9:10"`. A window of 512 mostly consecutive UIDs
 * stays a few bytes on the wire instead of a few kilobytes.
 */
export function uidSet(uids: readonly number[]): string {
  const sorted = [...new Set(uids)].filter((u) => Number.isInteger(u) && u > 0).sort((a, b) => a - b);
  const out: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(j === i ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return out.join(',');
}
