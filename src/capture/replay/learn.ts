/**
 * Learning the replayed server's choices from one answer: the recorded
 * answer and the actual one are walked side by side, per command, and each
 * value the recorded server produced is paired with the one at the same
 * place in the actual answer.
 *
 * - Policy keys: Provision Policies/Policy/PolicyKey (MS-ASPROV 2.2.2.42).
 * - Hierarchy keys and folders: FolderSync Changes/Add matched by Type,
 *   then DisplayName (case-insensitive), then order; FolderCreate ServerId.
 * - Collections: Sync Collection matched by the bound CollectionId; its
 *   SyncKey; Commands/Add and Change items matched by class and a stable
 *   field (Subject, FileAs) when present, else by position; attachment
 *   FileReferences by position inside matched items; Responses/Add by ClientId.
 * - Search Store/Result LongIds and Find Result ServerIds by Subject, else position.
 * - MoveItems DstMsgId by SrcMsgId; MeetingResponse CalendarId by RequestId.
 */
import { child, childrenNamed, childText, type WbxmlElement } from '../../../protocol/wbxml/tree.ts';
import { Bindings, type BoundPair } from './bindings.ts';
import type { ValueKind } from './kinds.ts';

const FH = 'FolderHierarchy';
const AS = 'AirSync';

/** The pairs one answer taught; also stored in `b`. */
export function learnAnswer(b: Bindings, recorded: WbxmlElement | undefined, actual: WbxmlElement | undefined, request: WbxmlElement | undefined): BoundPair[] {
  const pairs: BoundPair[] = [];
  const bind = (kind: ValueKind, rec: string | undefined, act: string | undefined, scope?: string): void => {
    if (rec === undefined || act === undefined || rec === '' || act === '') return;
    const p: BoundPair = { kind, recorded: rec, actual: act, ...(scope !== undefined ? { scope } : {}) };
    b.set(p);
    pairs.push(p);
  };
  // The device's own key follows every Provision answer that carries one, whatever the recording did.
  if (actual && actual.ns === 'Provision' && actual.name === 'Provision') {
    const key = policyKeyOf(actual);
    if (key) b.policyKey = key;
  }
  if (!recorded || !actual || recorded.ns !== actual.ns || recorded.name !== actual.name) return pairs;
  const root = `${recorded.ns}:${recorded.name}`;
  switch (root) {
    case 'Provision:Provision':
      bind('policyKey', policyKeyOf(recorded), policyKeyOf(actual));
      break;
    case 'FolderHierarchy:FolderSync':
      bind('hierarchyKey', childText(recorded, 'SyncKey', FH), childText(actual, 'SyncKey', FH));
      learnFolders(b, recorded, actual, bind);
      break;
    case 'FolderHierarchy:FolderCreate':
      bind('hierarchyKey', childText(recorded, 'SyncKey', FH), childText(actual, 'SyncKey', FH));
      bind('folder', childText(recorded, 'ServerId', FH), childText(actual, 'ServerId', FH));
      break;
    case 'FolderHierarchy:FolderUpdate':
    case 'FolderHierarchy:FolderDelete':
      bind('hierarchyKey', childText(recorded, 'SyncKey', FH), childText(actual, 'SyncKey', FH));
      break;
    case 'AirSync:Sync':
      learnSync(b, recorded, actual, request, bind);
      break;
    case 'Search:Search':
      learnSearch(recorded, actual, bind);
      break;
    case 'Find:Find':
      learnFind(recorded, actual, bind);
      break;
    case 'Move:MoveItems':
      learnByRequestItem(b, recorded, actual, bind, { ns: 'Move', entry: 'Response', key: 'SrcMsgId', value: 'DstMsgId' });
      break;
    case 'MeetingResponse:MeetingResponse':
      learnByRequestItem(b, recorded, actual, bind, { ns: 'MeetingResponse', entry: 'Result', key: 'RequestId', value: 'CalendarId' });
      break;
    default:
      break;
  }
  return pairs;
}

type Bind = (kind: ValueKind, rec: string | undefined, act: string | undefined, scope?: string) => void;

function policyKeyOf(root: WbxmlElement): string | undefined {
  const policy = child(child(root, 'Policies', 'Provision') ?? root, 'Policy', 'Provision');
  return policy ? childText(policy, 'PolicyKey', 'Provision') : undefined;
}

/**
 * Pairs two lists: first by `key` where it is unique on both sides, then the
 * rest in order. Returns index pairs (recorded, actual).
 */
export function pairUp<T>(rec: readonly T[], act: readonly T[], key: (x: T) => string | undefined): [number, number][] {
  const out: [number, number][] = [];
  const usedA = new Set<number>();
  const usedR = new Set<number>();
  const count = (xs: readonly T[], k: string): number => xs.filter((x) => key(x)?.toLowerCase() === k).length;
  rec.forEach((r, i) => {
    const k = key(r)?.toLowerCase();
    if (k === undefined || k === '' || count(rec, k) !== 1 || count(act, k) !== 1) return;
    const j = act.findIndex((a) => key(a)?.toLowerCase() === k);
    if (j >= 0 && !usedA.has(j)) {
      out.push([i, j]);
      usedA.add(j);
      usedR.add(i);
    }
  });
  const restA = act.map((_, j) => j).filter((j) => !usedA.has(j));
  let n = 0;
  rec.forEach((_, i) => {
    if (usedR.has(i) || n >= restA.length) return;
    out.push([i, restA[n++]!]);
  });
  return out.sort((x, y) => x[0] - y[0]);
}

function learnFolders(b: Bindings, recorded: WbxmlElement, actual: WbxmlElement, bind: Bind): void {
  const adds = (root: WbxmlElement): WbxmlElement[] => {
    const changes = child(root, 'Changes', FH);
    return changes ? [...childrenNamed(changes, 'Add', FH), ...childrenNamed(changes, 'Update', FH)] : [];
  };
  const rec = adds(recorded).filter((f) => b.get('folder', childText(f, 'ServerId', FH) ?? '') === undefined);
  const act = adds(actual).filter((f) => !b.hasActual('folder', childText(f, 'ServerId', FH) ?? ''));
  const types = new Set(rec.map((f) => childText(f, 'Type', FH)));
  for (const type of types) {
    const r = rec.filter((f) => childText(f, 'Type', FH) === type);
    const a = act.filter((f) => childText(f, 'Type', FH) === type);
    for (const [i, j] of pairUp(r, a, (f) => childText(f, 'DisplayName', FH))) {
      bind('folder', childText(r[i]!, 'ServerId', FH), childText(a[j]!, 'ServerId', FH));
    }
  }
}

/** A Sync item's class: its own Class (2.5) or the collection's. */
const classOf = (item: WbxmlElement, collectionClass: string | undefined): string => childText(item, 'Class', AS) ?? collectionClass ?? '';

/** The field an item is recognised by across servers, when it has one. */
export function stableField(data: WbxmlElement | undefined): string | undefined {
  if (!data?.children) return undefined;
  for (const [ns, name] of [
    ['Email', 'Subject'],
    ['Calendar', 'Subject'],
    ['Tasks', 'Subject'],
    ['Notes', 'Subject'],
    ['Contacts', 'FileAs'],
    ['Contacts', 'Email1Address'],
  ] as const) {
    const t = childText(data, name, ns);
    if (t !== undefined && t !== '') return `${ns}:${t}`;
  }
  return undefined;
}

function fileRefs(data: WbxmlElement | undefined): string[] {
  const atts = data ? child(data, 'Attachments', 'AirSyncBase') : undefined;
  return atts ? childrenNamed(atts, 'Attachment', 'AirSyncBase').map((a) => childText(a, 'FileReference', 'AirSyncBase') ?? '') : [];
}

function learnSync(b: Bindings, recorded: WbxmlElement, actual: WbxmlElement, request: WbxmlElement | undefined, bind: Bind): void {
  const cols = (root: WbxmlElement): WbxmlElement[] => {
    const c = child(root, 'Collections', AS);
    return c ? childrenNamed(c, 'Collection', AS) : [];
  };
  const actCols = cols(actual);
  const reqCols = request ? cols(request) : [];
  cols(recorded).forEach((rc, index) => {
    const recId = childText(rc, 'CollectionId', AS) ?? (reqCols.length === 1 ? childText(reqCols[0]!, 'CollectionId', AS) : undefined);
    const actId = recId !== undefined ? (b.get('folder', recId) ?? recId) : undefined;
    const ac = actCols.find((c) => actId !== undefined && childText(c, 'CollectionId', AS) === actId) ?? (actId === undefined ? actCols[index] : undefined);
    if (!ac) return;
    bind('syncKey', childText(rc, 'SyncKey', AS), childText(ac, 'SyncKey', AS), recId);
    const reqCol = reqCols.find((c) => childText(c, 'CollectionId', AS) === recId);
    const cls = childText(rc, 'Class', AS) ?? (reqCol ? childText(reqCol, 'Class', AS) : undefined);
    const items = (c: WbxmlElement): WbxmlElement[] => {
      const cmds = child(c, 'Commands', AS);
      return cmds ? (cmds.children ?? []).filter((x) => x.name === 'Add' || x.name === 'Change') : [];
    };
    // Items seen before (a Change of a bound item) are already paired; only new ones are matched.
    const rItems = items(rc).filter((x) => b.get('item', childText(x, 'ServerId', AS) ?? '') === undefined);
    const aItems = items(ac).filter((x) => !b.hasActual('item', childText(x, 'ServerId', AS) ?? ''));
    for (const k of new Set(rItems.map((x) => classOf(x, cls)))) {
      const r = rItems.filter((x) => classOf(x, cls) === k);
      const a = aItems.filter((x) => classOf(x, cls) === k);
      for (const [i, j] of pairUp(r, a, (x) => stableField(child(x, 'ApplicationData', AS)))) {
        bind('item', childText(r[i]!, 'ServerId', AS), childText(a[j]!, 'ServerId', AS));
        const rf = fileRefs(child(r[i]!, 'ApplicationData', AS));
        const af = fileRefs(child(a[j]!, 'ApplicationData', AS));
        rf.forEach((ref, n) => bind('fileRef', ref, af[n]));
      }
    }
    // Client Adds: the ClientId is the device's, so it pairs the two ServerIds exactly.
    const responses = (c: WbxmlElement): WbxmlElement[] => childrenNamed(child(c, 'Responses', AS) ?? { ns: AS, name: 'Responses' }, 'Add', AS);
    for (const r of responses(rc)) {
      const id = childText(r, 'ClientId', AS);
      const a = responses(ac).find((x) => childText(x, 'ClientId', AS) === id);
      if (a) bind('item', childText(r, 'ServerId', AS), childText(a, 'ServerId', AS));
    }
  });
}

function results(root: WbxmlElement, ns: 'Search' | 'Find'): WbxmlElement[] {
  const response = child(root, 'Response', ns);
  if (!response) return [];
  const store = ns === 'Search' ? child(response, 'Store', ns) : response;
  return store ? childrenNamed(store, 'Result', ns) : [];
}

function learnSearch(recorded: WbxmlElement, actual: WbxmlElement, bind: Bind): void {
  const r = results(recorded, 'Search').filter((x) => child(x, 'LongId', 'Search'));
  const a = results(actual, 'Search').filter((x) => child(x, 'LongId', 'Search'));
  for (const [i, j] of pairUp(r, a, (x) => stableField(child(x, 'Properties', 'Search')))) {
    bind('longId', childText(r[i]!, 'LongId', 'Search'), childText(a[j]!, 'LongId', 'Search'));
  }
}

/**
 * Answers with one entry per item of the request (MoveItems Response,
 * MeetingResponse Result): entries pair by the item they name (`key`, an id
 * already bound), and the new id each carries (`value`) is bound.
 */
function learnByRequestItem(b: Bindings, recorded: WbxmlElement, actual: WbxmlElement, bind: Bind, at: { ns: string; entry: string; key: string; value: string }): void {
  for (const r of childrenNamed(recorded, at.entry, at.ns)) {
    const item = b.get('item', childText(r, at.key, at.ns) ?? '');
    const a = childrenNamed(actual, at.entry, at.ns).find((x) => childText(x, at.key, at.ns) === item);
    if (a) bind('item', childText(r, at.value, at.ns), childText(a, at.value, at.ns));
  }
}

function learnFind(recorded: WbxmlElement, actual: WbxmlElement, bind: Bind): void {
  const r = results(recorded, 'Find').filter((x) => child(x, 'ServerId', AS));
  const a = results(actual, 'Find').filter((x) => child(x, 'ServerId', AS));
  for (const [i, j] of pairUp(r, a, (x) => stableField(child(x, 'Properties', 'Find')))) {
    bind('item', childText(r[i]!, 'ServerId', AS), childText(a[j]!, 'ServerId', AS));
  }
}
