import type { Logger } from 'pino';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';

/**
 * The part of AbortSignal a handler uses to learn that its client went away
 * (an AbortSignal fits). The server gives each request a lighter object than
 * an AbortController (src/server/request-signal.ts): tens of thousands of
 * Pings are held at once (issue 5).
 */
export interface ClientSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * What every command handler receives: who is asking, in which protocol
 * version, the per-command query parameters, and the services it may use.
 * Handlers know nothing of HTTP or Fastify (STYLE habit 4).
 *
 * `services` is typed by the server (src/server/services.ts); handlers take
 * only what they need from it.
 */
export interface CommandContext<S = unknown> {
  /** The mailbox (login name) after authentication, lower-cased, without DOMAIN\ prefix. */
  readonly mailbox: string;
  /** The password the device sent; needed to open backend sessions as the user. */
  readonly password: string;
  readonly deviceId: string;
  readonly deviceType: string;
  readonly userAgent: string | undefined;
  readonly protocolVersion: ProtocolVersion;
  /** MS-ASHTTP per-command parameters (CollectionId, ItemId, LongId, AttachmentName, SaveInSent, Occurrence...). */
  readonly params: Readonly<Record<string, string | undefined>>;
  /** The policy key the device sent (X-MS-PolicyKey or the base64 query field), 0 when none. */
  readonly policyKey: number;
  readonly log: Logger;
  readonly services: S;
  /** Aborted when the client goes away or the server shuts down (held Ping, hanging Sync). */
  readonly signal: ClientSignal;
  /**
   * The request body as sent, when the handler declared `mimeBody` and the
   * body is a raw RFC 822 message rather than WBXML (SendMail, SmartReply,
   * SmartForward before 14.0: MS-ASCMD 2.2.1.17, MS-ASHTTP 2.2.1.1.1.2.5).
   */
  readonly rawBody?: Uint8Array;
}

/**
 * What a handler answers. A WBXML body, or raw bytes (GetAttachment,
 * ItemOperations multipart), or an empty 200. `easStatus` is for the request
 * log line only.
 */
export interface CommandResult {
  readonly body?: WbxmlElement;
  readonly raw?: { readonly contentType: string; readonly data: Uint8Array | NodeJS.ReadableStream };
  readonly httpStatus?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly easStatus?: number | string;
  /** Items (Add, Change, Delete) a Sync answer carries, for the metrics. */
  readonly items?: number;
}

/**
 * One EAS command. `parse` turns the decoded body into a typed request (and
 * throws a typed protocol error for a malformed one) before any state or
 * backend is touched; `handle` acts and returns the result.
 */
export interface CommandHandler<Req = unknown, S = unknown> {
  readonly name: string;
  /** Whether the command may run before the device has acknowledged the policy (MS-ASPROV 3.2.5.1). */
  readonly allowedWithoutPolicy?: boolean;
  /** Whether an empty body is acceptable (Ping, Sync, Settings-less cases). */
  readonly acceptsEmptyBody?: boolean;
  /** Whether the body may be a raw MIME message instead of WBXML; it then arrives as `ctx.rawBody` with `body` undefined. */
  readonly mimeBody?: boolean;
  parse(body: WbxmlElement | undefined, ctx: CommandContext<S>): Req;
  handle(ctx: CommandContext<S>, request: Req): Promise<CommandResult>;
}
