import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { createRegistry, type CommandRegistry } from '../commands/registry.ts';
import { registerAutodiscover } from './autodiscover.ts';
import { registerRawBodies } from './body.ts';
import { registerEasRoute } from './eas-route.ts';
import { registerCapture } from '../capture/recorder.ts';
import { registerMetricsRoute } from './metrics.ts';
import { registerRequestLog } from './request-log.ts';
import { createServices, type Services } from './services.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The services this server runs on (tests read state through them). */
    readonly eas: { readonly services: Services; readonly registry: CommandRegistry };
  }
}

/**
 * The Fastify app, without listening (STYLE: buildServer apart from listen;
 * tests use `app.inject()`). Routes: OPTIONS/POST /Microsoft-Server-ActiveSync,
 * POST /autodiscover/autodiscover.xml (any case), GET /healthz. HTTPS when
 * config.tls is set. Services built here are closed with the app; services
 * passed in belong to the caller, who closes them after `app.close()`.
 */
export async function buildServer(config: Config, services?: Services, commands?: CommandRegistry): Promise<FastifyInstance> {
  const own = !services;
  const svc = services ?? createServices(config);
  const registry = commands ?? createRegistry();
  const app = Fastify({
    loggerInstance: svc.log,
    // One line per request is written by request-log.ts with the EAS fields.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger (Fastify's reqId): the EAS route makes one
    // child with mailbox, device, command and version, and each child costs
    // memory for as long as a Ping is held (issue 5).
    childLoggerFactory: (logger) => logger,
    // Fastify's types omit the hop-count form that its proxy-addr layer accepts.
    trustProxy: config.trustProxy as boolean | string,
    bodyLimit: config.limits.maxBodyBytes,
    routerOptions: { caseSensitive: false },
    // Held Pings end through the shutdown signal first (preClose), then idle keep-alive sockets are closed.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    ...(config.tls ? { https: { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) } } : {}),
  }) as unknown as FastifyInstance;

  app.decorate('eas', { services: svc, registry });
  registerRawBodies(app);
  registerRequestLog(app, svc.requests);
  registerCapture(app, svc);
  registerEasRoute(app, svc, registry);
  registerAutodiscover(app, svc);
  registerMetricsRoute(app, svc);
  app.get('/healthz', async (_req, reply) => {
    svc.db.prepare('SELECT 1').get();
    return reply.send({ status: 'ok', imap: svc.mail.pool.stats() });
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) request.log.error({ event: 'server.error', err }, 'unhandled error');
    else request.log.info({ event: 'request.rejected', code: err.code, err: err.message });
    return reply.code(status).send();
  });
  app.addHook('preClose', async () => {
    svc.beginShutdown();
  });
  if (own) app.addHook('onClose', async () => svc.close());
  return app;
}
