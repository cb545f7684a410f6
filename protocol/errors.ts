/**
 * Typed errors of the wire layer (MS-ASWBXML, WBXML 1.3).
 *
 * The decoder throws only `WbxmlError`, whatever the bytes, so that one
 * place in the server can answer bad bodies with HTTP 400 / the command's
 * protocol-error status (MS-ASCMD 2.2.2 "Status" 4/103, MS-ASHTTP 3.2.5.1)
 * instead of crashing. The encoder throws it too when asked to write a tag
 * that does not exist in the negotiated protocol version.
 */
export type WbxmlErrorCode =
  /** The bytes end inside a header, tag, string or opaque block. */
  | 'Truncated'
  /** Header is not WBXML 1.x with public id 1 / UTF-8 as EAS sends it (MS-ASWBXML 2.1.1). */
  | 'BadHeader'
  /** SWITCH_PAGE to a page MS-ASWBXML does not define. */
  | 'UnknownCodePage'
  /** A tag token that the current code page does not define. */
  | 'UnknownToken'
  /** A string that is not valid UTF-8. */
  | 'InvalidUtf8'
  /** Nesting deeper than `limits.maxDepth`. */
  | 'TooDeep'
  /** Body or opaque block larger than its limit. */
  | 'TooLarge'
  /** More elements than `limits.maxElements`. */
  | 'TooManyElements'
  /** A string longer than `limits.maxStringBytes`. */
  | 'StringTooLong'
  /** WBXML features EAS never uses: attributes, string tables, STR_T, entities, EXT_*, PI, LITERAL. */
  | 'Unsupported'
  /** Text and child elements (or text and opaque) inside one element; EAS never mixes them. */
  | 'MixedContent'
  /** Bytes after the root element of a document, or an END with no open element. */
  | 'TrailingData'
  /** Encoder: no code page defines this namespace/name. */
  | 'UnknownTag'
  /** Encoder: the tag exists, but not in the protocol version being written. */
  | 'TokenNotInVersion'
  /** Encoder: a string that STR_I cannot carry (it contains U+0000). */
  | 'InvalidString'
  /** XML text that cannot become an element tree (syntax, unknown prefix, attributes). */
  | 'BadXml';

/**
 * The one error shape of `protocol/wbxml` and `protocol/xml`. `offset` is the
 * byte offset in the input where decoding failed (decoder only).
 */
export class WbxmlError extends Error {
  override readonly name = 'WbxmlError';
  constructor(
    readonly code: WbxmlErrorCode,
    message: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
  }
}

/** Type guard that survives errors crossing module copies. */
export function isWbxmlError(e: unknown, code?: WbxmlErrorCode): e is WbxmlError {
  return e instanceof Error && e.name === 'WbxmlError' && (code === undefined || (e as WbxmlError).code === code);
}
