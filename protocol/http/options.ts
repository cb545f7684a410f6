import { PROTOCOL_VERSIONS, type ProtocolVersion } from '../version.ts';
import { EAS_COMMAND_NAMES } from './command-codes.ts';

/** What an OPTIONS answer advertises; defaults are every version and every command we know. */
export interface OptionsHeadersInput {
  readonly versions?: readonly ProtocolVersion[];
  readonly commands?: readonly string[];
  /** Value of MS-Server-ActiveSync; clients show it but must not trigger on it (MS-ASHTTP 2.2.2.1.2). */
  readonly serverVersion?: string;
}

/** The default MS-Server-ActiveSync value: the Exchange build line that matches 16.1 support. */
export const DEFAULT_SERVER_VERSION = '15.1';

/**
 * Response headers of the OPTIONS command (MS-ASHTTP 2.2.1.2, example in
 * 4.1): Allow and Public list the two methods EAS uses; MS-ASProtocolVersions
 * and MS-ASProtocolCommands are comma lists without spaces, which is how
 * Exchange writes them and how some clients split them.
 */
export function buildOptionsHeaders(input: OptionsHeadersInput = {}): Record<string, string> {
  return {
    Allow: 'OPTIONS,POST',
    Public: 'OPTIONS,POST',
    'MS-Server-ActiveSync': input.serverVersion ?? DEFAULT_SERVER_VERSION,
    'MS-ASProtocolVersions': (input.versions ?? PROTOCOL_VERSIONS).join(','),
    'MS-ASProtocolCommands': (input.commands ?? EAS_COMMAND_NAMES).join(','),
    'Cache-Control': 'private',
  };
}
