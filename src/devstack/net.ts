/**
 * Socket helpers for the dev stack: free loopback ports and readiness probes.
 * Readiness is proven by the server speaking (a greeting) or at least
 * accepting a connection, never by a fixed sleep.
 */
import net from 'node:net';

/** Loopback address every dev-stack server binds to. */
export const LOOPBACK = '127.0.0.1';

/**
 * A TCP port that was free a moment ago: bind port 0 on 127.0.0.1, read it,
 * close. Racy in theory (another process may grab it), fine for tests.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Distinct free ports (a port handed out twice would make two servers collide). */
export async function freePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) out.add(await freePort());
  return [...out];
}

/**
 * Connects once and resolves with the first bytes the server sends (or ''
 * when `expectGreeting` is false and the connect succeeded).
 */
function probe(port: number, expectGreeting: boolean, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: LOOPBACK, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('probe timeout'));
    }, timeoutMs);
    const done = (err: Error | null, text = ''): void => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(text);
    };
    sock.once('error', (e) => done(e));
    sock.once('connect', () => {
      if (!expectGreeting) done(null);
    });
    sock.once('data', (d: Buffer) => done(null, d.toString('latin1')));
    sock.once('close', () => done(new Error('closed before greeting')));
  });
}

export interface WaitOptions {
  /** Prefix the greeting must start with (`* OK`, `220`); omit to accept a bare connect. */
  readonly greeting?: string;
  readonly timeoutMs?: number;
  /** Checked between attempts: a child that died makes waiting pointless. */
  readonly abort?: () => Error | undefined;
}

/** Polls until the server on `port` accepts a connection (and greets as expected). */
export async function waitForServer(port: number, opts: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let last: unknown;
  for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
    const aborted = opts.abort?.();
    if (aborted) throw aborted;
    try {
      const text = await probe(port, opts.greeting !== undefined, 2_000);
      if (opts.greeting === undefined || text.startsWith(opts.greeting)) return;
      last = new Error(`unexpected greeting ${JSON.stringify(text.slice(0, 80))}`);
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`server on port ${port} not ready: ${String((last as Error)?.message ?? last)}`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** Polls until nothing listens on `port` any more (old processes still hold listeners after a stop). */
export async function waitForPortClosed(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await probe(port, false, 1_000);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED') return;
    }
    if (Date.now() > deadline) throw new Error(`port ${port} still in use after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
