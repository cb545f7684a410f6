/**
 * The capture format (issue 11): one JSON file per device and day, written by
 * the recorder (src/capture/recorder.ts), by `eas-replay import` from a HAR,
 * or by hand for the corpus in captures/. `eas-replay` reads it. The JSON
 * Schema in captures/capture.schema.json describes the same shape; change
 * both together and bump CAPTURE_FORMAT when an old reader would misread.
 */

export const CAPTURE_FORMAT = 'eas-capture/1';

export interface CaptureFile {
  readonly format: typeof CAPTURE_FORMAT;
  /**
   * Where the session comes from: "recorded by eas-server", "imported from
   * HAR FILE", or for a transcribed corpus session the document it follows
   * (e.g. "MS-ASCMD 4.5.1", a bug report's address).
   */
  readonly source: string;
  /** What the file shows, in a sentence (the corpus names the device family here). */
  readonly description?: string;
  /** Device family of the corpus: ios, android-gmail, samsung, outlook, tbsync, wm65, eas-client, other. */
  readonly family?: string;
  /** The recording's mailbox: its login as hashed by the redaction ("user-1a2b3c4d"), or as it was with bodies kept. */
  readonly mailbox: string;
  readonly deviceId: string;
  readonly deviceType: string;
  readonly redaction: CaptureRedaction;
  readonly exchanges: readonly CaptureExchange[];
}

export interface CaptureRedaction {
  /** Message bodies, MIME, attachment data and photos kept (eas-admin capture start --bodies). */
  readonly bodies: boolean;
  /** "hashed": every email address replaced by the same `u-HASH@redacted.invalid` wherever it appears in the file. */
  readonly addresses: 'hashed' | 'kept';
}

/** The request headers that change what an EAS server answers (MS-ASHTTP 2.2.1.1.2). */
export interface CaptureRequestHeaders {
  readonly 'MS-ASProtocolVersion'?: string;
  readonly 'X-MS-PolicyKey'?: string;
  readonly 'User-Agent'?: string;
  readonly 'Accept-Language'?: string;
  readonly 'Content-Type'?: string;
  readonly 'MS-ASAcceptMultiPart'?: string;
}

/** A body as both forms: `xml` for people and diffs, `wbxml` (base64) for exact replay. */
export interface CaptureBody {
  /** Decoded with protocol/xml toXml; redacted elements read "[redacted N bytes]". */
  readonly xml?: string;
  /** Base64 of the WBXML bytes; absent when redaction changed the content (replay re-encodes `xml`). */
  readonly wbxml?: string;
  /** A non-WBXML body (12.x SendMail message/rfc822, ItemOperations multipart): content type and size, text only with bodies kept. */
  readonly contentType?: string;
  readonly size?: number;
  readonly text?: string;
}

export interface CaptureExchange {
  /** ISO time the request arrived. */
  readonly at: string;
  readonly method: 'POST' | 'OPTIONS' | 'GET';
  /** The query string as sent, without "?" (plain or base64 form). */
  readonly query: string;
  /** The query decoded (protocol/http parseQuery): command, user, device, params. */
  readonly decodedQuery?: {
    readonly form: 'plain' | 'base64';
    readonly command: string;
    readonly user?: string;
    readonly deviceId: string;
    readonly deviceType: string;
    readonly params: Readonly<Record<string, string>>;
  };
  readonly requestHeaders: CaptureRequestHeaders;
  readonly request?: CaptureBody;
  readonly response: {
    readonly status: number;
    /** Headers a client acts on: MS-ASProtocolVersions, MS-ASProtocolCommands, Retry-After, X-MS-Location, Content-Type. */
    readonly headers: Readonly<Record<string, string>>;
    readonly body?: CaptureBody;
  };
  readonly durationMs: number;
  /**
   * Corpus only (added for eas-replay): the recorded answer is what a correct
   * server sends, and the server the corpus runs against is known to answer
   * otherwise, for this reason (with the spec section). Replay still fails
   * the step, naming the reason; the corpus test expects exactly these steps
   * to fail; `eas-replay --update` leaves their answers alone.
   */
  readonly knownDeviation?: string;
}
