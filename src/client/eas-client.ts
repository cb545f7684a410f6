import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gzipSync } from 'node:zlib';
import type { DeviceInformation } from '../../protocol/commands/device-information.ts';
import type { PingFolder } from '../../protocol/commands/ping.ts';
import type { SyncRequestBody } from '../../protocol/commands/sync.ts';
import type { EasCommandName } from '../../protocol/http/command-codes.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { decodeWbxml } from '../../protocol/wbxml/decoder.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { child, childNumber, childrenNamed, childText, hasChild, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { base64Query, plainQuery } from './query.ts';
import {
  folderCreateRequest,
  folderDeleteRequest,
  folderSyncRequest,
  folderUpdateRequest,
  pingRequest,
  policyTypeFor,
  provisionRequest,
  settingsRequest,
  syncRequest,
} from './requests.ts';

/** How to reach the server and who to be. */
export interface EasClientOptions {
  /** e.g. https://127.0.0.1:8443 (the path is added). */
  readonly baseUrl: string;
  readonly user: string;
  readonly password: string;
  readonly deviceId: string;
  readonly deviceType: string;
  readonly version: ProtocolVersion;
  readonly userAgent?: string;
  /** Query form of every request (MS-ASHTTP 2.2.1.1.1); plain by default. */
  readonly queryForm?: 'plain' | 'base64';
  /** Accept self-signed server certificates (demo, tests). */
  readonly insecureTls?: boolean;
  /** Request timeout in ms (held Pings need more than the heartbeat). */
  readonly timeoutMs?: number;
}

/** One HTTP exchange. `body` is the decoded WBXML response, when there is one. */
export interface EasResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body?: WbxmlElement;
  readonly raw: Buffer;
}

/** Extra per-request choices. */
export interface RequestOptions {
  readonly params?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Bytes to send instead of an encoded tree (malformed-input tests). */
  readonly rawBody?: Uint8Array;
  readonly gzip?: boolean;
  readonly signal?: AbortSignal;
  readonly queryForm?: 'plain' | 'base64';
  /** Omit the Authorization header, or send these credentials instead. */
  readonly auth?: false | { user: string; password: string };
}

/** A folder in a FolderSync answer. */
export interface ClientFolder {
  readonly serverId: string;
  readonly parentId: string;
  readonly displayName: string;
  readonly type: number;
}

const FH = 'FolderHierarchy';

function readFolder(e: WbxmlElement): ClientFolder {
  return {
    serverId: childText(e, 'ServerId', FH) ?? '',
    parentId: childText(e, 'ParentId', FH) ?? '',
    displayName: childText(e, 'DisplayName', FH) ?? '',
    type: childNumber(e, 'Type', FH) ?? 0,
  };
}

/**
 * An EAS client as a phone behaves: Basic auth, either query form, the
 * policy key kept after `provision()`, WBXML in and out in the chosen
 * protocol version. Used by the tests and the capture replay tool.
 */
export class EasClient {
  /** The policy key sent with every request (X-MS-PolicyKey / base64 field); 0 until provisioned. */
  policyKey = 0;

  constructor(readonly opts: EasClientOptions) {}

  /** OPTIONS (MS-ASHTTP 2.2.1.2): the advertised versions and commands are in the headers. */
  options(req: RequestOptions = {}): Promise<EasResponse> {
    return this.send('OPTIONS', '/Microsoft-Server-ActiveSync', undefined, req);
  }

  /** POSTs one command; `body` undefined sends an empty body. */
  command(name: EasCommandName, body?: WbxmlElement, req: RequestOptions = {}): Promise<EasResponse> {
    const q = {
      command: name,
      user: this.opts.user,
      deviceId: this.opts.deviceId,
      deviceType: this.opts.deviceType,
      version: this.opts.version,
      policyKey: this.policyKey,
      ...(req.params ? { params: req.params } : {}),
    };
    const form = req.queryForm ?? this.opts.queryForm ?? 'plain';
    const query = form === 'base64' ? base64Query(q) : plainQuery(q);
    const bytes = req.rawBody ?? (body ? encodeWbxml(body, { version: this.opts.version }) : undefined);
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (form === 'plain') {
      headers['MS-ASProtocolVersion'] = this.opts.version;
      if (this.policyKey) headers['X-MS-PolicyKey'] = String(this.policyKey);
    }
    return this.send('POST', `/Microsoft-Server-ActiveSync?${query}`, bytes, { ...req, headers });
  }

  /** POST to the Autodiscover endpoint with the given schema (MS-ASCMD 2.2.1.1). */
  autodiscover(email: string, schema: string, path = '/autodiscover/autodiscover.xml'): Promise<EasResponse> {
    const requestNs = schema.includes('/outlook/')
      ? 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006'
      : 'http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006';
    const xml =
      `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${requestNs}"><Request>` +
      `<EMailAddress>${email}</EMailAddress><AcceptableResponseSchema>${schema}</AcceptableResponseSchema></Request></Autodiscover>`;
    return this.send('POST', path, Buffer.from(xml), { headers: { 'Content-Type': 'text/xml' } });
  }

  /**
   * The two-phase Provision handshake (MS-ASPROV 3.1.5.1): request the
   * policy, acknowledge it with the temporary key, keep the final key.
   * Returns the responses; `remoteWipe` is set when the server ordered one
   * instead (the client then acknowledges with `acknowledgeWipe`).
   */
  async provision(deviceInformation?: DeviceInformation): Promise<{ policyKey: number; remoteWipe: boolean; accountOnlyRemoteWipe: boolean; responses: EasResponse[] }> {
    const policyType = policyTypeFor(this.opts.version);
    this.policyKey = 0;
    const first = await this.command('Provision', provisionRequest({ policyType, ...(deviceInformation ? { deviceInformation } : {}) }, this.opts.version));
    const root = first.body;
    if (first.status !== 200 || !root) throw new Error(`Provision failed: HTTP ${first.status}`);
    const remoteWipe = hasChild(root, 'RemoteWipe', 'Provision');
    const accountOnlyRemoteWipe = hasChild(root, 'AccountOnlyRemoteWipe', 'Provision');
    if (remoteWipe || accountOnlyRemoteWipe) return { policyKey: 0, remoteWipe, accountOnlyRemoteWipe, responses: [first] };
    const policy = child(child(root, 'Policies', 'Provision') ?? root, 'Policy', 'Provision');
    const tempKey = policy ? Number(childText(policy, 'PolicyKey', 'Provision')) : Number.NaN;
    if (!Number.isInteger(tempKey) || tempKey <= 0) throw new Error('Provision: no temporary policy key');
    this.policyKey = tempKey;
    const second = await this.command('Provision', provisionRequest({ policyType, policyKey: tempKey, status: 1 }, this.opts.version));
    const policy2 = second.body ? child(child(second.body, 'Policies', 'Provision') ?? second.body, 'Policy', 'Provision') : undefined;
    const finalKey = policy2 ? Number(childText(policy2, 'PolicyKey', 'Provision')) : Number.NaN;
    if (!Number.isInteger(finalKey) || finalKey <= 0) throw new Error('Provision: no final policy key');
    this.policyKey = finalKey;
    return { policyKey: finalKey, remoteWipe: false, accountOnlyRemoteWipe: false, responses: [first, second] };
  }

  /** Acknowledges a remote wipe (or 16.1 account-only wipe) order (MS-ASPROV 3.1.5.1.2.2). */
  acknowledgeWipe(accountOnly = false): Promise<EasResponse> {
    return this.command('Provision', provisionRequest(accountOnly ? { accountOnlyRemoteWipeStatus: 1 } : { remoteWipeStatus: 1 }, this.opts.version));
  }

  /** FolderSync (MS-ASCMD 2.2.1.5) with the changes read out. */
  async folderSync(syncKey = '0'): Promise<{ response: EasResponse; status?: number; syncKey?: string; adds: ClientFolder[]; updates: ClientFolder[]; deletes: string[] }> {
    const response = await this.command('FolderSync', folderSyncRequest(syncKey));
    const b = response.body;
    const changes = b ? child(b, 'Changes', FH) : undefined;
    return {
      response,
      ...(b ? { status: childNumber(b, 'Status', FH) } : {}),
      ...(b && childText(b, 'SyncKey', FH) !== undefined ? { syncKey: childText(b, 'SyncKey', FH) } : {}),
      adds: changes ? childrenNamed(changes, 'Add', FH).map(readFolder) : [],
      updates: changes ? childrenNamed(changes, 'Update', FH).map(readFolder) : [],
      deletes: changes ? childrenNamed(changes, 'Delete', FH).map((d) => childText(d, 'ServerId', FH) ?? '') : [],
    };
  }

  /** FolderCreate (MS-ASCMD 2.2.1.3). */
  async folderCreate(r: { syncKey: string; parentId: string; displayName: string; type?: number }) {
    const response = await this.command('FolderCreate', folderCreateRequest({ ...r, type: r.type ?? 12 }));
    return { response, ...this.hierarchyResult(response), serverId: response.body ? childText(response.body, 'ServerId', FH) : undefined };
  }

  /** FolderUpdate (MS-ASCMD 2.2.1.6). */
  async folderUpdate(r: { syncKey: string; serverId: string; parentId: string; displayName: string }) {
    const response = await this.command('FolderUpdate', folderUpdateRequest(r));
    return { response, ...this.hierarchyResult(response) };
  }

  /** FolderDelete (MS-ASCMD 2.2.1.4). */
  async folderDelete(r: { syncKey: string; serverId: string }) {
    const response = await this.command('FolderDelete', folderDeleteRequest(r));
    return { response, ...this.hierarchyResult(response) };
  }

  /** Settings (MS-ASCMD 2.2.1.18). */
  settings(r: { deviceInformation?: DeviceInformation; userInformation?: boolean; oofGet?: boolean }): Promise<EasResponse> {
    return this.command('Settings', settingsRequest(r, this.opts.version));
  }

  /** Sync (MS-ASCMD 2.2.1.21) from the typed request shape; `undefined` sends an empty body. */
  sync(r?: Parameters<typeof syncRequest>[0] | Omit<SyncRequestBody, 'empty'>, req: RequestOptions = {}): Promise<EasResponse> {
    return this.command('Sync', r ? syncRequest(r) : undefined, req);
  }

  /** Ping (MS-ASCMD 2.2.1.13); empty parts reuse the server's stored ones. */
  ping(r?: { heartbeatInterval?: number; folders?: readonly PingFolder[] }, req: RequestOptions = {}): Promise<EasResponse> {
    return this.command('Ping', r ? pingRequest(r) : undefined, req);
  }

  private hierarchyResult(res: EasResponse): { status?: number; syncKey?: string } {
    const b = res.body;
    if (!b) return {};
    const syncKey = childText(b, 'SyncKey', FH);
    return { status: childNumber(b, 'Status', FH), ...(syncKey !== undefined ? { syncKey } : {}) };
  }

  private send(method: string, path: string, body: Uint8Array | undefined, req: RequestOptions): Promise<EasResponse> {
    const url = new URL(path, this.opts.baseUrl);
    const headers: Record<string, string> = {
      'User-Agent': this.opts.userAgent ?? `eas-client/${this.opts.deviceType}`,
      ...(req.headers ?? {}),
    };
    const auth = req.auth === undefined ? { user: this.opts.user, password: this.opts.password } : req.auth;
    if (auth) headers.Authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
    let payload = body ? Buffer.from(body) : undefined;
    if (payload && req.gzip) {
      payload = gzipSync(payload);
      headers['Content-Encoding'] = 'gzip';
    }
    if (payload) {
      headers['Content-Type'] ??= 'application/vnd.ms-sync.wbxml';
      headers['Content-Length'] = String(payload.length);
    } else if (method === 'POST') {
      headers['Content-Length'] = '0';
    }
    const doRequest = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<EasResponse>((resolve, reject) => {
      const r = doRequest(
        url,
        {
          method,
          headers,
          ...(url.protocol === 'https:' && this.opts.insecureTls ? { rejectUnauthorized: false } : {}),
          timeout: this.opts.timeoutMs ?? 60_000,
          ...(req.signal ? { signal: req.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            const type = String(res.headers['content-type'] ?? '');
            let tree: WbxmlElement | undefined;
            if (raw.length > 0 && type.includes('vnd.ms-sync.wbxml')) tree = decodeWbxml(raw);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, ...(tree ? { body: tree } : {}) });
          });
        },
      );
      r.on('timeout', () => r.destroy(new Error(`request timed out after ${this.opts.timeoutMs ?? 60_000} ms`)));
      r.on('error', reject);
      r.end(payload);
    });
  }
}
