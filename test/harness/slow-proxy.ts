/**
 * A TCP proxy on loopback that makes a real server slow: what the server
 * sends back is released at `bytesPerSecond` per connection (requests pass
 * at once). Tests put it in front of Dovecot to see how the EAS server
 * behaves when IMAP is slow, without any stand-in for IMAP itself.
 */
import net from 'node:net';

export interface SlowProxy {
  readonly host: string;
  readonly port: number;
  /** Changes the rate of every connection, open or future; Infinity lets data through at once. */
  setRate(bytesPerSecond: number): void;
  /**
   * Cuts every open connection (as a server crash or a network failure
   * would). New ones are accepted at once, or, with `refuseForMs`, cut as
   * soon as they open for that long (a server that stays down, so that the
   * pool's one retry of a read fails too).
   */
  dropConnections(refuseForMs?: number): void;
  close(): Promise<void>;
}

const TICK_MS = 10;

export async function startSlowProxy(target: { host: string; port: number }, bytesPerSecond: number): Promise<SlowProxy> {
  let rate = bytesPerSecond;
  const sockets = new Set<net.Socket>();
  let refuseUntil = 0;
  const server = net.createServer((client) => {
    if (Date.now() < refuseUntil) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const queue: Buffer[] = [];
    let queued = 0;
    const pump = setInterval(() => {
      let allowance = rate === Number.POSITIVE_INFINITY ? queued : Math.max(1, Math.floor((rate * TICK_MS) / 1000));
      while (allowance > 0 && queue.length) {
        const head = queue[0]!;
        const n = Math.min(head.length, allowance);
        client.write(head.subarray(0, n));
        allowance -= n;
        queued -= n;
        if (n === head.length) queue.shift();
        else queue[0] = head.subarray(n);
      }
      if (upstream.destroyed && queue.length === 0) client.end();
    }, TICK_MS);
    upstream.on('data', (d: Buffer) => {
      queue.push(d);
      queued += d.length;
    });
    client.on('data', (d: Buffer) => upstream.write(d));
    const end = (): void => {
      clearInterval(pump);
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
    upstream.on('close', () => {
      if (queue.length === 0) end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address() as net.AddressInfo;
  return {
    host: '127.0.0.1',
    port: addr.port,
    setRate(r) {
      rate = r;
    },
    dropConnections(refuseForMs = 0) {
      refuseUntil = Date.now() + refuseForMs;
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
