/**
 * The one error of the data-class layer. Readers throw it when a value inside
 * ApplicationData cannot be read as its type; a command handler turns it into
 * the per-item status of its command (Sync Status 6, "error in client/server
 * conversion", MS-ASCMD 2.2.3.177.17) without touching stored state.
 */
export class EasDataError extends Error {
  override readonly name = 'EasDataError';
  readonly code = 'InvalidData';
  constructor(
    /** `Namespace:Element` of the offending value. */
    readonly element: string,
    message: string,
  ) {
    super(`${element}: ${message}`);
  }
}

/** Type guard that survives errors crossing module copies. */
export function isEasDataError(e: unknown): e is EasDataError {
  return e instanceof EasDataError || (e instanceof Error && e.name === 'EasDataError' && (e as { code?: unknown }).code === 'InvalidData');
}
