/**
 * eas-server: starts the ActiveSync server from EAS_* environment variables
 * and an optional JSON file (`--config FILE`; the environment overrides the
 * file). A missing or wrong setting stops the start with one line naming it.
 * SIGTERM/SIGINT end held requests, close the HTTP server, the IMAP pool and
 * the database, then exit 0.
 */
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { buildServer } from '../server/build-server.ts';
import { createServices } from '../server/services.ts';
import type { FastifyInstance } from 'fastify';
import { buildAdminApi } from '../admin/http-api.ts';
import { liveView } from '../server/metrics.ts';
import { parseArgs } from './args.ts';

const USAGE = `usage: eas-server [--config FILE]

Settings come from EAS_* environment variables and/or a JSON file of the same
names ({"EAS_IMAP_URL": "imaps://mail.example.org"}); the environment wins.
Required: EAS_IMAP_URL, EAS_SMTP_URL. See README for the full list.`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2), ['config']);
  } catch (e) {
    console.error(`eas-server: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.options.has('help') || args.positional.length) {
    console.error(USAGE);
    return args.options.has('help') ? 0 : 2;
  }
  const file = args.options.get('config');
  let config: Config;
  try {
    config = loadConfig({ ...(typeof file === 'string' ? { file } : {}) });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`eas-server: ${e.message}`);
      return 2;
    }
    throw e;
  }
  let services;
  try {
    services = createServices(config);
  } catch (e) {
    console.error(`eas-server: cannot open the state database ${config.db}: ${(e as Error).message}`);
    return 2;
  }
  const app = await buildServer(config, services);
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (e) {
    console.error(`eas-server: cannot listen on ${config.listen.host}:${config.listen.port}: ${(e as Error).message}`);
    await services.close();
    return 2;
  }
  let admin: FastifyInstance | undefined;
  if (config.admin) {
    const { host, port } = config.admin.listen;
    try {
      admin = buildAdminApi(config, { db: services.db, repos: services.repos, log: services.log, live: liveView(services) });
      await admin.listen({ host, port });
      services.log.info({ event: 'admin.listening', url: `${config.tls ? 'https' : 'http'}://${host}:${port}/v1` }, 'admin API listening');
    } catch (e) {
      console.error(`eas-server: cannot start the admin API on ${host}:${port}: ${(e as Error).message}`);
      await app.close();
      await services.close();
      return 2;
    }
  }
  const scheme = config.tls ? 'https' : 'http';
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.listen.port;
  services.log.info(
    { event: 'server.listening', url: `${scheme}://${config.listen.host}:${port}/Microsoft-Server-ActiveSync`, publicUrl: config.publicUrl, db: config.db },
    'eas-server listening',
  );

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        services.log.warn({ event: 'server.forced-exit', signal }, 'second signal, exiting now');
        process.exit(1);
      }
      stopping = true;
      services.log.info({ event: 'server.stopping', signal }, 'stopping');
      void (async () => {
        try {
          await admin?.close();
          await app.close();
          await services.close();
          services.log.info({ event: 'server.stopped' }, 'stopped');
          resolve(0);
        } catch (e) {
          console.error(`eas-server: error while stopping: ${(e as Error).message}`);
          resolve(1);
        }
      })();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`eas-server: ${(e as Error)?.stack ?? String(e)}`);
    process.exit(1);
  },
);
