import { setMaxListeners } from 'node:events';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DEFAULT_SERVER_VERSION, parseEasRequest } from '../../protocol/http/index.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { decodeWbxml } from '../../protocol/wbxml/decoder.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { mapError, type ErrorAnswer } from '../commands/errors.ts';
import { optionsHeaders } from '../commands/options.ts';
import { policyHash } from '../commands/policy.ts';
import type { CommandRegistry } from '../commands/registry.ts';
import type { CommandContext, CommandResult } from '../commands/types.ts';
import { authenticate } from './authenticate.ts';
import { gateRequest } from './policy-gate.ts';
import { logBody, requestInfo } from './request-log.ts';
import type { Services } from './services.ts';

/** MS-ASHTTP 2.2.2.1.1: the WBXML body type of requests and responses. */
export const WBXML_CONTENT_TYPE = 'application/vnd.ms-sync.wbxml';

/**
 * Version assumed when a request names none: the header is required by
 * MS-ASHTTP 2.2.1.1.2.6, but answering in a widely understood version beats
 * refusing a client that forgot it.
 */
const FALLBACK_VERSION: ProtocolVersion = '14.1';

/** OPTIONS and POST on /Microsoft-Server-ActiveSync (MS-ASHTTP 2.2.1). */
export function registerEasRoute(app: FastifyInstance, services: Services, registry: CommandRegistry): void {
  const currentPolicyHash = policyHash(services.config.policy);
  // Every request in flight listens on the shutdown signal (tens of thousands of held Pings): not a leak.
  setMaxListeners(0, services.shutdown);
  app.route({
    method: ['OPTIONS', 'POST'],
    url: '/Microsoft-Server-ActiveSync',
    handler: async (request, reply) => {
      reply.header('MS-Server-ActiveSync', DEFAULT_SERVER_VERSION);
      reply.header('Cache-Control', 'private');
      const who = await authenticate(request, reply, services);
      if (!who) return reply;
      if (request.method === 'OPTIONS') {
        reply.headers(optionsHeaders(registry));
        return reply.code(200).send();
      }
      return handlePost(request, reply, services, registry, who, currentPolicyHash);
    },
  });
}

async function handlePost(
  request: FastifyRequest,
  reply: FastifyReply,
  services: Services,
  registry: CommandRegistry,
  who: { mailbox: string; password: string },
  currentPolicyHash: string,
): Promise<FastifyReply> {
  const info = requestInfo(request);
  let command = 'unknown';
  let version: ProtocolVersion = FALLBACK_VERSION;
  let log: Logger = info.log;
  try {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
    const line = parseEasRequest(query, request.headers);
    command = line.command;
    version = line.protocolVersion ?? FALLBACK_VERSION;
    Object.assign(info, { device: line.deviceId, cmd: command, v: version });
    // One child of Fastify's request logger with every binding, rather than a
    // child of authenticate's mailbox child: a held Ping keeps its logger for
    // the whole heartbeat, and each pino child level costs memory (issue 5).
    log = info.log = (request.log as unknown as Logger).child({ mailbox: who.mailbox, device: line.deviceId, cmd: command, v: version });

    const handler = registry.get(command);
    if (!handler) {
      log.info({ event: 'request.unsupported-command' }, `no handler for command ${command} on this server`);
      return reply.code(501).send();
    }

    const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    // 12.x SendMail/SmartReply/SmartForward post the message itself (message/rfc822), not WBXML.
    const mime = handler.mimeBody === true && bytes.length > 0 && isMimeBody(bytes, request.headers['content-type']);
    const tree: WbxmlElement | undefined =
      bytes.length > 0 && !mime ? decodeWbxml(bytes, { limits: { maxBodyBytes: services.config.limits.maxBodyBytes } }) : undefined;
    if (tree) logBody(log, 'request', tree, services.config.logBodies);

    // The client went away: the response socket closed before we finished writing.
    // (IncomingMessage 'close' fires after every fully read body, so it cannot tell.)
    // One controller and one listener on the shutdown signal instead of
    // AbortSignal.any: cheaper for the 10,000s of Pings held at once (issue 5).
    const abort = new AbortController();
    const onShutdown = (): void => abort.abort(services.shutdown.reason);
    if (services.shutdown.aborted) onShutdown();
    else services.shutdown.addEventListener('abort', onShutdown, { once: true });
    reply.raw.once('close', () => {
      services.shutdown.removeEventListener('abort', onShutdown);
      if (!reply.raw.writableFinished) abort.abort();
    });
    const signal = abort.signal;

    const ctx: CommandContext<Services> = {
      mailbox: who.mailbox,
      password: who.password,
      deviceId: line.deviceId,
      deviceType: line.deviceType,
      userAgent: line.userAgent,
      protocolVersion: version,
      params: line.params,
      policyKey: line.policyKey ?? 0,
      log,
      services,
      signal,
      ...(mime ? { rawBody: bytes } : {}),
    };
    // Parse completely before any state is touched (STYLE habit 3).
    const parsed = handler.parse(tree, ctx);

    const device = services.repos.devices.touch({
      mailbox: who.mailbox,
      deviceId: line.deviceId,
      deviceType: line.deviceType,
      ...(line.userAgent !== undefined ? { userAgent: line.userAgent } : {}),
      protocolVersion: version,
    });
    const gate = gateRequest({
      device,
      command,
      version,
      sentPolicyKey: ctx.policyKey,
      allowedWithoutPolicy: handler.allowedWithoutPolicy === true,
      enforcePolicy: services.config.policy.enforce,
      currentPolicyHash,
    });
    if (gate) {
      log.info({ event: `policy.${gate.reason}` }, `request refused: ${gate.reason}`);
      return sendAnswer(reply, info, log, version, { ...gate, event: `policy.${gate.reason}` }, services.config.logBodies);
    }

    const result = await handler.handle(ctx, parsed);
    return sendResult(reply, info, log, version, result, services.config.logBodies);
  } catch (err) {
    const answer = mapError(err, command, version, log);
    if (answer.httpStatus >= 400 && answer.event !== 'server.error') log.info({ event: answer.event, err: (err as Error).message });
    return sendAnswer(reply, info, log, version, answer, services.config.logBodies);
  }
}

/**
 * A raw MIME body rather than WBXML: declared message/rfc822, or not starting
 * with the WBXML 1.3 version byte (MS-ASWBXML 2.1.2.1.1) that every EAS body has.
 */
function isMimeBody(bytes: Buffer, contentType: string | undefined): boolean {
  if (contentType && /^\s*message\/rfc822/i.test(contentType)) return true;
  return bytes[0] !== 0x03;
}

function sendResult(
  reply: FastifyReply,
  info: ReturnType<typeof requestInfo>,
  log: Logger,
  version: ProtocolVersion,
  result: CommandResult,
  logBodies: boolean,
): FastifyReply {
  if (result.headers) reply.headers(result.headers);
  info.eas = result.easStatus;
  reply.code(result.httpStatus ?? 200);
  if (result.body) {
    let bytes: Uint8Array;
    try {
      bytes = encodeWbxml(result.body, { version });
    } catch (err) {
      // Our own response cannot be written: a server fault, not the device's (never HTTP 400).
      throw new Error(`response of ${info.log.bindings().cmd ?? 'command'} could not be encoded: ${(err as Error).message}`, { cause: err });
    }
    logBody(log, 'response', result.body, logBodies);
    return reply.type(WBXML_CONTENT_TYPE).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  if (result.raw) return reply.type(result.raw.contentType).send(result.raw.data);
  return reply.send();
}

function sendAnswer(
  reply: FastifyReply,
  info: ReturnType<typeof requestInfo>,
  log: Logger,
  version: ProtocolVersion,
  answer: ErrorAnswer,
  logBodies: boolean,
): FastifyReply {
  if (answer.headers) reply.headers(answer.headers);
  info.eas = answer.easStatus;
  if (answer.httpStatus === 449) reply.raw.statusMessage = 'Retry With';
  reply.code(answer.httpStatus);
  if (answer.body) {
    try {
      const bytes = encodeWbxml(answer.body, { version });
      logBody(log, 'response', answer.body, logBodies);
      return reply.type(WBXML_CONTENT_TYPE).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (err) {
      log.error({ event: 'server.error', err }, 'could not encode error response');
      return reply.code(500).send();
    }
  }
  return reply.send();
}
