/**
 * The WBXML layer (MS-ASWBXML): bytes <-> element trees. Knows tokens and code
 * pages only; commands turn trees into typed requests elsewhere.
 */
export { decodeWbxml, decodeWbxmlFragment, type DecodeOptions } from './decoder.ts';
export { encodeElement, encodeWbxml, encodeWbxmlFragment, type EncodeOptions } from './encoder.ts';
export * from './tree.ts';
