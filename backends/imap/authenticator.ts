import { ImapFlow } from 'imapflow';
import { BackendError } from '../errors.ts';
import type { Authenticator } from '../types.ts';
import { mapImapError, type ImapEndpoint } from './pool.ts';

/**
 * Checks credentials with a real IMAP LOGIN (ARCHITECTURE "Identity and
 * state"). The connection logs out at once; caching and throttling are the
 * server's business (src/auth).
 */
export class ImapAuthenticator implements Authenticator {
  constructor(
    private readonly endpoint: ImapEndpoint,
    private readonly timeoutMs = 10_000,
  ) {}

  async verify(user: string, password: string): Promise<boolean> {
    const client = new ImapFlow({
      host: this.endpoint.host,
      port: this.endpoint.port,
      secure: this.endpoint.secure,
      auth: { user, pass: password },
      tls: { rejectUnauthorized: this.endpoint.verifyTls !== false },
      logger: false,
      verifyOnly: true,
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
    });
    client.on('error', () => {
      // reported through connect() below; a listener keeps it from crashing the process
    });
    try {
      await client.connect();
      return true;
    } catch (err) {
      const mapped = mapImapError(err);
      if (mapped instanceof BackendError && mapped.code === 'AuthFailed') return false;
      if (mapped instanceof BackendError) throw mapped;
      throw new BackendError('BackendUnavailable', 'IMAP login check failed', { cause: err });
    } finally {
      client.close();
    }
  }
}
