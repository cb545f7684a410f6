/**
 * A ready-made `redact` hook for `toXml` in server logs (STYLE habit 9):
 * hides credentials and message content, keeps structure and sizes so a log
 * still shows what was exchanged.
 */
import { Buffer } from 'node:buffer';
import type { WbxmlElement } from '../wbxml/tree.ts';

/** Elements whose content never goes to a log: passwords (MS-ASCMD Settings/ItemOperations/Search), bodies, MIME. */
const SECRET: ReadonlySet<string> = new Set([
  'Settings:Password',
  'Settings:DevicePassword',
  'ItemOperations:Password',
  'Search:Password',
  'AirSyncBase:Data',
  'ItemOperations:Data',
  'Email:MIMEData',
  'Email:Body',
  'Contacts:Body',
  'Calendar:Body',
  'Tasks:Body',
  'ComposeMail:Mime',
  'Provision:Data',
  'ResolveRecipients:Certificate',
  'ResolveRecipients:MiniCertificate',
  'ValidateCert:Certificate',
]);

/** `toXml(tree, { redact: redactSecrets })`: replaces secret content with "[redacted N bytes]". */
export function redactSecrets(el: WbxmlElement): string | undefined {
  if (!SECRET.has(`${el.ns}:${el.name}`)) return undefined;
  // Provision:Data is a container in 12.0+ (EASProvisionDoc); only its 2.5 string form is secret-ish, keep the structure.
  if (el.children && el.children.length > 0) return undefined;
  const size = el.opaque ? el.opaque.length : el.text !== undefined ? Buffer.byteLength(el.text, 'utf8') : 0;
  return `[redacted ${size} bytes]`;
}
