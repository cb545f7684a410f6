/**
 * `eas-replay --update`: the answers of a replay become the capture's
 * expected answers. The requests stay as they are; so that they still fit,
 * every value in an answer that the binder paired with a recorded one is
 * written back as the recorded value (this step's own pairs first, then the
 * session's), and the replaying user's address as the recorded owner's.
 * Values the recording never had (a new item, a new folder) stay as this
 * server chose them: nothing in the capture refers to them. The answer is
 * then redacted as the file says (redact.ts of the recorder) and stored as
 * XML only: replay compares trees, not bytes.
 */
import { writeFileSync } from 'node:fs';
import type { WbxmlElement } from '../../../protocol/wbxml/tree.ts';
import { fromXml, toXml } from '../../../protocol/xml/index.ts';
import type { CaptureBody, CaptureExchange, CaptureFile } from '../format.ts';
import { hashAddresses, redactedXml } from '../redact.ts';
import type { Bindings, BoundPair } from './bindings.ts';
import { swapAddress } from './identity.ts';
import { ELEMENT_KIND, isClientValue, PARAM_KIND, type ValueKind } from './kinds.ts';
import type { SessionResult, StepResult } from './runner.ts';

const KEPT_HEADERS = ['MS-ASProtocolVersions', 'MS-ASProtocolCommands', 'Retry-After', 'X-MS-Location', 'Content-Type'] as const;

/**
 * Names for the replayed server's values when written into the capture.
 * A value the binder paired becomes the recorded one; any other is kept as
 * the server chose it unless the capture already uses that string for
 * something else (the recorded Inbox is "5" and this server's Notes folder
 * is "5" too), in which case it gets a suffix ("5~1") that nothing in the
 * file uses. The choice is remembered, so that the same value reads the
 * same in every later answer of the session.
 */
export class BackNames {
  readonly #taken = new Map<string, Set<string>>();
  readonly #renamed = new Map<string, string>();

  constructor(
    readonly bindings: Bindings,
    file: CaptureFile,
  ) {
    for (const x of file.exchanges) {
      for (const [name, value] of Object.entries(x.decodedQuery?.params ?? {})) {
        const kind = PARAM_KIND[name];
        if (kind) this.#take(kind, value);
      }
      for (const body of [x.request, x.response.body]) {
        const tree = body?.xml !== undefined ? safeXml(body.xml) : undefined;
        if (tree) walkValues(tree, (kind, value) => this.#take(kind, value));
      }
    }
  }

  #take(kind: ValueKind, value: string): void {
    let set = this.#taken.get(kind);
    if (!set) this.#taken.set(kind, (set = new Set()));
    set.add(value);
  }

  /** The capture's name for an actual value; `pairs` are the step's own, read first. */
  nameOf(kind: ValueKind, actual: string, pairs: readonly BoundPair[], scope?: string): string {
    if (isClientValue(kind, actual)) return actual;
    const local = pairs.find((p) => p.kind === kind && p.actual === actual && (kind !== 'syncKey' || p.scope === scope));
    if (local) return local.recorded;
    const bound = this.bindings.recordedOf(kind, actual, scope);
    if (bound !== undefined) return bound;
    const key = `${kind}\u0000${actual}`;
    const renamed = this.#renamed.get(key);
    if (renamed !== undefined) return renamed;
    const taken = this.#taken.get(kind) ?? new Set<string>();
    let name = actual;
    for (let n = 1; taken.has(name); n++) name = `${actual}~${n}`;
    this.#take(kind, name);
    this.#renamed.set(key, name);
    return name;
  }
}

function safeXml(xml: string): WbxmlElement | undefined {
  try {
    return fromXml(xml);
  } catch {
    return undefined;
  }
}

function walkValues(e: WbxmlElement, f: (kind: ValueKind, value: string) => void): void {
  if (e.text !== undefined) {
    const kind = ELEMENT_KIND.get(`${e.ns}:${e.name}`);
    if (kind) f(kind, e.text);
  }
  for (const c of e.children ?? []) walkValues(c, f);
}

/** An actual answer tree with the replayed server's values written as the capture names them. */
export function translateBack(tree: WbxmlElement, pairs: readonly BoundPair[], names: BackNames, owner: { recorded?: string; replaying?: string }): WbxmlElement {
  const visit = (e: WbxmlElement, siblings: readonly WbxmlElement[]): WbxmlElement => {
    if (e.children) {
      const kids = e.children;
      return { ns: e.ns, name: e.name, children: kids.map((c) => visit(c, kids)) };
    }
    if (e.text === undefined) return e;
    const kind = ELEMENT_KIND.get(`${e.ns}:${e.name}`);
    if (!kind) return { ns: e.ns, name: e.name, text: swapAddress(e.text, owner.replaying, owner.recorded) };
    let scope: string | undefined;
    if (kind === 'syncKey') {
      const c = siblings.find((s) => s.name === 'CollectionId' && (s.ns === 'AirSync' || s.ns === 'GetItemEstimate'))?.text;
      scope = c !== undefined ? names.nameOf('folder', c, pairs) : undefined;
    }
    return { ns: e.ns, name: e.name, text: names.nameOf(kind, e.text, pairs, scope) };
  };
  return visit(tree, []);
}

function answerBody(r: StepResult, file: CaptureFile, owner: { recorded?: string; replaying?: string }, names: BackNames): CaptureBody | undefined {
  const body = r.actual!.body;
  if (body.kind === 'none') return undefined;
  if (body.kind === 'other') return { contentType: body.contentType, size: body.size };
  const tree = translateBack(body.tree, r.pairs, names, owner);
  const { xml } = redactedXml(tree, { bodies: file.redaction.bodies });
  const kept = file.redaction.addresses === 'hashed' ? hashAddresses(xml) : xml;
  // Indented like the hand-written corpus, so that a diff of an update reads element by element.
  return { xml: toXml(fromXml(kept), { pretty: true }).trimEnd() };
}

/** The capture with the replayed answers as its expected ones (steps without an answer keep theirs). */
export function updatedCapture(file: CaptureFile, session: SessionResult): CaptureFile {
  const owner = session.owner;
  const names = new BackNames(session.bindings, file);
  const exchanges: CaptureExchange[] = file.exchanges.map((x, i) => {
    const r = session.steps[i];
    // A known deviation keeps the correct answer it was written with (format.ts knownDeviation).
    if (!r?.actual || x.knownDeviation !== undefined) return x;
    const headers: Record<string, string> = {};
    for (const h of KEPT_HEADERS) {
      const v = r.actual.headers[h.toLowerCase()];
      if (v !== undefined) headers[h] = v;
    }
    const body = answerBody(r, file, owner, names);
    return { ...x, response: { status: r.actual.status, headers, ...(body ? { body } : {}) } };
  });
  return { ...file, exchanges };
}

/** Writes a capture file the way the corpus keeps them: two-space JSON, one trailing newline. */
export function writeCapture(path: string, file: CaptureFile): void {
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
}
