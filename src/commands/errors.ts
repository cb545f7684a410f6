import type { Logger } from 'pino';
import { isBackendError, type BackendErrorCode } from '../../backends/errors.ts';
import { isCommandParseError } from '../../protocol/commands/errors.ts';
import { commonStatusAllowed } from '../../protocol/commands/common-status.ts';
import { isWbxmlError } from '../../protocol/errors.ts';
import { isHttpRequestError } from '../../protocol/http/errors.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { commandCodec } from '../../protocol/commands/index.ts';
import { isEasCommandName } from '../../protocol/http/command-codes.ts';

/**
 * A handler's way to end a request with one of its command's statuses
 * (e.g. FolderSync 9 for an unknown SyncKey). `httpStatus` is for the
 * commands whose failures are HTTP statuses only.
 */
export class StatusError extends Error {
  override readonly name = 'StatusError';
  constructor(
    readonly command: string,
    readonly status: number,
    message?: string,
    readonly httpStatus?: number,
  ) {
    super(message ?? `${command} status ${status}`);
  }
}

/** Type guard that survives errors crossing module copies. */
export function isStatusError(e: unknown): e is StatusError {
  return e instanceof Error && e.name === 'StatusError';
}

/** What the HTTP layer sends for a failed request. */
export interface ErrorAnswer {
  readonly httpStatus: number;
  /** For the request log line. */
  readonly easStatus?: number;
  readonly body?: WbxmlElement;
  readonly headers?: Readonly<Record<string, string>>;
  /** Stable event name for the log line. */
  readonly event: string;
}

/**
 * Each command's status for a server-side failure (MS-ASCMD 2.2.3.177.x);
 * with 14.0+ the common 110 is used for commands not listed.
 */
export const SERVER_ERROR_STATUS: Readonly<Record<string, number>> = {
  Sync: 5,
  FolderSync: 6,
  FolderCreate: 6,
  FolderUpdate: 6,
  FolderDelete: 6,
  Ping: 8,
  Provision: 3,
  ItemOperations: 3,
  Search: 3,
};

/**
 * Domain error code → the command's status, for the commands where the
 * spec names one (MS-ASCMD 2.2.3.177.3 FolderCreate, .4 FolderDelete,
 * .6 FolderUpdate). Other helpers add their commands' rows here.
 */
export const BACKEND_STATUS: Readonly<Record<string, Partial<Record<BackendErrorCode, number>>>> = {
  FolderCreate: { AlreadyExists: 2, Forbidden: 3, NotFound: 5, Invalid: 10 },
  FolderUpdate: { AlreadyExists: 2, Forbidden: 3, NotFound: 4, Invalid: 10 },
  FolderDelete: { Forbidden: 3, NotFound: 4, Invalid: 10 },
};

/** Seconds a device is asked to wait after a backend outage (MS-ASHTTP 3.2.5.1 503). */
export const RETRY_AFTER_SECONDS = 30;

/**
 * A status-only response of `command` built by the command's codec
 * (protocol/commands COMMAND_CODECS), or undefined where the command reports
 * failures by HTTP status in this version (GetAttachment, 12.x SendMail,
 * common statuses before 14.0).
 */
export function statusOnlyBody(command: string, status: number, version: ProtocolVersion): WbxmlElement | undefined {
  if (!isEasCommandName(command)) return undefined;
  return commandCodec(command).buildStatusOnly(status, version);
}

function withStatus(command: string, status: number, version: ProtocolVersion, event: string, fallbackHttp = 500): ErrorAnswer {
  const body = statusOnlyBody(command, status, version);
  return body ? { httpStatus: 200, easStatus: status, body, event } : { httpStatus: fallbackHttp, easStatus: status, event };
}

/**
 * The one place that turns any error into the answer a device gets
 * (STYLE habit 7): malformed request line or WBXML → HTTP 400; a
 * command's parse error or StatusError → that command's status; backend
 * outage → 503 + Retry-After; refused credentials → 401; domain errors →
 * the command's status from BACKEND_STATUS; anything else is logged once
 * with its stack and answered with the command's server-error status.
 */
export function mapError(err: unknown, command: string, version: ProtocolVersion, log: Logger): ErrorAnswer {
  if (isHttpRequestError(err)) return { httpStatus: 400, event: `request.${err.code}` };
  if (isWbxmlError(err)) return { httpStatus: 400, event: `wbxml.${err.code}` };
  if (isCommandParseError(err)) {
    if (err.httpStatus) return { httpStatus: err.httpStatus, easStatus: err.status, event: 'command.malformed' };
    return withStatus(err.command, err.status, version, 'command.malformed', 400);
  }
  if (isStatusError(err)) {
    if (err.httpStatus) return { httpStatus: err.httpStatus, easStatus: err.status, event: 'command.status' };
    return withStatus(err.command, err.status, version, 'command.status');
  }
  if (isBackendError(err)) {
    switch (err.code) {
      case 'AuthFailed':
        return { httpStatus: 401, headers: { 'WWW-Authenticate': 'Basic realm="ActiveSync"' }, event: 'backend.auth-failed' };
      case 'BackendUnavailable':
        log.warn({ event: 'backend.unavailable', err: err.message }, 'backend unavailable');
        return { httpStatus: 503, headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) }, event: 'backend.unavailable' };
      default: {
        const status = BACKEND_STATUS[command]?.[err.code];
        if (status !== undefined) return withStatus(command, status, version, `backend.${err.code}`);
      }
    }
  }
  log.error({ event: 'server.error', err }, 'unexpected error');
  const status = SERVER_ERROR_STATUS[command] ?? (commonStatusAllowed(version) ? 110 : undefined);
  if (status === undefined) return { httpStatus: 500, event: 'server.error' };
  return withStatus(command, status, version, 'server.error');
}
