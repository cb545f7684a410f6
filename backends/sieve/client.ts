/**
 * A small ManageSieve client (RFC 5804): greeting and capabilities, STARTTLS
 * when offered (or required), AUTHENTICATE "PLAIN" with the user's own
 * credentials (as the IMAP backend logs in), LISTSCRIPTS, GETSCRIPT,
 * PUTSCRIPT, CHECKSCRIPT, SETACTIVE, DELETESCRIPT, LOGOUT. One connection per
 * operation: Out of Office is read and written rarely, so a pool would only
 * hold idle sockets. The npm registry has no maintained ManageSieve client,
 * hence this one.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { BackendError } from '../errors.ts';
import type { UserSession } from '../types.ts';
import { capabilities, literal, parseLine, quoted, ResponseCollector, SieveWireError, type SieveResponse } from './wire.ts';

/** Where the ManageSieve server is and how to talk to it. */
export interface ManageSieveEndpoint {
  readonly host: string;
  /** RFC 5804 1.8: 4190. */
  readonly port: number;
  /** `auto`: STARTTLS when the server offers it; `required`: refuse a server that does not; `off`: never. */
  readonly starttls: 'auto' | 'required' | 'off';
  readonly verifyTls: boolean;
  /** Per step (connect, each command); default 10 s. */
  readonly timeoutMs?: number;
}

/** One script as LISTSCRIPTS reports it. */
export interface SieveScriptEntry {
  readonly name: string;
  readonly active: boolean;
}

/** An open, authenticated ManageSieve connection. */
export class ManageSieveConnection {
  private buf: Buffer = Buffer.alloc(0);
  private readonly collector = new ResponseCollector();
  private waiter: { resolve: (r: SieveResponse) => void; reject: (e: Error) => void } | undefined;
  private readonly queue: SieveResponse[] = [];
  private failure: Error | undefined;
  private caps = new Map<string, string>();

  private constructor(
    private socket: Socket,
    private readonly timeoutMs: number,
  ) {
    this.attach(socket);
  }

  /** Connects, upgrades to TLS as the endpoint says, and logs in; throws BackendError (BackendUnavailable, AuthFailed). */
  static async open(endpoint: ManageSieveEndpoint, session: UserSession): Promise<ManageSieveConnection> {
    const timeoutMs = endpoint.timeoutMs ?? 10_000;
    const socket = await connectSocket(endpoint.host, endpoint.port, timeoutMs);
    const c = new ManageSieveConnection(socket, timeoutMs);
    try {
      const greeting = await c.next();
      if (greeting.status !== 'OK') throw new BackendError('BackendUnavailable', `ManageSieve greeting ${greeting.status} ${greeting.text ?? ''}`);
      c.caps = capabilities(greeting.lines);
      const offered = c.caps.has('STARTTLS');
      if (endpoint.starttls === 'required' && !offered) throw new BackendError('BackendUnavailable', 'ManageSieve server does not offer STARTTLS');
      if (offered && endpoint.starttls !== 'off') await c.startTls(endpoint);
      await c.authenticate(session);
      return c;
    } catch (e) {
      c.destroy();
      throw e;
    }
  }

  /** Whether the connection runs over TLS (after STARTTLS). */
  get secure(): boolean {
    return 'encrypted' in this.socket && (this.socket as { encrypted?: boolean }).encrypted === true;
  }

  /** The server's capabilities (upper-cased names), from after TLS when it was used. */
  get capabilities(): ReadonlyMap<string, string> {
    return this.caps;
  }

  async listScripts(): Promise<SieveScriptEntry[]> {
    const r = await this.command('LISTSCRIPTS');
    return r.lines.flatMap((l) => {
      const [name, flag] = l;
      return name?.kind === 'string' ? [{ name: name.value, active: flag?.kind === 'atom' && flag.value.toUpperCase() === 'ACTIVE' }] : [];
    });
  }

  /** The script's text; NotFound when there is none of that name. */
  async getScript(name: string): Promise<string> {
    const r = await this.command(`GETSCRIPT ${quoted(name)}`);
    const body = r.lines[0]?.[0];
    if (body?.kind !== 'string') throw new BackendError('Invalid', 'GETSCRIPT answered without a script');
    return body.value;
  }

  /** Stores (creates or replaces) a script; a script the server rejects is Invalid with the server's reason. */
  async putScript(name: string, script: string): Promise<void> {
    await this.command(`PUTSCRIPT ${quoted(name)} ${literal(script)}`);
  }

  /** Compiles a script without storing it (RFC 5804 2.12); Invalid with the reason when it does not compile. */
  async checkScript(script: string): Promise<void> {
    await this.command(`CHECKSCRIPT ${literal(script)}`);
  }

  /** Makes `name` the active script; '' deactivates every script (RFC 5804 2.8). */
  async setActive(name: string): Promise<void> {
    await this.command(`SETACTIVE ${quoted(name)}`);
  }

  async deleteScript(name: string): Promise<void> {
    await this.command(`DELETESCRIPT ${quoted(name)}`);
  }

  /** LOGOUT and close; never throws (the work is done by then). */
  async logout(): Promise<void> {
    try {
      await this.command('LOGOUT');
    } catch {
      // A server that drops the line instead of answering BYE/OK is fine here.
    } finally {
      this.destroy();
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private async startTls(endpoint: ManageSieveEndpoint): Promise<void> {
    await this.command('STARTTLS');
    const plain = this.socket;
    plain.removeAllListeners('data');
    const secure = await new Promise<Socket>((resolve, reject) => {
      const s = tlsConnect({ socket: plain, servername: isIp(endpoint.host) ? undefined : endpoint.host, rejectUnauthorized: endpoint.verifyTls });
      const t = setTimeout(() => reject(new BackendError('BackendUnavailable', 'ManageSieve TLS handshake timed out')), this.timeoutMs);
      s.once('secureConnect', () => {
        clearTimeout(t);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(t);
        reject(new BackendError('BackendUnavailable', `ManageSieve TLS failed: ${e.message}`, { cause: e }));
      });
    });
    this.socket = secure;
    this.buf = Buffer.alloc(0);
    this.attach(secure);
    // RFC 5804 2.2: after a successful STARTTLS the server sends its capabilities again.
    const again = await this.next();
    this.caps = capabilities(again.lines);
  }

  private async authenticate(session: UserSession): Promise<void> {
    const mechs = (this.caps.get('SASL') ?? '').toUpperCase().split(/\s+/);
    if (!mechs.includes('PLAIN')) throw new BackendError('Unsupported', 'ManageSieve server offers no SASL PLAIN');
    // RFC 4616: authzid NUL authcid NUL password; an empty authzid acts as the user.
    const ir = Buffer.from(`\0${session.user}\0${session.password}`, 'utf8').toString('base64');
    const r = await this.raw(`AUTHENTICATE "PLAIN" ${quoted(ir)}`);
    if (r.status !== 'OK') throw new BackendError(r.status === 'NO' ? 'AuthFailed' : 'BackendUnavailable', `ManageSieve login refused: ${r.text ?? r.status}`);
    // RFC 5804 2.1: a server may send new capabilities with the OK; Dovecot does not.
  }

  /** Sends a command and maps NO/BYE to domain errors. */
  private async command(line: string): Promise<SieveResponse> {
    const r = await this.raw(line);
    if (r.status === 'OK') return r;
    throw responseError(line.split(' ')[0]!, r);
  }

  private async raw(line: string): Promise<SieveResponse> {
    if (this.failure) throw this.failure;
    this.socket.write(`${line}\r\n`);
    return this.next();
  }

  private next(): Promise<SieveResponse> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.fail(new BackendError('BackendUnavailable', `ManageSieve server did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiter = {
        resolve: (r) => {
          clearTimeout(t);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      };
    });
  }

  private attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(new BackendError('BackendUnavailable', `ManageSieve connection failed: ${e.message}`, { cause: e })));
    socket.on('close', () => this.fail(new BackendError('BackendUnavailable', 'ManageSieve connection closed')));
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    try {
      for (;;) {
        const line = parseLine(this.buf);
        if (!line) break;
        this.buf = this.buf.subarray(line.next);
        const res = this.collector.add(line.tokens);
        if (!res) continue;
        const w = this.waiter;
        this.waiter = undefined;
        if (w) w.resolve(res);
        else this.queue.push(res);
      }
    } catch (e) {
      this.fail(new BackendError('BackendUnavailable', `ManageSieve protocol error: ${(e as Error).message}`, { cause: e }));
      this.socket.destroy();
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.failure);
  }
}

/** NO and BYE as domain errors (RFC 5804 1.3 response codes). */
function responseError(command: string, r: SieveResponse): BackendError {
  const code = (r.code ?? '').toUpperCase();
  const what = `ManageSieve ${command}: ${r.status}${r.code ? ` (${r.code})` : ''} ${r.text ?? ''}`.trim();
  if (r.status === 'BYE') return new BackendError('BackendUnavailable', what);
  if (code.startsWith('NONEXISTENT')) return new BackendError('NotFound', what);
  if (code.startsWith('QUOTA')) return new BackendError('TooLarge', what);
  if (code.startsWith('ALREADYEXISTS')) return new BackendError('AlreadyExists', what);
  if (code.startsWith('ACTIVE')) return new BackendError('Conflict', what);
  if (code.startsWith('TRYLATER')) return new BackendError('BackendUnavailable', what);
  // PUTSCRIPT/CHECKSCRIPT without a code: the script did not compile.
  if (command === 'PUTSCRIPT' || command === 'CHECKSCRIPT') return new BackendError('Invalid', what);
  return new BackendError('Forbidden', what);
}

function connectSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      reject(new BackendError('BackendUnavailable', `ManageSieve connect to ${host}:${port} timed out`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(t);
      reject(new BackendError('BackendUnavailable', `ManageSieve connect to ${host}:${port} failed: ${e.message}`, { cause: e }));
    });
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/** Runs `fn` on a fresh authenticated connection and logs out afterwards, also on failure. */
export async function withManageSieve<T>(endpoint: ManageSieveEndpoint, session: UserSession, fn: (c: ManageSieveConnection) => Promise<T>): Promise<T> {
  const c = await ManageSieveConnection.open(endpoint, session);
  try {
    return await fn(c);
  } finally {
    await c.logout();
  }
}

export { SieveWireError };
