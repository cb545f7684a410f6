import type { MimePart } from '../types.ts';

/**
 * BODYSTRUCTURE and transfer-encoding helpers (RFC 3501 7.4.2, RFC 2045 6).
 * Pure functions: no connection, no charset conversion (the caller knows the
 * charset from the structure and decodes text with it).
 */

/** imapflow's BODYSTRUCTURE node, as far as we read it. */
export interface ImapStructureNode {
  part?: string;
  type: string;
  parameters?: Record<string, string>;
  id?: string;
  encoding?: string;
  size?: number;
  disposition?: string;
  dispositionParameters?: Record<string, string>;
  childNodes?: ImapStructureNode[];
}

/**
 * Normalises imapflow's node. imapflow leaves `part` unset on the root of a
 * single-part message; IMAP addresses that body as part "1" (RFC 3501 6.4.5),
 * so that is the id we give it. A multipart root keeps the empty id.
 */
export function normaliseStructure(node: ImapStructureNode, isRoot = true): MimePart {
  const type = (node.type || 'text/plain').toLowerCase();
  const multipart = type.startsWith('multipart/');
  const part = node.part ?? (isRoot && !multipart ? '1' : '');
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(node.parameters ?? {})) params[k.toLowerCase()] = String(v);
  const dparams: Record<string, string> = {};
  for (const [k, v] of Object.entries(node.dispositionParameters ?? {})) dparams[k.toLowerCase()] = String(v);
  const filename = dparams['filename'] ?? params['name'];
  const contentId = node.id ? node.id.replace(/^\s*<|>\s*$/g, '') : undefined;
  return {
    part,
    type,
    params,
    size: node.size ?? 0,
    ...(contentId ? { contentId } : {}),
    ...(node.encoding ? { encoding: node.encoding.toLowerCase() } : {}),
    ...(node.disposition ? { disposition: node.disposition.toLowerCase() } : {}),
    ...(filename ? { filename } : {}),
    ...(node.childNodes ? { children: node.childNodes.map((c) => normaliseStructure(c, false)) } : {}),
  };
}

/** Every leaf of the tree in document order (multipart containers skipped). */
export function leafParts(root: MimePart): MimePart[] {
  if (!root.children) return [root];
  return root.children.flatMap(leafParts);
}

/**
 * Removes a Content-Transfer-Encoding. A truncated base64 or quoted-printable
 * fragment decodes up to its last complete unit, so partial fetches work.
 */
export function decodeTransfer(data: Buffer, encoding: string | undefined): Buffer {
  const enc = (encoding ?? '').toLowerCase();
  if (enc === 'base64') {
    const clean = data.toString('latin1').replace(/[^A-Za-z0-9+/]/g, '');
    return Buffer.from(clean.slice(0, clean.length - (clean.length % 4)), 'base64');
  }
  if (enc === 'quoted-printable') return decodeQuotedPrintable(data);
  return data;
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** RFC 2045 6.7: `=XX` octets, `=` CRLF soft breaks; a cut-off `=X` at the end is dropped. */
export function decodeQuotedPrintable(data: Buffer): Buffer {
  const out = Buffer.alloc(data.length);
  let o = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c !== 0x3d) {
      out[o++] = c;
      continue;
    }
    if (i + 1 >= data.length) break;
    const a = data[i + 1]!;
    if (a === 0x0d && data[i + 2] === 0x0a) {
      i += 2;
      continue;
    }
    if (a === 0x0a) {
      i += 1;
      continue;
    }
    if (i + 2 >= data.length) break;
    const h = hexVal(a);
    const l = hexVal(data[i + 2]!);
    if (h < 0 || l < 0) {
      out[o++] = c;
      continue;
    }
    out[o++] = (h << 4) | l;
    i += 2;
  }
  return out.subarray(0, o);
}
