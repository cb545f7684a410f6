/**
 * A capture's exchanges read into replay steps: command, protocol version,
 * query form and parameters, the recorded policy key, the request body as
 * an element tree (or as the non-WBXML body it was) and the recorded
 * answer. Reading is separate from sending so that a step that cannot be
 * sent says why before anything goes to a server.
 */
import { parseQuery } from '../../../protocol/http/request-line.ts';
import { isProtocolVersion, type ProtocolVersion } from '../../../protocol/version.ts';
import { decodeWbxml } from '../../../protocol/wbxml/decoder.ts';
import type { WbxmlElement } from '../../../protocol/wbxml/tree.ts';
import { fromXml } from '../../../protocol/xml/index.ts';
import type { CaptureBody, CaptureExchange, CaptureFile } from '../format.ts';

/** A recorded or received body: an element tree, another kind of body, or none. */
export type StepBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'wbxml'; readonly tree: WbxmlElement }
  | { readonly kind: 'other'; readonly contentType: string; readonly size: number; readonly text?: string };

export interface Step {
  /** 1-based, as the report shows it. */
  readonly index: number;
  readonly exchange: CaptureExchange;
  readonly method: 'POST' | 'OPTIONS' | 'GET';
  /** The EAS command, or "OPTIONS". */
  readonly command: string;
  readonly version?: ProtocolVersion;
  readonly form: 'plain' | 'base64';
  readonly params: Readonly<Record<string, string>>;
  /** Policy key the device sent (X-MS-PolicyKey or the base64 field); undefined when none or 0. */
  readonly policyKey?: string;
  /** Windows LCID of a base64 query. */
  readonly locale?: number;
  readonly request: StepBody;
  readonly expected: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: StepBody };
  /** Why this step cannot be sent at all (the runner skips it and says so). */
  readonly unusable?: string;
}

const WBXML_TYPE = /vnd\.ms-sync\.wbxml/i;

/** A capture body as a tree or as what it was; `problem` when the XML or WBXML in it does not read. */
export function readBody(b: CaptureBody | undefined): StepBody | { problem: string } {
  if (!b) return { kind: 'none' };
  if (b.xml !== undefined) {
    try {
      return { kind: 'wbxml', tree: fromXml(b.xml) };
    } catch (e) {
      return { problem: `its XML does not parse (${(e as Error).message})` };
    }
  }
  if (b.wbxml !== undefined && (b.contentType === undefined || WBXML_TYPE.test(b.contentType))) {
    try {
      return { kind: 'wbxml', tree: decodeWbxml(Buffer.from(b.wbxml, 'base64'), { limits: { maxBodyBytes: Number.MAX_SAFE_INTEGER } }) };
    } catch (e) {
      return { problem: `its WBXML does not decode (${(e as Error).message})` };
    }
  }
  const contentType = b.contentType ?? 'application/octet-stream';
  const size = b.size ?? (b.text !== undefined ? Buffer.byteLength(b.text, 'utf8') : 0);
  // A WBXML body that the recorder could not decode and did not keep: nothing to send.
  if (WBXML_TYPE.test(contentType) && b.wbxml === undefined) return { problem: 'its WBXML was not decodable and was not kept' };
  return { kind: 'other', contentType, size, ...(b.text !== undefined ? { text: b.text } : {}) };
}

/** Reads every exchange of a file into steps (never throws; unusable steps carry the reason). */
export function readSteps(file: CaptureFile): Step[] {
  return file.exchanges.map((x, i) => readStep(x, i + 1));
}

function readStep(x: CaptureExchange, index: number): Step {
  const problems: string[] = [];
  let command = x.method === 'OPTIONS' ? 'OPTIONS' : (x.decodedQuery?.command ?? '');
  let form: 'plain' | 'base64' = x.decodedQuery?.form ?? 'plain';
  let params: Record<string, string> = { ...(x.decodedQuery?.params ?? {}) };
  let version: string | undefined = x.requestHeaders['MS-ASProtocolVersion'];
  let policyKey: string | undefined = x.requestHeaders['X-MS-PolicyKey'];
  let locale: number | undefined;
  if (x.method !== 'OPTIONS' && x.query !== '') {
    try {
      const line = parseQuery(x.query);
      command = line.command;
      form = line.form;
      if (!x.decodedQuery) params = Object.fromEntries(Object.entries(line.params).filter(([, v]) => v !== undefined)) as Record<string, string>;
      if (line.protocolVersion) version = line.protocolVersion;
      if (line.policyKey !== undefined) policyKey = String(line.policyKey);
      if (line.locale !== undefined) locale = line.locale;
    } catch (e) {
      // The recorder blanks a base64 query it could not re-encode without an address; decodedQuery still has the command.
      if (!x.decodedQuery) problems.push(`query does not parse (${(e as Error).message})`);
    }
  }
  if (x.method !== 'OPTIONS' && command === '') problems.push('no command in the query');
  if (x.method !== 'OPTIONS' && (version === undefined || !isProtocolVersion(version))) {
    problems.push(version === undefined ? 'no protocol version (MS-ASProtocolVersion)' : `unknown protocol version ${version}`);
  }
  const request = readBody(x.request);
  if ('problem' in request) problems.push(`request body: ${request.problem}`);
  const expectedBody = readBody(x.response.body);
  if ('problem' in expectedBody) problems.push(`recorded answer: ${expectedBody.problem}`);
  return {
    index,
    exchange: x,
    method: x.method,
    command,
    ...(version !== undefined && isProtocolVersion(version) ? { version } : {}),
    form,
    params,
    ...(policyKey !== undefined && policyKey !== '0' && policyKey !== '' ? { policyKey } : {}),
    ...(locale !== undefined ? { locale } : {}),
    request: 'problem' in request ? { kind: 'none' } : request,
    expected: { status: x.response.status, headers: x.response.headers, body: 'problem' in expectedBody ? { kind: 'none' } : expectedBody },
    ...(problems.length > 0 ? { unusable: problems.join('; ') } : {}),
  };
}
