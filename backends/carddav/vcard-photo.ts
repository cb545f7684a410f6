/**
 * PHOTO (RFC 2426 3.1.4 `ENCODING=b;TYPE=JPEG`, RFC 6350 6.2.4 `data:` URI,
 * vCard 2.1 `ENCODING=BASE64`) <-> EAS Picture (MS-ASCNTC 2.2.2.55): base64
 * text of the image, which Exchange caps at about 48 KB.
 *
 * A photo over the cap is scaled down when it is a JPEG, with jpeg-js (a pure
 * JavaScript codec: no native build, and its decoder has resolution and memory
 * caps for hostile input). Other formats would need a codec per format; they
 * are left out with a warning. Scaling is deterministic, so the picture a
 * device echoes back unchanged compares equal to the one derived again from
 * the stored card, and the full-size original stays on the server.
 */
import jpeg from 'jpeg-js';
import { paramOf, unescapeText, uriValue } from './vcard-lines.ts';
import type { VcardProp, VcardVersion, VcardWarning } from './vcard-lines.ts';

/** Decoded bytes of a Picture sent to a device, unless the caller sets another cap (Exchange's limit). */
export const DEFAULT_MAX_PICTURE_BYTES = 48 * 1024;

/** Photos larger than this are not decoded at all: a contact photo has no business being bigger, and the decode is synchronous. */
const MAX_SCALE_INPUT_BYTES = 4 * 1024 * 1024;

/**
 * The largest picture a device may store (decoded bytes). Phones send at most
 * a few hundred KB; a bigger one would make every later read of the card
 * (each sync, each GAL index refresh) carry it, so the Add or Change is
 * refused (Status 6) rather than stored, and the device keeps its copy.
 */
export const MAX_STORED_PICTURE_BYTES = MAX_SCALE_INPUT_BYTES;
/** jpeg-js caps for one decode, pixels and working memory: 4 MP (2000 x 2000) takes about 1.5 s of one slow core, synchronously. */
const MAX_SCALE_MEGAPIXELS = 4;
const MAX_SCALE_MEMORY_MB = 64;
/** First try: longest side in pixels, JPEG quality; each further try shrinks the side by a quarter. */
const FIRST_SIDE = 512;
const QUALITY = 80;
const MIN_SIDE = 48;

export type ImageKind = 'jpeg' | 'png' | 'gif' | 'unknown';

export interface Photo {
  readonly bytes: Buffer;
  readonly kind: ImageKind;
}

/** The image kind from its first bytes, whatever the card declared. */
export function kindOf(b: Uint8Array): ImageKind {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'gif';
  return 'unknown';
}

/** Strict base64 (whitespace allowed) to bytes; undefined when it is not base64. */
export function fromBase64(text: string): Buffer | undefined {
  const t = text.replace(/\s+/g, '');
  if (t === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 === 1) return undefined;
  return Buffer.from(t, 'base64');
}

/** The inline image of a PHOTO property, or why there is none (`uri` for a photo that lives at a URL). */
export function photoOf(p: VcardProp): Photo | { unsupported: string } {
  const enc = paramOf(p.params, 'ENCODING')?.toLowerCase();
  let data: string | undefined;
  if (enc === 'b' || enc === 'base64') data = p.value;
  else {
    const v = unescapeText(p.value).trim();
    const m = /^data:[^,;]*(?:;[^,;]*)*;base64,(.*)$/is.exec(v);
    if (m) data = m[1];
    else return { unsupported: /^data:/i.test(v) ? 'data-not-base64' : 'uri' };
  }
  const bytes = fromBase64(data ?? '');
  if (!bytes) return { unsupported: 'bad-base64' };
  return { bytes, kind: kindOf(bytes) };
}

/** The EAS Picture for a photo under `maxBytes` (decoded): as is, scaled down (JPEG), or none with a warning. */
export function pictureForEas(photo: Photo, maxBytes: number): { picture?: string; warning?: VcardWarning } {
  if (photo.bytes.length <= maxBytes) return { picture: photo.bytes.toString('base64') };
  const detail = { bytes: photo.bytes.length, limit: maxBytes, kind: photo.kind };
  if (photo.kind !== 'jpeg' || photo.bytes.length > MAX_SCALE_INPUT_BYTES) return { warning: { event: 'carddav.photo-too-large', detail } };
  const scaled = scaleJpeg(photo.bytes, maxBytes);
  if (!scaled) return { warning: { event: 'carddav.photo-too-large', detail } };
  return { picture: scaled.toString('base64'), warning: { event: 'carddav.photo-scaled', detail: { ...detail, scaledBytes: scaled.length } } };
}

function scaleJpeg(bytes: Buffer, maxBytes: number): Buffer | undefined {
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_SCALE_MEGAPIXELS, maxMemoryUsageInMB: MAX_SCALE_MEMORY_MB });
  } catch {
    return undefined;
  }
  let side = Math.min(FIRST_SIDE, Math.max(img.width, img.height));
  while (side >= MIN_SIDE) {
    const k = side / Math.max(img.width, img.height);
    const w = Math.max(1, Math.round(img.width * k));
    const h = Math.max(1, Math.round(img.height * k));
    const out = jpeg.encode({ width: w, height: h, data: boxScale(img, w, h) }, QUALITY).data;
    if (out.length <= maxBytes) return Buffer.from(out);
    side = Math.floor(side * 0.75);
  }
  return undefined;
}

/** Area-average downscale of RGBA pixels (a box filter: no aliasing when shrinking by large factors). */
function boxScale(img: { width: number; height: number; data: Uint8Array }, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * img.height) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * img.height) / h));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * img.width) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * img.width) / w));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = y0; sy < y1; sy++) {
        let i = (sy * img.width + x0) * 4;
        for (let sx = x0; sx < x1; sx++, i += 4) {
          r += img.data[i]!;
          g += img.data[i + 1]!;
          b += img.data[i + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * w + x) * 4;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
      out[o + 3] = 255;
    }
  }
  return out;
}

/**
 * Sets a PHOTO property to an image: 3.0 `ENCODING=b;TYPE=JPEG` (what iOS and
 * Android write), 4.0 a `data:` URI. Parameters other than the ones that
 * describe the encoding are kept.
 */
export function setPhoto(p: VcardProp, bytes: Buffer, version: VcardVersion): void {
  const kind = kindOf(bytes);
  const keep = p.params.filter((x) => !['ENCODING', 'TYPE', 'VALUE', 'MEDIATYPE'].includes(x.name));
  if (version === '4.0') {
    p.params = keep;
    p.value = uriValue(`data:${kind === 'unknown' ? 'application/octet-stream' : `image/${kind}`};base64,${bytes.toString('base64')}`);
  } else {
    p.params = [{ name: 'ENCODING', values: ['b'] }, ...(kind === 'unknown' ? [] : [{ name: 'TYPE', values: [kind.toUpperCase()] }]), ...keep];
    p.value = bytes.toString('base64');
  }
  p.raw = undefined;
}

/**
 * The card text without its PHOTO properties (and their folded lines), for a
 * resource too large to handle whole: a contact with a 20 MB photo still
 * syncs, without the picture. The stored card is not changed; a device edit
 * patches the full card read again, so the photo stays on the server.
 */
export function withoutPhotos(text: string): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  let skipping = false;
  for (const line of lines) {
    if (skipping && (line.startsWith(' ') || line.startsWith('\t'))) continue;
    skipping = /^(?:[A-Za-z0-9-]+\.)?PHOTO[;:]/i.test(line);
    if (!skipping) out.push(line);
  }
  return out.join('\r\n');
}
