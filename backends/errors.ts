/**
 * Domain errors thrown by every backend. Backends never know EAS status codes:
 * `src/commands/errors.ts` maps these codes to HTTP and EAS statuses in one place.
 */
export type BackendErrorCode =
  | 'NotFound' // the folder, message or object does not exist (any more)
  | 'AlreadyExists' // create/rename onto an existing name
  | 'Conflict' // the object changed under us (ETag mismatch, UIDVALIDITY change)
  | 'Forbidden' // the backend refuses the operation (special folder, ACL)
  | 'AuthFailed' // the credentials were refused
  | 'TooLarge' // a message or object over a configured limit
  | 'Invalid' // the data could not be parsed or is not acceptable to the backend
  | 'InvalidToken' // a DAV sync-token the server no longer accepts (RFC 6578 DAV:valid-sync-token)
  | 'Unsupported' // the server lacks the feature asked for (no sync-collection report)
  | 'BackendUnavailable'; // connection refused, timed out or dropped: retryable

export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    readonly code: BackendErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Type guard that survives errors crossing module copies. */
export function isBackendError(e: unknown, code?: BackendErrorCode): e is BackendError {
  return e instanceof Error && e.name === 'BackendError' && (code === undefined || (e as BackendError).code === code);
}
