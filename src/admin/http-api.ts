/**
 * The admin HTTP API (issue 12 item 6): the operations of eas-admin as JSON
 * over HTTP, for a hosting control panel, on a listener of its own
 * (EAS_ADMIN_LISTEN, off by default) so that it is never reachable where
 * phones are. Every request needs `Authorization: Bearer TOKEN` with a token
 * of EAS_ADMIN_TOKENS_FILE (src/admin/tokens.ts); a tenant-scoped token sees
 * only its domain's mailboxes. The routes are described in
 * src/admin/openapi.json, which a test checks against the routes registered
 * here.
 *
 * Answers: 200 with the operation's result; 400 for a malformed request,
 * 401 without a valid token, 403 for what the token may not do, 404 for an
 * unknown (or out-of-scope) mailbox, device or rule; errors are
 * `{ "error": KIND, "message": TEXT }`. One log line per request
 * (`admin.request`) with the actor, route and status.
 */
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../state/db.ts';
import type { CoreRepositories } from '../state/index.ts';
import { AdminError, AdminOperations, type AdminPrincipal } from './operations.ts';
import { TokenFile } from './tokens.ts';

export interface AdminApiDeps {
  readonly db: Db;
  readonly repos: CoreRepositories;
  readonly log: Logger;
  /** What /v1/live answers (the server's live counters, as /metrics.json); absent = 404. */
  readonly live?: () => unknown;
}

const STATUS: Readonly<Record<AdminError['kind'], number>> = { invalid: 400, 'not-found': 404, forbidden: 403, conflict: 409 };

type Params = Record<string, string>;
type Body = Record<string, unknown>;
type Handler = (ops: AdminOperations, p: Params, q: Params, body: Body, config: Config) => unknown;

/** The routes, in one table: method, path (OpenAPI style `{name}`), operation. */
export const ADMIN_ROUTES: readonly { method: 'GET' | 'PUT' | 'POST' | 'DELETE'; path: string; run: Handler }[] = [
  { method: 'GET', path: '/v1/mailboxes', run: (ops) => ops.listMailboxes() },
  { method: 'PUT', path: '/v1/mailboxes/{name}', run: (ops, p, _q, b) => ops.setMailboxEnabled(p.name!, bool(b, 'enabled', true)!, str(b, 'email')) },
  { method: 'GET', path: '/v1/devices', run: (ops, _p, q) => ops.listDevices(q.mailbox) },
  { method: 'GET', path: '/v1/mailboxes/{name}/devices/{deviceId}', run: (ops, p) => ops.showDevice(p.name!, p.deviceId!) },
  { method: 'DELETE', path: '/v1/mailboxes/{name}/devices/{deviceId}', run: (ops, p) => ops.removeDevice(p.name!, p.deviceId!) },
  { method: 'PUT', path: '/v1/mailboxes/{name}/devices/{deviceId}/access', run: (ops, p, _q, b) => ops.setDeviceAccess(p.name!, p.deviceId!, str(b, 'access', true)!) },
  { method: 'DELETE', path: '/v1/mailboxes/{name}/devices/{deviceId}/access', run: (ops, p) => ops.resetDeviceAccess(p.name!, p.deviceId!) },
  { method: 'POST', path: '/v1/mailboxes/{name}/devices/{deviceId}/wipe', run: (ops, p, _q, b) => ops.orderWipe(p.name!, p.deviceId!, bool(b, 'accountOnly') ?? false) },
  { method: 'DELETE', path: '/v1/mailboxes/{name}/devices/{deviceId}/wipe', run: (ops, p) => ops.cancelWipe(p.name!, p.deviceId!) },
  { method: 'POST', path: '/v1/mailboxes/{name}/devices/{deviceId}/resync', run: (ops, p, _q, b) => ops.resyncDevice(p.name!, p.deviceId!, str(b, 'folder')) },
  { method: 'GET', path: '/v1/rules', run: (ops) => ops.listRules() },
  { method: 'POST', path: '/v1/rules', run: (ops, _p, _q, b) => ops.addRule(str(b, 'field', true)!, str(b, 'pattern', true)!, str(b, 'access', true)!) },
  { method: 'DELETE', path: '/v1/rules/{id}', run: (ops, p) => ops.removeRule(/^\d{1,15}$/u.test(p.id!) ? Number(p.id) : Number.NaN) },
  { method: 'PUT', path: '/v1/rules/default', run: (ops, _p, _q, b) => ops.setDefaultAccess(str(b, 'access', true)!) },
  { method: 'GET', path: '/v1/policies', run: (ops, _p, _q, _b, config) => ops.listPolicySets(config.policy) },
  { method: 'PUT', path: '/v1/policies/{name}', run: (ops, p, _q, b) => ops.putPolicySet(p.name!, obj(b, 'settings')) },
  { method: 'DELETE', path: '/v1/policies/{name}', run: (ops, p) => ops.removePolicySet(p.name!) },
  { method: 'PUT', path: '/v1/mailboxes/{name}/policy', run: (ops, p, _q, b) => ops.assignPolicySet(p.name!, undefined, nullableStr(b, 'policySet')) },
  { method: 'PUT', path: '/v1/mailboxes/{name}/devices/{deviceId}/policy', run: (ops, p, _q, b) => ops.assignPolicySet(p.name!, p.deviceId!, nullableStr(b, 'policySet')) },
  {
    method: 'GET',
    path: '/v1/audit',
    run: (ops, _p, q) => ops.audit({ ...(q.mailbox !== undefined ? { mailbox: q.mailbox } : {}), ...(q.limit !== undefined ? { limit: /^\d{1,6}$/u.test(q.limit) ? Number(q.limit) : Number.NaN } : {}) }),
  },
];

function str(b: Body, k: string, required = false): string | undefined {
  const v = b[k];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') throw new AdminError('invalid', `body: ${k} must be a string`);
  return v;
}

function obj(b: Body, k: string): Record<string, unknown> {
  const v = b[k];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AdminError('invalid', `body: ${k} must be an object`);
  return v as Record<string, unknown>;
}

/** A string, or null to remove (required: an absent key is a mistake, not a removal). */
function nullableStr(b: Body, k: string): string | null {
  if (b[k] === null) return null;
  return str(b, k, true)!;
}

function bool(b: Body, k: string, required = false): boolean | undefined {
  const v = b[k];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'boolean') throw new AdminError('invalid', `body: ${k} must be true or false`);
  return v;
}

/** A Fastify app with the admin routes, not listening (tests use it with `listen({ port: 0 })`). */
export function buildAdminApi(config: Config, deps: AdminApiDeps): FastifyInstance {
  if (!config.admin) throw new Error('buildAdminApi: EAS_ADMIN_LISTEN is not set');
  const log = deps.log.child({ component: 'admin-api' });
  const tokens = new TokenFile(config.admin.tokensFile, (message) => log.error({ event: 'admin.tokens-unreadable' }, message));
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    ...(config.tls ? { https: { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) } } : {}),
  }) as unknown as FastifyInstance;
  const principals = new WeakMap<FastifyRequest, AdminPrincipal>();

  // Before anything else, routing included: without a token nothing is said, not even which paths exist.
  app.addHook('onRequest', async (request, reply) => {
    const who = tokens.authenticate(request.headers.authorization);
    if (!who) {
      reply.header('www-authenticate', 'Bearer realm="eas-admin"');
      return reply.code(401).send({ error: 'unauthorized', message: 'a bearer token of EAS_ADMIN_TOKENS_FILE is required' });
    }
    principals.set(request, who);
  });
  app.addHook('onResponse', async (request, reply) => {
    const who = principals.get(request);
    log.info(
      { event: 'admin.request', actor: who?.actor ?? null, tenant: who?.tenant, method: request.method, url: request.routeOptions.url ?? request.url.split('?')[0], http: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'admin request',
    );
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, _request, reply) => {
    if (err instanceof AdminError) return reply.code(STATUS[err.kind]).send({ error: err.kind, message: err.message });
    // Fastify's own 4xx (malformed JSON, body too large, wrong content type) keep their status.
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return reply.code(err.statusCode).send({ error: 'invalid', message: err.message });
    log.error({ event: 'admin.error', err }, 'admin request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error' });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not-found', message: 'no such route' }));

  for (const route of ADMIN_ROUTES) {
    app.route({
      method: route.method,
      url: route.path.replace(/\{(\w+)\}/gu, ':$1'),
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const who = principals.get(request)!;
        const body = request.body === undefined || request.body === null ? {} : request.body;
        if (typeof body !== 'object' || Array.isArray(body)) throw new AdminError('invalid', 'body must be a JSON object');
        const ops = new AdminOperations(deps.db, deps.repos, who, (line) => log.info(line, String(line.event)));
        return reply.send(route.run(ops, request.params as Params, request.query as Params, body as Body, config));
      },
    });
  }
  app.get('/v1/live', async (request, reply) => {
    // The live counters are the whole server's, with mailbox names in the slowest and failed requests.
    if (principals.get(request)!.tenant !== undefined) throw new AdminError('forbidden', 'the live view covers every tenant');
    if (!deps.live) throw new AdminError('not-found', 'no live view on this listener');
    return reply.send(deps.live());
  });
  return app;
}
