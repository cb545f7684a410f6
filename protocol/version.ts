/**
 * EAS protocol versions we speak (MS-ASHTTP 2.2.1.1.2.4 MS-ASProtocolVersion).
 * Ordered oldest first so that `versionAtLeast` can compare by index.
 */
export const PROTOCOL_VERSIONS = ['2.5', '12.0', '12.1', '14.0', '14.1', '16.0', '16.1'] as const;

export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

/** Whether `s` names a version we support. */
export function isProtocolVersion(s: string): s is ProtocolVersion {
  return (PROTOCOL_VERSIONS as readonly string[]).includes(s);
}

/** `v >= min` in protocol order (e.g. versionAtLeast('14.1', '12.1') === true). */
export function versionAtLeast(v: ProtocolVersion, min: ProtocolVersion): boolean {
  return PROTOCOL_VERSIONS.indexOf(v) >= PROTOCOL_VERSIONS.indexOf(min);
}
