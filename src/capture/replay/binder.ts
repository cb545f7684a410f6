/**
 * Rewrites a recorded request for the replayed server: every value the
 * recorded server chose (kinds.ts) becomes the value this server chose in
 * its place (bindings.ts), the owner's address becomes the replaying
 * user's, and redacted content ("[redacted N bytes]") becomes placeholder
 * text of that size (placeholders.ts). A value that was never seen in an
 * earlier answer of the session is "unbound": it is sent as recorded and
 * reported, since the recording may have started after the device learnt it.
 */
import type { WbxmlElement } from '../../../protocol/wbxml/tree.ts';
import { Bindings } from './bindings.ts';
import { swapAddress, type OwnerMap } from './identity.ts';
import { ELEMENT_KIND, isClientValue, PARAM_KIND, type ValueKind } from './kinds.ts';
import { placeholderFor, REDACTED } from './placeholders.ts';

/** A recorded value the binder could not translate. */
export interface Unbound {
  readonly kind: ValueKind;
  readonly value: string;
  /** Element path ("Sync/Collections/Collection/SyncKey") or "query CollectionId". */
  readonly at: string;
}

export interface BoundRequest {
  readonly tree?: WbxmlElement;
  readonly params: Record<string, string>;
  readonly unbound: Unbound[];
}

/** Translates one value; undefined when it cannot be. */
function translate(b: Bindings, kind: ValueKind, value: string, scope?: string): string | undefined {
  if (isClientValue(kind, value)) return value;
  const direct = b.get(kind, value, scope);
  if (direct !== undefined) return direct;
  // A device always sends the policy key it holds now, whichever key the recording shows.
  if (kind === 'policyKey') return b.policyKey;
  return undefined;
}

/** The original CollectionId next to a collection SyncKey (Sync Collection, GetItemEstimate Collection). */
function collectionScope(siblings: readonly WbxmlElement[]): string | undefined {
  const c = siblings.find((s) => s.name === 'CollectionId' && (s.ns === 'AirSync' || s.ns === 'GetItemEstimate'));
  return c?.text;
}

/** Binds a request body and the query parameters of one step. */
export function bindRequest(
  b: Bindings,
  tree: WbxmlElement | undefined,
  params: Readonly<Record<string, string>>,
  owner: OwnerMap,
): BoundRequest {
  const unbound: Unbound[] = [];
  const outParams: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    const kind = PARAM_KIND[name];
    if (!kind) {
      outParams[name] = swapAddress(value, owner.recorded, owner.replaying);
      continue;
    }
    const t = translate(b, kind, value);
    if (t === undefined) unbound.push({ kind, value, at: `query ${name}` });
    outParams[name] = t ?? value;
  }
  const visit = (e: WbxmlElement, siblings: readonly WbxmlElement[], path: string): WbxmlElement => {
    const here = path === '' ? e.name : `${path}/${e.name}`;
    if (e.children) {
      const kids = e.children;
      return { ns: e.ns, name: e.name, children: kids.map((c) => visit(c, kids, here)) };
    }
    if (e.text === undefined) return e;
    const redacted = REDACTED.exec(e.text.trim());
    if (redacted) return { ns: e.ns, name: e.name, text: placeholderFor(e, Number(redacted[1]), owner) };
    const kind = ELEMENT_KIND.get(`${e.ns}:${e.name}`);
    if (!kind) {
      const text = swapAddress(e.text, owner.recorded, owner.replaying);
      return text === e.text ? e : { ns: e.ns, name: e.name, text };
    }
    const scope = kind === 'syncKey' ? collectionScope(siblings) : undefined;
    const t = translate(b, kind, e.text, scope);
    if (t === undefined) {
      unbound.push({ kind, value: e.text, at: here });
      return e;
    }
    return t === e.text ? e : { ns: e.ns, name: e.name, text: t };
  };
  return { ...(tree ? { tree: visit(tree, [], '') } : {}), params: outParams, unbound };
}
