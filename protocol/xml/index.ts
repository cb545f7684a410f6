/** Element tree <-> XML text (MS-ASCMD example form) for logs, captures and tests. */
export { toXml, toXmlFragment, prefixOf, escapeText, type ToXmlOptions } from './to-xml.ts';
export { fromXml, fromXmlFragment } from './from-xml.ts';
export { redactSecrets } from './redact.ts';
