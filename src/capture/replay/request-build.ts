/**
 * The HTTP request of a replayed step: the recorded query form with the
 * new DeviceId, the replaying user and the bound parameters; the headers
 * that change what a server answers (MS-ASHTTP 2.2.1.1.2) as recorded, with
 * the device's current policy key; the body encoded with our WBXML encoder
 * at the step's protocol version.
 */
import type { EasCommandName } from '../../../protocol/http/command-codes.ts';
import type { ProtocolVersion } from '../../../protocol/version.ts';
import { encodeWbxml } from '../../../protocol/wbxml/encoder.ts';
import type { WbxmlElement } from '../../../protocol/wbxml/tree.ts';
import { base64Query, plainQuery } from '../../client/query.ts';
import { swapAddress, type OwnerMap } from './identity.ts';
import { placeholderMime } from './placeholders.ts';
import type { StepBody } from './steps.ts';

/** Who sends: the same for every step of a session. */
export interface Device {
  readonly user: string;
  readonly deviceId: string;
  readonly deviceType: string;
  readonly owner: OwnerMap;
}

export interface OutgoingRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Uint8Array;
  /** What the body says, for the report: XML of the tree, or a description of a non-WBXML body. */
  readonly tree?: WbxmlElement;
  readonly bodyNote?: string;
}

export const EAS_PATH = '/Microsoft-Server-ActiveSync';

/** Recorded headers passed on unchanged: they describe the device, not the recording. */
const PASSED = ['User-Agent', 'Accept-Language', 'MS-ASAcceptMultiPart'] as const;

function passedHeaders(recorded: Readonly<Record<string, string>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of PASSED) if (recorded[h] !== undefined) headers[h] = recorded[h]!;
  return headers;
}

/**
 * An OPTIONS request: the recorded query (iOS and Outlook send User and
 * DeviceId with it) with this device's values.
 */
export function optionsRequest(dev: Device, recordedQuery: string, recordedHeaders: Readonly<Record<string, string>>): OutgoingRequest {
  const headers = passedHeaders(recordedHeaders);
  let query = '';
  if (recordedQuery !== '') {
    const p = new URLSearchParams(recordedQuery);
    for (const k of [...p.keys()]) {
      if (k.toLowerCase() === 'user') p.set(k, dev.user);
      else if (k.toLowerCase() === 'deviceid') p.set(k, dev.deviceId);
    }
    query = `?${p.toString()}`;
  }
  return { method: 'OPTIONS', path: `${EAS_PATH}${query}`, headers };
}

/** A POST of a step, or of the replay's own Provision. Throws when the tree has tokens the version lacks. */
export function commandRequest(
  dev: Device,
  r: {
    readonly command: string;
    readonly version: ProtocolVersion;
    readonly form: 'plain' | 'base64';
    readonly params: Readonly<Record<string, string>>;
    readonly policyKey?: string;
    readonly locale?: number;
    readonly recordedHeaders: Readonly<Record<string, string>>;
    readonly tree?: WbxmlElement;
    readonly other?: Extract<StepBody, { kind: 'other' }>;
  },
): OutgoingRequest {
  const key = r.policyKey !== undefined ? Number(r.policyKey) >>> 0 : 0;
  const q = {
    command: r.command as EasCommandName,
    user: dev.user,
    deviceId: dev.deviceId,
    deviceType: dev.deviceType,
    version: r.version,
    policyKey: key,
    params: r.params,
    ...(r.locale !== undefined ? { locale: r.locale } : {}),
  };
  const headers = passedHeaders(r.recordedHeaders);
  // The base64 form carries version and key in its bytes (MS-ASHTTP 2.2.1.1.1.1); a device sending it omits the headers.
  if (r.form === 'plain' || r.recordedHeaders['MS-ASProtocolVersion'] !== undefined) headers['MS-ASProtocolVersion'] = r.version;
  if (key && r.form === 'plain') headers['X-MS-PolicyKey'] = String(key);
  const path = `${EAS_PATH}?${r.form === 'base64' ? base64Query(q) : plainQuery(q)}`;
  if (r.tree) {
    const body = encodeWbxml(r.tree, { version: r.version });
    headers['Content-Type'] = 'application/vnd.ms-sync.wbxml';
    return { method: 'POST', path, headers, body, tree: r.tree };
  }
  if (r.other) {
    const o = r.other;
    // 12.x SendMail/SmartReply/SmartForward post the message itself (MS-ASCMD 2.2.1.17, 12.1 form).
    const mime = /message\/rfc822/i.test(o.contentType) || /^Smart|^SendMail/.test(r.command);
    const text = o.text !== undefined ? swapAddress(o.text, dev.owner.recorded, dev.owner.replaying) : mime ? placeholderMime(o.size, dev.owner) : 'x'.repeat(o.size);
    headers['Content-Type'] = r.recordedHeaders['Content-Type'] ?? o.contentType;
    return { method: 'POST', path, headers, body: Buffer.from(text, 'utf8'), bodyNote: `${o.contentType}, ${Buffer.byteLength(text)} bytes${o.text === undefined ? ' (placeholder)' : ''}` };
  }
  return { method: 'POST', path, headers };
}
