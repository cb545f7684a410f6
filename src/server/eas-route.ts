import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DEFAULT_SERVER_VERSION, parseEasRequest } from '../../protocol/http/index.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { decodeWbxml } from '../../protocol/wbxml/decoder.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { mapError, type ErrorAnswer } from '../commands/errors.ts';
import { optionsHeaders } from '../commands/options.ts';
import { devicePolicy } from '../commands/policy.ts';
import type { CommandRegistry } from '../commands/registry.ts';
import type { CommandContext, CommandResult } from '../commands/types.ts';
import { authenticate } from './authenticate.ts';
import { notifyQuarantine, quarantineSync } from '../commands/quarantine-sync.ts';
import type { SyncRequest } from '../../protocol/commands/sync.ts';
import { decideAccess } from './access.ts';
import { gateRequest } from './policy-gate.ts';
import { logBody, requestInfo } from './request-log.ts';
import { RequestSignals } from './request-signal.ts';
import { optionsDeviceType, VersionCeilings } from './version-ceiling.ts';
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
  const route: Route = { services, registry, ceilings: new VersionCeilings(services.config.maxVersionByType), signals: new RequestSignals(services.shutdown) };
  app.route({
    method: ['OPTIONS', 'POST'],
    url: '/Microsoft-Server-ActiveSync',
    handler: async (request, reply) => {
      reply.header('MS-Server-ActiveSync', DEFAULT_SERVER_VERSION);
      reply.header('Cache-Control', 'private');
      const who = await authenticate(request, reply, services);
      if (!who) return reply;
      if (request.method === 'OPTIONS') {
        const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
        reply.headers(optionsHeaders(registry, route.ceilings.versionsFor(optionsDeviceType(query))));
        return reply.code(200).send();
      }
      return handlePost(request, reply, route, who);
    },
  });
}

/** What the route's requests share. */
interface Route {
  readonly services: Services;
  readonly registry: CommandRegistry;
  readonly ceilings: VersionCeilings;
  readonly signals: RequestSignals;
}

async function handlePost(request: FastifyRequest, reply: FastifyReply, route: Route, who: { mailbox: string; password: string }): Promise<FastifyReply> {
  const { services } = route;
  const info = requestInfo(request);
  const at: { command: string; version: ProtocolVersion; log: Logger } = { command: 'unknown', version: FALLBACK_VERSION, log: info.log };
  try {
    let next: ReturnType<typeof prepareCommand> | undefined = prepareCommand(request, reply, route, who, info, at);
    if (next.kind === 'unsupported') return reply.code(501).send();
    if (next.kind === 'refused') return sendAnswer(reply, info, at.log, at.version, next.answer, services.config.logBodies);
    const running = next.run();
    // A held Ping keeps this frame for the whole heartbeat (issue 5): let the
    // parsed request go once the handler has it.
    next = undefined;
    const result = await running;
    return sendResult(reply, info, at.log, at.version, result, services.config.logBodies);
  } catch (err) {
    const answer = mapError(err, at.command, at.version, at.log);
    if (answer.httpStatus >= 400 && answer.event !== 'server.error') at.log.info({ event: answer.event, err: (err as Error).message });
    return sendAnswer(reply, info, at.log, at.version, answer, services.config.logBodies);
  }
}

/**
 * Everything before the handler runs, synchronously: the request line, the
 * body decoded and parsed completely (STYLE habit 3), the device recorded,
 * the policy gate. Throws for malformed input; `at` says how far it got, for
 * the error answer. Its locals (body bytes, element tree, device row) are
 * garbage once it returns.
 */
function prepareCommand(
  request: FastifyRequest,
  reply: FastifyReply,
  route: Route,
  who: { mailbox: string; password: string },
  info: ReturnType<typeof requestInfo>,
  at: { command: string; version: ProtocolVersion; log: Logger },
): { kind: 'unsupported' } | { kind: 'refused'; answer: ErrorAnswer } | { kind: 'run'; run: () => Promise<CommandResult> } {
  const { services, registry, ceilings, signals } = route;
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
  const line = parseEasRequest(query, request.headers);
  const command = line.command;
  const version = line.protocolVersion ?? FALLBACK_VERSION;
  at.command = command;
  at.version = version;
  // One child of the server logger with every binding: a held Ping keeps its
  // logger for the whole heartbeat, and each pino child level costs memory (issue 5).
  const log = (info.log = at.log = services.log.child({ mailbox: who.mailbox, device: line.deviceId, cmd: command, v: version }));

  if (!ceilings.allows(line.deviceType, version)) {
    const versions = ceilings.versionsFor(line.deviceType)!;
    log.info({ event: 'request.version-above-ceiling', ceiling: versions.at(-1) }, `${line.deviceType} is limited to ${versions.at(-1)} (EAS_MAX_VERSION_BY_TYPE)`);
    return { kind: 'refused', answer: { httpStatus: 400, headers: { 'MS-ASProtocolVersions': versions.join(',') }, event: 'request.version-above-ceiling' } };
  }

  const handler = registry.get(command);
  if (!handler) {
    log.info({ event: 'request.unsupported-command' }, `no handler for command ${command} on this server`);
    return { kind: 'unsupported' };
  }

  const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  // The Request object lives as long as the reply: do not let it hold the body (and the 8 KB pool slab under it).
  (request as { body: unknown }).body = undefined;
  // 12.x SendMail/SmartReply/SmartForward post the message itself (message/rfc822), not WBXML.
  const mime = handler.mimeBody === true && bytes.length > 0 && isMimeBody(bytes, request.headers['content-type']);
  const tree: WbxmlElement | undefined =
    bytes.length > 0 && !mime ? decodeWbxml(bytes, { limits: { maxBodyBytes: services.config.limits.maxBodyBytes } }) : undefined;
  if (tree) logBody(log, 'request', tree, services.config.logBodies);

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
    signal: signals.forResponse(reply.raw),
    ...(mime ? { rawBody: bytes } : {}),
  };
  const parsed = handler.parse(tree, ctx);

  const device = services.repos.devices.touch({
    mailbox: who.mailbox,
    deviceId: line.deviceId,
    deviceType: line.deviceType,
    ...(line.userAgent !== undefined ? { userAgent: line.userAgent } : {}),
    protocolVersion: version,
  });
  const repos = services.repos;
  const access = decideAccess(device, repos.accessRules.list(), repos.accessRules.defaultAccess());
  const policy = devicePolicy(services.config.policy, repos.policySets.forDevice(device.mailbox, device.deviceId));
  const gate = gateRequest({
    device,
    access: access.state,
    command,
    version,
    sentPolicyKey: ctx.policyKey,
    allowedWithoutPolicy: handler.allowedWithoutPolicy === true,
    enforcePolicy: policy.policy.enforce,
    currentPolicyHash: policy.hash,
  });
  if (access.state === 'quarantined' && device.quarantineNotifiedAt === null) void notifyQuarantine(services, { user: who.mailbox, password: who.password }, device, log);
  if (gate) {
    log.info({ event: `policy.${gate.reason}`, access: access.by, ...(access.rule ? { rule: access.rule.id } : {}) }, `request refused: ${gate.reason}`);
    return { kind: 'refused', answer: { ...gate, event: `policy.${gate.reason}` } };
  }
  if (access.state === 'quarantined' && command === 'Sync') return { kind: 'run', run: () => quarantineSync(ctx, parsed as SyncRequest, device) };
  return { kind: 'run', run: () => handler.handle(ctx, parsed) };
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
  if (result.items) info.items = result.items;
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
