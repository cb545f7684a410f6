import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { toXml } from '../../protocol/xml/index.ts';
import type { RequestStats } from './request-stats.ts';
import { parseQuery } from '../../protocol/http/request-line.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';

/** What the request line says about a request, filled in as the request is understood. */
export interface RequestInfo {
  /** request.log enriched with mailbox, device, command and version as they become known. */
  log: Logger;
  eas?: number | string;
  /** Items a Sync answer carried (CommandResult.items). */
  items?: number;
}

const infos = new WeakMap<FastifyRequest, RequestInfo>();

const EAS_PATH = /^\/Microsoft-Server-ActiveSync/iu;

/** The request's info record, created on first use. */
export function requestInfo(request: FastifyRequest): RequestInfo {
  const found = infos.get(request);
  if (found) return found;
  // Fastify's logger type is a subset of pino's; the instance is the pino child Fastify made.
  const info: RequestInfo = { log: request.log as unknown as Logger };
  infos.set(request, info);
  return info;
}

/**
 * One log line per request (issue 3 item 12, STYLE habit 9): event
 * `request` with mailbox, device, cmd, v (from the child bindings), HTTP
 * status, EAS status and duration. Health checks are not logged.
 */
export function registerRequestLog(app: FastifyInstance, stats?: RequestStats): void {
  app.addHook('onResponse', async (request, reply) => {
    if (request.url === '/healthz') return;
    const info = requestInfo(request);
    if (stats && EAS_PATH.test(request.url)) {
      const b = info.log.bindings() as { cmd?: string; mailbox?: string; device?: string };
      stats.record({
        at: Date.now(),
        command: b.cmd ?? commandOfRefused(request),
        http: reply.statusCode,
        ...(info.eas !== undefined ? { eas: info.eas } : {}),
        ms: reply.elapsedTime,
        ...(b.mailbox ? { mailbox: b.mailbox } : {}),
        ...(b.device ? { device: b.device } : {}),
        ...(info.items ? { items: info.items } : {}),
      });
    }
    info.log.info(
      {
        event: 'request',
        method: request.method,
        url: request.routeOptions.url ?? request.url.split('?')[0],
        ip: request.ip,
        http: reply.statusCode,
        ...(info.eas !== undefined ? { eas: info.eas } : {}),
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
}

/**
 * The command of a request refused before its handler bound `cmd` (a 401, a
 * 403 from the access rules, a malformed body): read from the query again so
 * that the per-command counters also count the refusals.
 */
function commandOfRefused(request: FastifyRequest): string {
  if (request.method === 'OPTIONS') return 'OPTIONS';
  const q = request.url.indexOf('?');
  if (q < 0) return 'unknown';
  try {
    return parseQuery(request.url.slice(q + 1)).command;
  } catch {
    return 'unknown';
  }
}

/** Elements whose content is secret or bulky: passwords, message bodies, MIME, attachment and picture data. */
const REDACTED = new Set(['Password', 'Data', 'Mime', 'MIME', 'Picture', 'Content', 'Attachment']);

/** Logs a decoded body as XML at debug level, with secrets and bodies replaced unless EAS_LOG_BODIES is set. */
export function logBody(log: Logger, direction: 'request' | 'response', tree: WbxmlElement, unredacted: boolean): void {
  if (!log.isLevelEnabled('debug')) return;
  const redact = unredacted
    ? undefined
    : (e: WbxmlElement): string | undefined => {
        if (!REDACTED.has(e.name)) return undefined;
        const size = e.text?.length ?? e.opaque?.length;
        return size === undefined ? undefined : `[redacted ${size}]`;
      };
  log.debug({ event: `${direction}.body`, xml: toXml(tree, redact ? { redact } : {}) }, `${direction} body`);
}
