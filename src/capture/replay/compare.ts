/**
 * Judging an answer against the recorded one. What must match:
 *
 * 1. the HTTP status;
 * 2. the kind of body: none, WBXML with the same root element, or another
 *    content type (compared by type only);
 * 3. every Status element, by path: the set of values found at that path
 *    (so two collections with Status 1 and one with 1 are the same);
 * 4. the structure: the set of element paths present, values and counts
 *    ignored, and not looking inside item data (kinds.ts ITEM_CONTAINERS:
 *    an Email with or without Email:Cc is the same item to a device);
 * 5. for OPTIONS, that MS-ASProtocolVersions and MS-ASProtocolCommands are
 *    there when they were, and still list the session's version and the
 *    commands the session uses.
 *
 * Ids, keys, dates, sizes and counts are never compared: they are values.
 * A path is element names joined by "/", with the lower-cased namespace as
 * prefix where an element's namespace differs from the root's
 * ("Sync/Collections/Collection/Commands/Add/ApplicationData",
 * "Search/Response/Store/Result/airsync:CollectionId").
 */
import { prefixOf } from '../../../protocol/xml/to-xml.ts';
import type { WbxmlElement } from '../../../protocol/wbxml/tree.ts';
import { ITEM_CONTAINERS } from './kinds.ts';
import type { StepBody } from './steps.ts';

/** What an answer looks like to the comparison. */
export interface Shape {
  readonly paths: ReadonlySet<string>;
  /** Status path -> the distinct values there. */
  readonly statuses: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The normalised shape of a body tree. */
export function shapeOf(root: WbxmlElement): Shape {
  const paths = new Set<string>();
  const statuses = new Map<string, Set<string>>();
  const visit = (e: WbxmlElement, parent: string): void => {
    const seg = e.ns === root.ns ? e.name : `${prefixOf(e.ns)}:${e.name}`;
    const path = parent === '' ? seg : `${parent}/${seg}`;
    paths.add(path);
    if (e.name === 'Status' && e.text !== undefined) {
      let s = statuses.get(path);
      if (!s) statuses.set(path, (s = new Set()));
      s.add(e.text.trim());
    }
    if (ITEM_CONTAINERS.has(`${e.ns}:${e.name}`)) return;
    for (const c of e.children ?? []) visit(c, path);
  };
  visit(root, '');
  return { paths, statuses };
}

/** An answer as received or recorded. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: StepBody;
}

/** What the session uses, for the OPTIONS check. */
export interface SessionNeeds {
  readonly version?: string;
  readonly commands: readonly string[];
}

const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const header = (h: Readonly<Record<string, string>>, name: string): string | undefined =>
  Object.entries(h).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

const bodyName = (b: StepBody): string => (b.kind === 'none' ? 'no body' : b.kind === 'wbxml' ? `${b.tree.name} (${b.tree.ns})` : `a ${b.contentType} body`);

/**
 * Reasons why `actual` is not the answer `expected` was; empty when it is.
 * `command` prefixes Status reasons ("Sync: Status at ... was 1, expected 3").
 */
export function compareAnswers(command: string, expected: Answer, actual: Answer, needs?: SessionNeeds): string[] {
  const reasons: string[] = [];
  if (expected.status !== actual.status) reasons.push(`HTTP ${actual.status}, expected ${expected.status}`);
  if (command === 'OPTIONS') reasons.push(...compareOptions(expected.headers, actual.headers, needs));
  const e = expected.body;
  const a = actual.body;
  if (e.kind !== a.kind) {
    reasons.push(`${bodyName(a)}, expected ${bodyName(e)}`);
    return reasons;
  }
  if (e.kind === 'other' && a.kind === 'other') {
    const type = (t: string): string => t.split(';')[0]!.trim().toLowerCase();
    if (type(e.contentType) !== type(a.contentType)) reasons.push(`content type ${a.contentType}, expected ${e.contentType}`);
    return reasons;
  }
  if (e.kind !== 'wbxml' || a.kind !== 'wbxml') return reasons;
  if (e.tree.ns !== a.tree.ns || e.tree.name !== a.tree.name) {
    reasons.push(`${bodyName(a)}, expected ${bodyName(e)}`);
    return reasons;
  }
  const es = shapeOf(e.tree);
  const as = shapeOf(a.tree);
  for (const [path, values] of es.statuses) {
    const got = as.statuses.get(path);
    if (!got) continue; // reported below as a missing element
    const want = [...values].sort();
    const have = [...got].sort();
    if (want.join(',') !== have.join(',')) reasons.push(`${command}: Status at ${path} was ${have.join(',')}, expected ${want.join(',')}`);
  }
  for (const p of es.paths) if (!as.paths.has(p)) reasons.push(`missing element ${p}`);
  for (const p of as.paths) if (!es.paths.has(p)) reasons.push(`unexpected element ${p}`);
  return reasons;
}

function compareOptions(expected: Readonly<Record<string, string>>, actual: Readonly<Record<string, string>>, needs?: SessionNeeds): string[] {
  const reasons: string[] = [];
  const ev = header(expected, 'MS-ASProtocolVersions');
  const av = header(actual, 'MS-ASProtocolVersions');
  if (ev !== undefined && av === undefined) reasons.push('missing header MS-ASProtocolVersions');
  if (ev !== undefined && av !== undefined && needs?.version && list(ev).includes(needs.version) && !list(av).includes(needs.version)) {
    reasons.push(`MS-ASProtocolVersions lacks ${needs.version}, which this session uses`);
  }
  const ec = header(expected, 'MS-ASProtocolCommands');
  const ac = header(actual, 'MS-ASProtocolCommands');
  if (ec !== undefined && ac === undefined) reasons.push('missing header MS-ASProtocolCommands');
  if (ec !== undefined && ac !== undefined && needs) {
    const was = new Set(list(ec));
    const now = new Set(list(ac));
    const lost = needs.commands.filter((c) => was.has(c) && !now.has(c));
    if (lost.length > 0) reasons.push(`MS-ASProtocolCommands lacks ${lost.join(', ')}, which this session uses`);
  }
  return reasons;
}
