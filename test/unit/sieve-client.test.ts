import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { isBackendError } from '../../backends/errors.ts';
import { ManageSieveConnection } from '../../backends/sieve/client.ts';

const GREETING = '"IMPLEMENTATION" "fake"\r\n"SASL" "PLAIN"\r\n"VERSION" "1.0"\r\nOK "ready"\r\n';
let server: Server | undefined;

/** A loopback ManageSieve stand-in: `onLine` answers each client line. */
async function fake(greeting: string, onLine: (line: string, s: Socket) => void): Promise<number> {
  server = createServer((s) => {
    s.write(greeting);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        onLine(line, s);
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

const open = (port: number, timeoutMs = 300) =>
  ManageSieveConnection.open({ host: '127.0.0.1', port, starttls: 'auto', verifyTls: true, timeoutMs }, { user: 'alice@example.test', password: 'p"w\\' });

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isBackendError(e) ? e.code : String(e);
  }
}

describe('ManageSieveConnection against a misbehaving server', () => {
  it('sends AUTHENTICATE "PLAIN" with the base64 initial response', async () => {
    const seen: string[] = [];
    const port = await fake(GREETING, (l, s) => {
      seen.push(l);
      s.write(l.startsWith('LOGOUT') ? 'OK "bye"\r\n' : 'OK\r\n');
    });
    const c = await open(port);
    await c.logout();
    expect(seen[0]).toBe(`AUTHENTICATE "PLAIN" "${Buffer.from('\0alice@example.test\0p"w\\').toString('base64')}"`);
  });

  it('a server that stops answering is BackendUnavailable after the timeout', async () => {
    const port = await fake(GREETING, (l, s) => {
      if (l.startsWith('AUTHENTICATE')) s.write('OK\r\n');
    });
    const c = await open(port);
    const t0 = Date.now();
    expect(await code(c.listScripts())).toBe('BackendUnavailable');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    c.destroy();
  });

  it('a malformed line or a BYE is BackendUnavailable; NO to AUTHENTICATE is AuthFailed', async () => {
    let reply = '{x}\r\n';
    const port = await fake(GREETING, (l, s) => s.write(l.startsWith('AUTHENTICATE') ? 'OK\r\n' : reply));
    const c1 = await open(port);
    expect(await code(c1.listScripts())).toBe('BackendUnavailable');
    c1.destroy();
    reply = 'BYE "shutting down"\r\n';
    const c2 = await open(port);
    expect(await code(c2.listScripts())).toBe('BackendUnavailable');
    c2.destroy();

    await new Promise<void>((r) => server!.close(() => r()));
    const p2 = await fake(GREETING, (_l, s) => s.write('NO "Authentication failed."\r\n'));
    expect(await code(open(p2))).toBe('AuthFailed');
  });

  it('refuses a server without SASL PLAIN, and one that says STARTTLS is required but offers none', async () => {
    const port = await fake('"SASL" "SCRAM-SHA-1"\r\nOK\r\n', () => {});
    expect(await code(open(port))).toBe('Unsupported');
    expect(
      await code(ManageSieveConnection.open({ host: '127.0.0.1', port, starttls: 'required', verifyTls: true, timeoutMs: 300 }, { user: 'a', password: 'b' })),
    ).toBe('BackendUnavailable');
  });
});
