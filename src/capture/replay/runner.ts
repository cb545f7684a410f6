/**
 * Replays one capture file against a server, step by step, as a new device
 * of the same kind: bind the request (binder.ts), send it, provision when
 * the server asks and the recording did not (auto-provision.ts), judge the
 * answer (compare.ts), learn the server's choices from it (learn.ts).
 *
 * Each step ends as one of:
 * - ok: the answer matches the recorded one;
 * - failed: it does not, or the request could not be sent;
 * - unbound: the request carried a value the recorded server chose that no
 *   earlier answer of this replay explains (sent as recorded; its answer is
 *   shown but does not fail the run), or the step could not be sent at all
 *   (skipped, with the reason).
 */
import type { ProtocolVersion } from '../../../protocol/version.ts';
import { toXml } from '../../../protocol/xml/index.ts';
import { findElement, type WbxmlElement } from '../../../protocol/wbxml/tree.ts';
import type { CaptureFile } from '../format.ts';
import { bindRequest, type Unbound } from './binder.ts';
import { Bindings, type BoundPair } from './bindings.ts';
import { answeredPolicyKey, asksToProvision, provisionPhase1, provisionPhase2, sessionDeviceInformation } from './auto-provision.ts';
import { compareAnswers, type Answer, type SessionNeeds } from './compare.ts';
import { freshDeviceId, recordedOwner, type OwnerMap } from './identity.ts';
import { learnAnswer } from './learn.ts';
import { commandRequest, optionsRequest, type Device, type OutgoingRequest } from './request-build.ts';
import { readSteps, type Step } from './steps.ts';
import { sendHttp, type HttpAnswer, type HttpTarget } from './transport.ts';

export type StepOutcome = 'ok' | 'failed' | 'unbound';

/** One HTTP exchange as sent and received, for the JSON report. */
export interface SentExchange {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly xml?: string;
  readonly bodyNote?: string;
  readonly received?: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly xml?: string; readonly bodyNote?: string };
}

export interface StepResult {
  readonly index: number;
  readonly command: string;
  readonly result: StepOutcome;
  readonly reasons: readonly string[];
  readonly unbound: readonly Unbound[];
  readonly expected: Answer;
  /** The answer judged (after any provisioning and retry). */
  readonly actual?: HttpAnswer;
  readonly sent?: SentExchange;
  /** The replay's own Provision exchanges before the retry. */
  readonly provisioning?: readonly SentExchange[];
  /** What this step taught the binder (update.ts translates with them first). */
  readonly pairs: readonly BoundPair[];
}

export interface SessionResult {
  readonly file: string;
  readonly family?: string;
  readonly recordedDeviceId: string;
  readonly deviceId: string;
  readonly steps: readonly StepResult[];
  readonly durationMs: number;
  readonly bindings: Bindings;
  /** The recorded owner's address and the replaying user's (update.ts writes the one back as the other). */
  readonly owner: OwnerMap;
}

export interface ReplayOptions {
  readonly target: HttpTarget;
  /** The replaying user's address, for the owner's; default the login when it is an address. */
  readonly address?: string;
  /** Recipient of the stand-in messages sent for redacted MIME; default the replaying user. */
  readonly mailTo?: string;
  /** Floor of the per-request timeout in ms (held Pings get their heartbeat on top). */
  readonly timeoutMs?: number;
  /** Called after each step (progress on stderr). */
  readonly onStep?: (r: StepResult) => void;
}

const xmlOf = (t: WbxmlElement | undefined): string | undefined => (t ? toXml(t, { pretty: true }) : undefined);

function describe(req: OutgoingRequest, ans?: HttpAnswer): SentExchange {
  const { Authorization: _a, ...headers } = req.headers;
  return {
    method: req.method,
    path: req.path,
    headers,
    ...(req.tree ? { xml: xmlOf(req.tree)! } : {}),
    ...(req.bodyNote ? { bodyNote: req.bodyNote } : {}),
    ...(ans
      ? {
          received: {
            status: ans.status,
            headers: ans.headers,
            ...(ans.body.kind === 'wbxml' ? { xml: xmlOf(ans.body.tree)! } : {}),
            ...(ans.body.kind === 'other' ? { bodyNote: `${ans.body.contentType}, ${ans.body.size} bytes` } : {}),
          },
        }
      : {}),
  };
}

/** Seconds a request may be held by the server: Ping or hanging Sync (MS-ASCMD 2.2.3.79, 2.2.3.189). */
function heldSeconds(tree: WbxmlElement | undefined): number | undefined {
  if (!tree) return undefined;
  const textOfFirst = (name: string): string | undefined => findElement(tree, (e) => e.name === name && e.text !== undefined)?.text;
  const hb = textOfFirst('HeartbeatInterval');
  if (hb !== undefined) return Number(hb);
  const wait = textOfFirst('Wait');
  return wait !== undefined ? Number(wait) * 60 : undefined;
}

/** Node's certificate errors, which --insecure (a test server's self-signed certificate) gets past. */
const CERT_ERRORS = /^(?:DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|CERT_HAS_EXPIRED|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/** Why a request got no answer, with the option that helps when there is one. */
function transportProblem(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return CERT_ERRORS.test(err.code ?? '') ? `${err.message} (--insecure accepts it)` : err.message;
}

/** Replays a parsed capture file; never throws for anything the server does. */
export async function replayCapture(file: CaptureFile, name: string, opts: ReplayOptions): Promise<SessionResult> {
  const started = Date.now();
  const steps = readSteps(file);
  const b = new Bindings();
  const replaying = opts.address ?? (opts.target.user.includes('@') ? opts.target.user : undefined);
  const owner: OwnerMap = { ...(recordedOwner(file.mailbox) ? { recorded: recordedOwner(file.mailbox)! } : {}), ...(replaying ? { replaying } : {}), ...(opts.mailTo ? { mailTo: opts.mailTo } : {}) };
  const dev: Device = { user: opts.target.user, deviceId: freshDeviceId(file.deviceId), deviceType: file.deviceType, owner };
  const posts = steps.filter((s) => s.method !== 'OPTIONS');
  const needs: SessionNeeds = { ...(posts[0]?.version ? { version: posts[0].version } : {}), commands: [...new Set(posts.map((s) => s.command))] };
  const deviceInformation = sessionDeviceInformation(steps.map((s) => (s.request.kind === 'wbxml' ? s.request.tree : undefined)));
  const floor = opts.timeoutMs ?? 30_000;
  let lastHeld = 0;
  const results: StepResult[] = [];

  for (const step of steps) {
    const r = await runStep(step);
    results.push(r);
    opts.onStep?.(r);
  }
  return { file: name, ...(file.family ? { family: file.family } : {}), recordedDeviceId: file.deviceId, deviceId: dev.deviceId, steps: results, durationMs: Date.now() - started, bindings: b, owner };

  async function runStep(step: Step): Promise<StepResult> {
    const expected: Answer = step.expected;
    const base = { index: step.index, command: step.command, expected };
    if (step.unusable) return { ...base, result: 'unbound', reasons: [`skipped: ${step.unusable}`], unbound: [], pairs: [] };
    const recordedTree = step.request.kind === 'wbxml' ? step.request.tree : undefined;
    const bound = bindRequest(b, recordedTree, step.params, owner);
    // An empty Ping or Sync reuses the last heartbeat (MS-ASCMD 2.2.1.13), so it may be held as long.
    const own = heldSeconds(bound.tree);
    if (own !== undefined) lastHeld = own;
    const held = own ?? ((step.command === 'Ping' || step.command === 'Sync') && !bound.tree ? lastHeld : 0);
    const timeoutMs = floor + held * 1000;

    const build = (tree: WbxmlElement | undefined, command = step.command, params = bound.params): OutgoingRequest =>
      step.method === 'OPTIONS'
        ? optionsRequest(dev, step.exchange.query, step.exchange.requestHeaders as Record<string, string>)
        : commandRequest(dev, {
            command,
            version: step.version as ProtocolVersion,
            form: step.form,
            params,
            // A device that sent a key sends the one it holds now; one that sent none keeps sending none.
            ...(step.policyKey !== undefined && b.policyKey !== undefined ? { policyKey: b.policyKey } : {}),
            ...(step.locale !== undefined ? { locale: step.locale } : {}),
            recordedHeaders: step.exchange.requestHeaders as Record<string, string>,
            ...(tree ? { tree } : {}),
            ...(step.request.kind === 'other' ? { other: step.request } : {}),
          });

    let req: OutgoingRequest;
    try {
      req = build(bound.tree);
    } catch (e) {
      return { ...base, result: 'unbound', reasons: [`skipped: the request cannot be encoded at ${step.version} (${(e as Error).message})`], unbound: bound.unbound, pairs: [] };
    }
    const send = (o: OutgoingRequest, t = timeoutMs): Promise<HttpAnswer> =>
      sendHttp(opts.target, { method: o.method, path: o.path, headers: o.headers, ...(o.body ? { body: o.body } : {}), timeoutMs: t });

    let actual: HttpAnswer;
    try {
      actual = await send(req);
    } catch (e) {
      return { ...base, result: 'failed', reasons: [`request failed: ${transportProblem(e)}`], unbound: bound.unbound, sent: describe(req), pairs: [] };
    }
    const provisioning: SentExchange[] = [];
    if (step.method === 'POST' && step.command !== 'Provision' && asksToProvision(actual.status, actual.body) && !asksToProvision(expected.status, expected.body)) {
      const problem = await provision(step, provisioning, (o) => send(o, floor));
      if (problem) return { ...base, result: 'failed', reasons: [problem], unbound: bound.unbound, sent: describe(req, actual), provisioning, pairs: [] };
      req = build(bound.tree);
      try {
        actual = await send(req);
      } catch (e) {
        return { ...base, result: 'failed', reasons: [`request failed after provisioning: ${transportProblem(e)}`], unbound: bound.unbound, sent: describe(req), provisioning, pairs: [] };
      }
    }
    const reasons = compareAnswers(step.command, expected, { status: actual.status, headers: actual.headers, body: actual.body }, needs);
    const pairs = learnAnswer(b, expected.body.kind === 'wbxml' ? expected.body.tree : undefined, actual.body.kind === 'wbxml' ? actual.body.tree : undefined, recordedTree);
    const unboundReasons = bound.unbound.map((u) => `unbound ${u.kind} ${JSON.stringify(u.value)} at ${u.at}`);
    const result: StepOutcome = bound.unbound.length > 0 ? 'unbound' : reasons.length > 0 ? 'failed' : 'ok';
    const known = step.exchange.knownDeviation;
    return {
      ...base,
      result,
      reasons: [...(known && result === 'failed' ? [`known deviation: ${known}`] : []), ...unboundReasons, ...reasons],
      unbound: bound.unbound,
      actual,
      sent: describe(req, actual),
      ...(provisioning.length > 0 ? { provisioning } : {}),
      pairs,
    };
  }

  /** The two-phase Provision; returns why it failed, or undefined with the key in `b`. */
  async function provision(step: Step, out: SentExchange[], send: (o: OutgoingRequest) => Promise<HttpAnswer>): Promise<string | undefined> {
    const version = step.version as ProtocolVersion;
    const ua = step.exchange.requestHeaders['User-Agent'];
    const common = { command: 'Provision', version, form: step.form, params: {}, recordedHeaders: step.exchange.requestHeaders as Record<string, string> };
    try {
      b.policyKey = undefined;
      const first = commandRequest(dev, { ...common, tree: provisionPhase1(version, deviceInformation, dev.deviceType, ua) });
      const a1 = await send(first);
      out.push(describe(first, a1));
      const temp = answeredPolicyKey(a1.body);
      if (a1.status !== 200 || !temp) return `the server asked to provision, and its Provision answer (HTTP ${a1.status}) had no policy key`;
      b.policyKey = temp;
      const second = commandRequest(dev, { ...common, policyKey: temp, tree: provisionPhase2(version, temp) });
      const a2 = await send(second);
      out.push(describe(second, a2));
      const final = answeredPolicyKey(a2.body);
      if (a2.status !== 200 || !final) return `the server asked to provision, and its acknowledgement answer (HTTP ${a2.status}) had no final policy key`;
      b.policyKey = final;
      return undefined;
    } catch (e) {
      return `provisioning failed: ${(e as Error).message}`;
    }
  }
}
