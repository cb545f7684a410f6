import type { EasFlag } from '../../protocol/types/email-flag.ts';
import type { EasEmailChange } from '../../protocol/types/email.ts';

/**
 * IMAP flags and keywords (RFC 3501 2.3.2) <-> the EAS properties a device
 * can see and change: Read (\Seen), Flag (\Flagged, MS-ASEMAIL 2.2.2.34),
 * Categories (keywords, MS-ASEMAIL 2.2.2.13), LastVerbExecuted (\Answered,
 * $Forwarded; MS-ASEMAIL 2.2.2.45).
 */

/** Keywords that are protocol state, not user categories. */
const SYSTEM_KEYWORDS = new Set(
  ['$forwarded', '$mdnsent', '$junk', '$notjunk', 'junk', 'nonjunk', 'notjunk', '$phishing', '$submitpending', '$submitted', '$important', '$hasattachment', '$hasnoattachment', '$autojunk', '$autonotjunk'].map((k) => k.toLowerCase()),
);

/** Thunderbird's default tags, shown by their names. */
const LABELS: Readonly<Record<string, string>> = {
  $label1: 'Important',
  $label2: 'Work',
  $label3: 'Personal',
  $label4: 'To Do',
  $label5: 'Later',
};

function isCategoryKeyword(f: string): boolean {
  return !f.startsWith('\\') && !SYSTEM_KEYWORDS.has(f.toLowerCase());
}

/** Categories from keywords, in a stable order. */
export function categoriesOf(flags: readonly string[]): string[] {
  return flags.filter(isCategoryKeyword).map((k) => LABELS[k.toLowerCase()] ?? k).sort();
}

/** A category name as an IMAP keyword atom: known tag names map back, atom-specials become '_'. */
export function keywordOf(category: string): string {
  const label = Object.entries(LABELS).find(([, name]) => name.toLowerCase() === category.toLowerCase());
  if (label) return label[0];
  // RFC 3501 atom-specials and '\' (flag prefix) cannot appear in a keyword.
  const k = category.replace(/[\s(){%*"\\\]\x00-\x1f\x7f]/g, '_').replace(/^[$\\]+/, '');
  return k || '_';
}

/** The follow-up flag the device sees for `\Flagged`; an empty object writes `<Flag/>` (cleared). */
export function flagOf(flags: readonly string[]): EasFlag {
  return flags.includes('\\Flagged') ? { status: 2, flagType: 'Flag for follow up' } : {};
}

/** The part of the flags a device can see: changes outside it (\Recent, \Draft...) are not sent as Change. */
export function visibleState(flags: readonly string[]): string {
  return [flags.includes('\\Seen') ? 'S' : '', flags.includes('\\Flagged') ? 'F' : '', flags.includes('\\Answered') ? 'A' : '', flags.includes('$Forwarded') ? 'W' : '', ...categoriesOf(flags)].join('|');
}

/** LastVerbExecuted (14.0+): 1 reply to sender, 3 forward; undefined when neither. */
export function lastVerbOf(flags: readonly string[]): number | undefined {
  if (flags.includes('\\Answered')) return 1;
  if (flags.includes('$Forwarded')) return 3;
  return undefined;
}

/**
 * The STORE a device's Change asks for, given the flags the message has now.
 * A complete (status 1) or cleared flag removes \Flagged: IMAP has no
 * "complete" state. Categories replace the user keywords as a whole.
 */
export function flagChangeFor(change: EasEmailChange, current: readonly string[]): { add: string[]; remove: string[] } {
  const add: string[] = [];
  const remove: string[] = [];
  if (change.read === true) add.push('\\Seen');
  if (change.read === false) remove.push('\\Seen');
  if (change.flag !== undefined) {
    if (change.flag && change.flag.status === 2) add.push('\\Flagged');
    else remove.push('\\Flagged');
  }
  if (change.categories !== undefined) {
    const want = new Set(change.categories.map(keywordOf));
    const have = current.filter(isCategoryKeyword);
    for (const k of have) if (!want.has(k)) remove.push(k);
    for (const k of want) if (!have.includes(k)) add.push(k);
  }
  return { add, remove };
}

/** Flags after applying a STORE, as the engine records them for the device. */
export function applyFlagChange(current: readonly string[], change: { add: readonly string[]; remove: readonly string[] }): string[] {
  const set = new Set(current);
  for (const f of change.remove) set.delete(f);
  for (const f of change.add) set.add(f);
  return [...set].sort();
}
