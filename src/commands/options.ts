import { buildOptionsHeaders, EAS_COMMAND_NAMES } from '../../protocol/http/index.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import type { CommandRegistry } from './registry.ts';

/**
 * Headers of the OPTIONS answer (MS-ASHTTP 2.2.1.2): every protocol version
 * we speak and exactly the commands that have a handler, in command-code
 * order, so a device never tries a command we would refuse. `versions`
 * narrows the versions for a device type with a ceiling (EAS_MAX_VERSION_BY_TYPE).
 */
export function optionsHeaders(registry: CommandRegistry, versions?: readonly ProtocolVersion[]): Record<string, string> {
  return buildOptionsHeaders({ commands: EAS_COMMAND_NAMES.filter((n) => registry.has(n)), ...(versions ? { versions } : {}) });
}
