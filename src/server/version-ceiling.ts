import { parseQuery } from '../../protocol/http/index.ts';
import { PROTOCOL_VERSIONS, versionAtLeast, type ProtocolVersion } from '../../protocol/version.ts';
import type { VersionCeiling } from '../config.ts';
import { globToRegExp } from './access.ts';

/**
 * EAS_MAX_VERSION_BY_TYPE (issue 12 item 4): a device type pinned below
 * 16.1, e.g. a client whose 16.x support is broken. OPTIONS offers that
 * type no higher version, so a well-behaved client never asks for one; a
 * request in a higher version anyway gets HTTP 400 with the versions it may
 * use (as for a version we do not speak at all).
 */
export class VersionCeilings {
  readonly #rules: readonly { re: RegExp; version: ProtocolVersion }[];

  constructor(ceilings: readonly VersionCeiling[]) {
    this.#rules = ceilings.map((c) => ({ re: globToRegExp(c.pattern), version: c.version }));
  }

  /** The ceiling of this DeviceType (first matching pattern), if any. */
  ceilingOf(deviceType: string | undefined): ProtocolVersion | undefined {
    if (deviceType === undefined || this.#rules.length === 0) return undefined;
    return this.#rules.find((r) => r.re.test(deviceType))?.version;
  }

  /** The versions OPTIONS offers a device of this type; undefined = all of them. */
  versionsFor(deviceType: string | undefined): ProtocolVersion[] | undefined {
    const ceiling = this.ceilingOf(deviceType);
    return ceiling === undefined ? undefined : PROTOCOL_VERSIONS.filter((v) => versionAtLeast(ceiling, v));
  }

  /** Whether a request of this type may be written in `version`. */
  allows(deviceType: string, version: ProtocolVersion): boolean {
    const ceiling = this.ceilingOf(deviceType);
    return ceiling === undefined || versionAtLeast(ceiling, version);
  }
}

/**
 * The DeviceType of an OPTIONS request, when its query names one. OPTIONS
 * has no Cmd, so the strict request-line parser may refuse the query; the
 * plain form's DeviceType is then read on its own.
 */
export function optionsDeviceType(query: string): string | undefined {
  if (query === '') return undefined;
  try {
    return parseQuery(query).deviceType;
  } catch {
    return new URLSearchParams(query).get('DeviceType') ?? undefined;
  }
}
