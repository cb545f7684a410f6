/**
 * Every cap on hostile input to the wire layer, in one place (STYLE habit 11).
 * A request body is attacker-controlled until authentication and even after:
 * these numbers bound the memory and CPU one request can cost. Each decoder
 * call may override them (`decodeWbxml(bytes, { limits: { maxDepth: 8 } })`).
 */
export interface WbxmlLimits {
  /**
   * Largest body accepted, in bytes. SendMail/SmartReply carry whole MIME
   * messages with attachments (MS-ASCMD 2.2.1.17); Exchange's default request
   * limit for EAS is in the tens of MB, so 50 MiB admits every real message
   * while stopping a client from streaming gigabytes into memory.
   */
  maxBodyBytes: number;
  /**
   * Deepest element nesting. The deepest EAS structures (Sync > Collections >
   * Collection > Commands > Add > ApplicationData > Exceptions > Exception >
   * Attendees > Attendee > ...) stay under 16 levels; 64 leaves room for any
   * future schema and stops depth-based stack and time abuse.
   */
  maxDepth: number;
  /**
   * Most elements in one body. A tag costs a single byte on the wire but an
   * object (~100 bytes) in memory; 500k elements is far above the largest
   * realistic request (a Sync with 512-item windows of changes uses a few tens
   * of thousands) and caps the tree at tens of MB.
   */
  maxElements: number;
  /**
   * Longest STR_I string, in bytes. Bodies of contacts, notes and tasks that
   * clients upload inline are kilobytes; 16 MiB still admits a large HTML body.
   */
  maxStringBytes: number;
  /**
   * Longest OPAQUE block, in bytes. ComposeMail:MIME (MS-ASCMD 2.2.3.102) is
   * the largest opaque content and carries attachments; bounded by the body
   * limit anyway, kept separate so operators can tune it.
   */
  maxOpaqueBytes: number;
}

/** Defaults applied when a caller gives no override; frozen so no module can change them for everyone. */
export const DEFAULT_LIMITS: Readonly<WbxmlLimits> = Object.freeze({
  maxBodyBytes: 50 * 1024 * 1024,
  maxDepth: 64,
  maxElements: 500_000,
  maxStringBytes: 16 * 1024 * 1024,
  maxOpaqueBytes: 50 * 1024 * 1024,
});

/** Defaults with the given overrides applied; unknown keys are ignored by type. */
export function resolveLimits(overrides?: Partial<WbxmlLimits>): WbxmlLimits {
  return overrides ? { ...DEFAULT_LIMITS, ...overrides } : { ...DEFAULT_LIMITS };
}
