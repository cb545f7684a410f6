import type { MailSearchNode } from '../../../backends/types.ts';
import type { MailboxCondition } from '../../../protocol/commands/search.ts';
import { parseEasDate } from '../../../protocol/types/dates.ts';
import { MAX_SEARCH_CONDITIONS, MAX_SEARCH_DEPTH, MAX_SEARCH_TEXT_CHARS } from './limits.ts';

/**
 * What a mailbox search asks, whichever command sent it (Search Store
 * Mailbox, Find): where to look and what to match. The runner
 * (src/commands/mailbox-search/run.ts) turns it into IMAP SEARCHes.
 */
export interface SearchPlan {
  /** CollectionIds to search; empty: every mail folder of the mailbox. */
  readonly collectionIds: readonly string[];
  /** airsync:Class values asked for; empty: all. Only Email has messages to find. */
  readonly classes: readonly string[];
  readonly match: MailSearchNode;
}

/** Why a query is refused: `invalid` (Status 2) or `tooComplex` (Search Status 8). */
export interface PlanRefusal {
  readonly refused: 'invalid' | 'tooComplex';
  readonly reason: string;
}

export type PlanResult = SearchPlan | PlanRefusal;

export function isRefusal(p: PlanResult | MailSearchNode): p is PlanRefusal {
  return 'refused' in p;
}

/**
 * Words of a free-text string: runs of non-space, or "quoted phrases" kept
 * whole. Each becomes one IMAP TEXT condition (a substring match, so a word
 * also finds longer words it begins, as Exchange's prefix matching does).
 */
export function freeTextWords(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|(\S+)/gu)) {
    const w = (m[1] ?? m[2] ?? '').trim();
    if (w) out.push(w);
  }
  return out;
}

/** An And of `nodes`, or the node itself when there is one. */
export function allOf(nodes: readonly MailSearchNode[]): MailSearchNode {
  return nodes.length === 1 ? nodes[0]! : { op: 'and', children: nodes };
}

/** Refuses a match tree over the caps (conditions, depth, text length). */
export function checkComplexity(node: MailSearchNode): PlanRefusal | undefined {
  let conditions = 0;
  let chars = 0;
  let depth = 0;
  const walk = (n: MailSearchNode, d: number): void => {
    depth = Math.max(depth, d);
    if (n.op === 'and' || n.op === 'or') for (const c of n.children) walk(c, d + 1);
    else {
      conditions++;
      if (n.op === 'text') chars += [...n.value].length;
    }
  };
  walk(node, 0);
  if (chars > MAX_SEARCH_TEXT_CHARS) return { refused: 'tooComplex', reason: `query text of ${chars} characters` };
  if (conditions > MAX_SEARCH_CONDITIONS) return { refused: 'tooComplex', reason: `${conditions} conditions` };
  if (depth > MAX_SEARCH_DEPTH) return { refused: 'tooComplex', reason: `nesting ${depth} deep` };
  return undefined;
}

/** One match condition of a Search query; scope elements (Class, CollectionId) are taken out by the caller. */
function matchOf(c: MailboxCondition): MailSearchNode | PlanRefusal {
  switch (c.kind) {
    case 'freeText': {
      const words = freeTextWords(c.text);
      if (words.length === 0) return { refused: 'invalid', reason: 'empty FreeText' };
      return allOf(words.map((value) => ({ op: 'text', field: 'any', value })));
    }
    case 'equalTo':
      if (!c.text.trim()) return { refused: 'invalid', reason: `empty EqualTo ${c.field}` };
      return { op: 'text', field: c.field, value: c.text };
    case 'receivedAfter':
    case 'receivedBefore': {
      const date = parseEasDate(c.value);
      if (!date) return { refused: 'invalid', reason: `DateReceived value ${JSON.stringify(c.value.slice(0, 40))}` };
      return { op: c.kind === 'receivedAfter' ? 'after' : 'before', date };
    }
    case 'and':
    case 'or': {
      const children: MailSearchNode[] = [];
      for (const x of c.children) {
        const m = matchOf(x);
        if (isRefusal(m)) return m;
        children.push(m);
      }
      if (children.length === 0) return { refused: 'invalid', reason: `empty ${c.kind}` };
      return children.length === 1 ? children[0]! : { op: c.kind, children };
    }
    case 'class':
    case 'collectionId':
      return { refused: 'invalid', reason: `${c.kind} inside an Or or a nested And` };
    case 'conversationId':
      // Conversation search (Outlook "show conversation") is not built: the device has the thread in its synced folders.
      return { refused: 'invalid', reason: 'ConversationId search is not supported' };
    case 'unknown':
      return { refused: 'invalid', reason: `unexpected ${c.name}` };
  }
}

/**
 * The plan of a Search Store Mailbox query (MS-ASCMD 2.2.3.138.2): Class
 * and CollectionId at the top level say where, the rest (FreeText,
 * EqualTo on From/To/Cc/Subject, GreaterThan/LessThan on DateReceived,
 * nested And/Or) what. A query with nothing to match is invalid.
 */
export function planSearchQuery(q: MailboxCondition): PlanResult {
  const top = q.kind === 'and' ? q.children : [q];
  const classes: string[] = [];
  const collectionIds: string[] = [];
  const matches: MailSearchNode[] = [];
  for (const c of top) {
    if (c.kind === 'class') classes.push(c.value);
    else if (c.kind === 'collectionId') collectionIds.push(c.value);
    else {
      const m = matchOf(c);
      if (isRefusal(m)) return m;
      matches.push(m);
    }
  }
  if (matches.length === 0) return { refused: 'invalid', reason: 'no FreeText, EqualTo or DateReceived condition' };
  const match = allOf(matches);
  return checkComplexity(match) ?? { classes, collectionIds, match };
}
