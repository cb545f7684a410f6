/**
 * What one replay has learnt: for each value the recorded server chose, the
 * value the replayed server chose in its place. Collection SyncKeys are
 * scoped by the recorded CollectionId because servers may hand out the same
 * key string in different collections. Every pair is also kept per step so
 * that `--update` can translate that step's answer back first with its own
 * pairs (update.ts).
 */
import type { ValueKind } from './kinds.ts';

/** One learnt pair. */
export interface BoundPair {
  readonly kind: ValueKind;
  readonly recorded: string;
  readonly actual: string;
  /** The recorded CollectionId of a collection SyncKey. */
  readonly scope?: string;
}

const keyOf = (kind: ValueKind, value: string, scope?: string): string => (kind === 'syncKey' ? `${scope ?? ''}\u0000${value}` : value);

export class Bindings {
  readonly #forward = new Map<ValueKind, Map<string, string>>();
  readonly #reverse = new Map<ValueKind, Map<string, string>>();
  /** The replaying device's policy key: the last one a Provision answer gave (MS-ASPROV 3.1.5.1). */
  policyKey: string | undefined;

  /** Records that the recorded `recorded` is `actual` on this server. */
  set(pair: BoundPair): void {
    const { kind, recorded, actual, scope } = pair;
    let f = this.#forward.get(kind);
    if (!f) this.#forward.set(kind, (f = new Map()));
    f.set(keyOf(kind, recorded, scope), actual);
    let r = this.#reverse.get(kind);
    if (!r) this.#reverse.set(kind, (r = new Map()));
    // A syncKey's reverse scope is the actual CollectionId, looked up through the folder map by the updater.
    r.set(keyOf(kind, actual, scope), recorded);
  }

  /** The actual value for a recorded one, if learnt. */
  get(kind: ValueKind, recorded: string, scope?: string): string | undefined {
    return this.#forward.get(kind)?.get(keyOf(kind, recorded, scope));
  }

  /** The recorded value an actual one stands for, if learnt (the last pair wins). */
  recordedOf(kind: ValueKind, actual: string, scope?: string): string | undefined {
    return this.#reverse.get(kind)?.get(keyOf(kind, actual, scope));
  }

  /** Whether some recorded value is already bound to `actual` (an item seen before, not a new one). */
  hasActual(kind: ValueKind, actual: string): boolean {
    return this.#reverse.get(kind)?.has(actual) ?? false;
  }
}
