import type { EasCommandName } from '../http/command-codes.ts';

/**
 * A request body that does not match its command's grammar (MS-ASCMD 2.2.1.x).
 * It carries the status that the command itself defines for the problem
 * (Sync 4, FolderSync 10, Ping 4, Provision 2, ItemOperations 2, ...), so the
 * one error-mapping point can answer with that command's status-only
 * response, e.g. `buildStatusOnly` from the command table in index.ts.
 * `httpStatus` is set where the failure may have to be told by HTTP status
 * instead: always for GetAttachment and the raw-MIME SendMail form, and for
 * common statuses (> 100, MS-ASCMD 2.2.2) when the client speaks a version
 * before 14.0. `buildStatusOnly` returning undefined is the signal to use it.
 */
export class CommandParseError extends Error {
  override readonly name = 'CommandParseError';
  constructor(
    readonly command: EasCommandName,
    readonly status: number,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(`${command}: ${message}`);
  }
}

/** Type guard that survives errors crossing module copies. */
export function isCommandParseError(e: unknown): e is CommandParseError {
  return e instanceof Error && e.name === 'CommandParseError';
}
