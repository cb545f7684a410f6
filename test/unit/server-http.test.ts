import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Authenticator } from '../../backends/types.ts';
import { buildConfig, type ConfigInput } from '../../src/config.ts';
import { buildServer } from '../../src/server/build-server.ts';
import { createServices } from '../../src/server/services.ts';
import { openDatabase } from '../../src/state/db.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { settingsRequest } from '../../src/client/requests.ts';
import { MOBILESYNC_SCHEMA } from '../../src/server/autodiscover.ts';
import { request } from 'node:http';
import type { CommandRegistry } from '../../src/commands/registry.ts';
import type { CommandContext } from '../../src/commands/types.ts';

/** A server with no backend behind it: credentials are checked by a table, IMAP is never reached. */
async function server(env: ConfigInput = {}, registry?: CommandRegistry) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const config = buildConfig({ EAS_IMAP_URL: 'imap://127.0.0.1:1', EAS_SMTP_URL: 'smtp://127.0.0.1:1', EAS_DB: ':memory:', EAS_AUTH_MAX_DELAY_MS: 0, ...env });
  const authenticator: Authenticator = { verify: async (u, p) => u === 'alice@example.org' && p === 'pw' };
  const services = createServices(config, { db: openDatabase(':memory:'), authenticator, log: pino({ level: config.logLevel }, sink) });
  services.repos.mailboxes.setEnabled('alice@example.org', true);
  const app = await buildServer(config, services, registry);
  return { app, services, lines };
}

const AUTH = { authorization: `Basic ${Buffer.from('alice@example.org:pw').toString('base64')}` };
const autodiscoverBody = `<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006"><Request><EMailAddress>alice@example.org</EMailAddress><AcceptableResponseSchema>${MOBILESYNC_SCHEMA}</AcceptableResponseSchema></Request></Autodiscover>`;

describe('HTTP layer (inject, no backends)', () => {
  it('Autodiscover derives the URL from Host, and from X-Forwarded-* only when the proxy is trusted', async () => {
    const untrusted = await server();
    const headers = { ...AUTH, host: 'mail.example.org:8443', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'eas.example.org', 'content-type': 'text/xml' };
    const a = await untrusted.app.inject({ method: 'POST', url: '/Autodiscover/Autodiscover.xml', headers, payload: autodiscoverBody });
    expect(a.body).toContain('<Url>http://mail.example.org:8443/Microsoft-Server-ActiveSync</Url>');
    const trusted = await server({ EAS_TRUST_PROXY: 'true' });
    const b = await trusted.app.inject({ method: 'POST', url: '/autodiscover/autodiscover.xml', headers, payload: autodiscoverBody });
    expect(b.body).toContain('<Url>https://eas.example.org/Microsoft-Server-ActiveSync</Url>');
    const fixed = await server({ EAS_PUBLIC_URL: 'https://phones.example.org/' });
    const c = await fixed.app.inject({ method: 'POST', url: '/autodiscover/autodiscover.xml', headers, payload: autodiscoverBody });
    expect(c.body).toContain('<Url>https://phones.example.org/Microsoft-Server-ActiveSync</Url>');
  });

  it('Autodiscover with unreadable XML is 400', async () => {
    const { app } = await server();
    const r = await app.inject({ method: 'POST', url: '/autodiscover/autodiscover.xml', headers: AUTH, payload: '<Autodiscover><oops' });
    expect(r.statusCode).toBe(400);
  });

  it('writes one request line with mailbox, device, command, version, statuses and duration', async () => {
    const { app, lines } = await server();
    const body = Buffer.from(encodeWbxml(settingsRequest({ userInformation: true }, '14.1'), { version: '14.1' }));
    const r = await app.inject({
      method: 'POST',
      url: '/Microsoft-Server-ActiveSync?Cmd=Settings&User=alice&DeviceId=ABC&DeviceType=Phone',
      headers: { ...AUTH, 'ms-asprotocolversion': '14.1', 'content-type': 'application/vnd.ms-sync.wbxml' },
      payload: body,
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/vnd.ms-sync.wbxml');
    expect(r.headers['ms-server-activesync']).toMatch(/^\d+\.\d+/);
    const reqLines = lines.filter((l) => l.event === 'request');
    expect(reqLines).toHaveLength(1);
    expect(reqLines[0]).toMatchObject({ mailbox: 'alice@example.org', device: 'ABC', cmd: 'Settings', v: '14.1', http: 200, eas: 1 });
  });

  it('debug logs decoded bodies with passwords and bodies redacted; EAS_LOG_BODIES=1 shows them', async () => {
    const send = async (env: ConfigInput) => {
      const { app, lines } = await server({ EAS_LOG_LEVEL: 'debug', ...env });
      const tree = { ns: 'Settings', name: 'Settings', children: [{ ns: 'Settings', name: 'DevicePassword', children: [{ ns: 'Settings', name: 'Set', children: [{ ns: 'Settings', name: 'Password', text: 'hunter2' }] }] }] };
      await app.inject({
        method: 'POST',
        url: '/Microsoft-Server-ActiveSync?Cmd=Settings&User=alice&DeviceId=ABC&DeviceType=Phone',
        headers: { ...AUTH, 'ms-asprotocolversion': '14.1' },
        payload: Buffer.from(encodeWbxml(tree, { version: '14.1' })),
      });
      return lines.find((l) => l.event === 'request.body')?.xml as string;
    };
    const redacted = await send({});
    expect(redacted).toContain('<Password>');
    expect(redacted).not.toContain('hunter2');
    expect(await send({ EAS_LOG_BODIES: '1' })).toContain('hunter2');
  });

  it('a wrong password is logged with the event name and without the password', async () => {
    const { app, lines } = await server();
    const r = await app.inject({ method: 'OPTIONS', url: '/Microsoft-Server-ActiveSync', headers: { authorization: `Basic ${Buffer.from('alice@example.org:guess123').toString('base64')}` } });
    expect(r.statusCode).toBe(401);
    expect(lines.some((l) => l.event === 'auth.failed')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('guess123');
  });

  it('an unsupported Content-Encoding is 415', async () => {
    const { app } = await server();
    const r = await app.inject({
      method: 'POST',
      url: '/Microsoft-Server-ActiveSync?Cmd=Settings&User=alice&DeviceId=ABC&DeviceType=Phone',
      headers: { ...AUTH, 'ms-asprotocolversion': '14.1', 'content-encoding': 'br' },
      payload: Buffer.from([1, 2, 3]),
    });
    expect(r.statusCode).toBe(415);
  });
});

describe('held requests', () => {
  /** A Ping stand-in that waits until its signal aborts or 300 ms pass, and reports which. */
  function holdingRegistry(seen: string[]): CommandRegistry {
    const handler = {
      name: 'Ping',
      allowedWithoutPolicy: true,
      parse: () => ({}),
      handle: (ctx: CommandContext) =>
        new Promise<{ httpStatus: number }>((resolve) => {
          const onAbort = (): void => {
            clearTimeout(t);
            seen.push('aborted');
            resolve({ httpStatus: 200 });
          };
          const t = setTimeout(() => {
            ctx.signal.removeEventListener('abort', onAbort);
            seen.push('timeout');
            resolve({ httpStatus: 200 });
          }, 300);
          ctx.signal.addEventListener('abort', onAbort);
        }),
    };
    return new Map([['Ping', handler]]);
  }

  const ping = (port: number, opts: { destroyAfterMs?: number } = {}) =>
    new Promise<number>((resolve) => {
      const r = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/Microsoft-Server-ActiveSync?Cmd=Ping&User=a&DeviceId=P1&DeviceType=T', headers: { ...AUTH, 'ms-asprotocolversion': '14.1', 'content-length': '0' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      r.on('error', () => resolve(-1));
      r.end();
      if (opts.destroyAfterMs) setTimeout(() => r.destroy(), opts.destroyAfterMs);
    });

  it('the signal stays quiet while the client waits, and aborts when the client goes away or the server stops', async () => {
    const seen: string[] = [];
    const { app } = await server({}, holdingRegistry(seen));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    expect(await ping(port)).toBe(200);
    expect(seen).toEqual(['timeout']);
    expect(await ping(port, { destroyAfterMs: 50 })).toBe(-1);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(['timeout', 'aborted']);
    const held = ping(port);
    await new Promise((r) => setTimeout(r, 50));
    await app.close();
    expect(await held).toBe(200);
    expect(seen).toEqual(['timeout', 'aborted', 'aborted']);
  });
});
