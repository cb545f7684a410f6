/**
 * `npm run demo`: the dev stack with a seeded demo mailbox (src/devstack/demo-stack.ts)
 * and the EAS server on HTTPS with a generated self-signed certificate, on a
 * fixed port (8443, `--port N` or DEMO_PORT to change) so that a phone's
 * account keeps working across restarts. Data, certificate and state stay in
 * .demo/. Runs until Ctrl-C.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { generate } from 'selfsigned';
import { startDemoStack } from '../devstack/demo-stack.ts';
import { buildConfig, ConfigError } from '../config.ts';
import { buildServer } from '../server/build-server.ts';
import { createServices } from '../server/services.ts';
import { parseArgs } from './args.ts';

function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
}

/**
 * A self-signed certificate for every name the phone may use. Kept between
 * runs: a phone that accepted it once does not ask again. iOS refuses
 * certificates valid for more than 825 days and SHA-1 signatures.
 */
async function certificate(dir: string, names: readonly string[], ips: readonly string[]): Promise<{ certFile: string; keyFile: string }> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const namesFile = join(dir, 'names.json');
  const wanted = JSON.stringify([...names, ...ips]);
  if (existsSync(certFile) && existsSync(keyFile) && existsSync(namesFile) && readFileSync(namesFile, 'utf8') === wanted) {
    return { certFile, keyFile };
  }
  mkdirSync(dir, { recursive: true });
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: names[0] ?? 'localhost' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 86_400_000),
    notAfterDate: new Date(now.getTime() + 397 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...names.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  writeFileSync(certFile, pems.cert);
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(namesFile, wanted);
  return { certFile, keyFile };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), ['port', 'data']);
  const portArg = args.options.get('port') ?? process.env.DEMO_PORT ?? '8443';
  const port = Number(portArg);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`demo: --port must be a port number (got ${String(portArg)})`);
    return 2;
  }
  const dataDir = resolve(typeof args.options.get('data') === 'string' ? (args.options.get('data') as string) : '.demo');
  const demo = await startDemoStack({ dataDir });
  const ips = lanAddresses();
  const host = hostname();
  const tls = await certificate(join(dataDir, 'tls'), ['localhost', host], ['127.0.0.1', ...ips]);

  // Demo defaults, then any EAS_* the user set (the environment wins, as for eas-server).
  const fromEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('EAS_') && v !== undefined) fromEnv[k] = v;
  let config;
  try {
    config = buildConfig(
      {
        ...demo.env,
        EAS_LISTEN: `0.0.0.0:${port}`,
        EAS_TLS_CERT: tls.certFile,
        EAS_TLS_KEY: tls.keyFile,
        EAS_DB: join(dataDir, 'eas.db'),
      },
      fromEnv,
    );
  } catch (e) {
    await demo.stop();
    if (e instanceof ConfigError) {
      console.error(`demo: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const services = createServices(config);
  services.repos.mailboxes.setEnabled(demo.user.name, true, demo.user.name);
  const app = await buildServer(config, services);
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (e) {
    console.error(`demo: cannot listen on port ${port}: ${(e as Error).message} (try --port N)`);
    await services.close();
    await demo.stop();
    return 2;
  }

  const urls = [...ips, host, '127.0.0.1'].map((h) => `https://${h}:${port}`);
  const server = ips[0] ?? host;
  console.log(`
ActiveSync demo server is running.

  URL:       ${urls.join('\n             ')}
  (EAS endpoint: ${urls[0]}/Microsoft-Server-ActiveSync)
  User:      ${demo.user.name}
  Password:  ${demo.user.password}

iPhone / iPad: Settings → Mail → Accounts → Add Account → Microsoft Exchange.
  Email: ${demo.user.name}, then "Configure Manually", Password: as above,
  Server: ${server}:${port}, Domain: empty, Username: ${demo.user.name}.
  Accept the certificate warning ("Continue" / "Details → Trust").

Android (Gmail or Samsung Email): Add account → Exchange (Exchange and Office 365).
  Email and password as above, then "Manual setup":
  Server: ${server}, Port: ${port}, Security type: SSL/TLS (accept all certificates).

The phone must reach this machine on port ${port}. Stop with Ctrl-C; data stays in ${dataDir}.
`);

  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) process.exit(1);
      stopping = true;
      console.log('\nstopping ...');
      void (async () => {
        await app.close();
        await services.close();
        await demo.stop();
        done(0);
      })();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`demo: ${(e as Error)?.stack ?? String(e)}`);
    process.exit(1);
  },
);
