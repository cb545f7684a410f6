import type { FastifyReply, FastifyRequest } from 'fastify';
import { isBackendError } from '../../backends/errors.ts';
import { parseBasicAuth } from '../auth/basic.ts';
import { RETRY_AFTER_SECONDS } from '../commands/errors.ts';
import { mailboxKey } from '../state/mailboxes.ts';
import { requestInfo } from './request-log.ts';
import type { Services } from './services.ts';

/** The realm phones show when asking for a password. */
const CHALLENGE = 'Basic realm="ActiveSync"';

/** Who a request is from, after authentication and the enablement check. */
export interface Authenticated {
  readonly mailbox: string;
  readonly password: string;
}

/**
 * HTTP Basic against the IMAP server (issue 3 items 4 and 5). Sends the
 * refusal itself and returns undefined when the request may not proceed:
 * 401 + WWW-Authenticate for missing or wrong credentials, 429 +
 * Retry-After when throttled, 503 when IMAP cannot tell, 403 for a mailbox
 * an operator has not enabled. The order matters: enablement is checked
 * after the password, so the 403 tells nothing to someone without it.
 */
export async function authenticate(request: FastifyRequest, reply: FastifyReply, services: Services): Promise<Authenticated | undefined> {
  const info = requestInfo(request);
  const creds = parseBasicAuth(request.headers.authorization);
  if (!creds) {
    info.log.debug({ event: 'auth.missing' });
    await reply.code(401).header('WWW-Authenticate', CHALLENGE).send();
    return undefined;
  }
  const mailbox = mailboxKey(creds.login);
  info.log = info.log.child({ mailbox });
  let outcome;
  try {
    outcome = await services.auth.check(mailbox, creds.password, request.ip);
  } catch (err) {
    if (isBackendError(err)) {
      info.log.warn({ event: 'auth.backend-unavailable', err: err.message });
      await reply.code(503).header('Retry-After', String(RETRY_AFTER_SECONDS)).send();
      return undefined;
    }
    throw err;
  }
  if (!outcome.ok) {
    if (outcome.reason === 'throttled') {
      info.log.warn({ event: 'auth.throttled', ip: request.ip }, 'too many failed logins');
      await reply.code(429).header('Retry-After', String(outcome.retryAfterSeconds)).send();
    } else {
      info.log.warn({ event: 'auth.failed', ip: request.ip }, 'login refused by the IMAP server');
      await reply.code(401).header('WWW-Authenticate', CHALLENGE).send();
    }
    return undefined;
  }
  if (!services.repos.mailboxes.isEnabled(mailbox)) {
    info.log.warn({ event: 'auth.mailbox-not-enabled' }, `mailbox ${mailbox} is not enabled for ActiveSync (eas-admin mailbox enable ${mailbox})`);
    await reply.code(403).send();
    return undefined;
  }
  return { mailbox, password: creds.password };
}
