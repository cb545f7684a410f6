import { COMMAND_CODES, OPTION_FLAGS, PARAMETER_TAGS, type EasCommandName } from '../../protocol/http/command-codes.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';

/** What a request URI carries besides the command parameters. */
export interface QueryInput {
  readonly command: EasCommandName;
  readonly user: string;
  readonly deviceId: string;
  readonly deviceType: string;
  readonly version: ProtocolVersion;
  readonly policyKey: number;
  readonly params?: Readonly<Record<string, string>>;
  /** Windows LCID; 0x0409 (en-US) by default. */
  readonly locale?: number;
}

/** The plain query (MS-ASHTTP 2.2.1.1.1.2): `Cmd=...&User=...&DeviceId=...&DeviceType=...&<params>`. */
export function plainQuery(q: QueryInput): string {
  const p = new URLSearchParams({ Cmd: q.command, User: q.user, DeviceId: q.deviceId, DeviceType: q.deviceType });
  for (const [k, v] of Object.entries(q.params ?? {})) p.append(k, v);
  return p.toString();
}

const TAG_OF: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(PARAMETER_TAGS).map(([tag, name]) => [name, Number(tag)]),
);

/**
 * The base64 query (MS-ASHTTP 2.2.1.1.1.1): version byte, command code,
 * locale, device id, policy key, device type, then tag-length-value
 * parameters; SaveInSent/AcceptMultiPart fold into the Options flags.
 */
export function base64Query(q: QueryInput): string {
  const bytes: number[] = [];
  const str = (s: string): void => {
    const b = Buffer.from(s, 'utf8');
    if (b.length > 255) throw new Error('base64 query field longer than 255 bytes');
    bytes.push(b.length, ...b);
  };
  bytes.push(Number(q.version.replace('.', '')), COMMAND_CODES[q.command]);
  const locale = q.locale ?? 0x0409;
  bytes.push(locale & 0xff, (locale >> 8) & 0xff);
  str(q.deviceId);
  if (q.policyKey) {
    const k = q.policyKey >>> 0;
    bytes.push(4, k & 0xff, (k >>> 8) & 0xff, (k >>> 16) & 0xff, (k >>> 24) & 0xff);
  } else {
    bytes.push(0);
  }
  str(q.deviceType);
  let options = 0;
  for (const [name, value] of Object.entries(q.params ?? {})) {
    if (name === 'SaveInSent') {
      if (value.toUpperCase() === 'T') options |= OPTION_FLAGS.SaveInSent;
      continue;
    }
    if (name === 'AcceptMultiPart') {
      if (value.toUpperCase() === 'T') options |= OPTION_FLAGS.AcceptMultiPart;
      continue;
    }
    const tag = TAG_OF[name];
    if (tag === undefined) throw new Error(`parameter ${name} has no base64 tag`);
    bytes.push(tag);
    str(value);
  }
  bytes.push(TAG_OF.User!);
  str(q.user);
  if (options) bytes.push(TAG_OF.Options!, 1, options);
  return encodeURIComponent(Buffer.from(bytes).toString('base64'));
}
