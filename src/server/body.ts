import { createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import type { FastifyInstance } from 'fastify';

/**
 * Request bodies arrive as raw bytes whatever the Content-Type says
 * (application/vnd.ms-sync.wbxml for EAS, text/xml for Autodiscover, and
 * clients that send none at all). A Content-Encoding of gzip or deflate is
 * undone before the body limit is applied, so that the limit bounds the
 * decompressed size (a small compressed body cannot expand past it).
 */
export function registerRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('preParsing', async (request, reply, payload) => {
    const enc = String(request.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (enc === '' || enc === 'identity') return payload;
    let inflater: Transform;
    if (enc === 'gzip' || enc === 'x-gzip') inflater = createGunzip();
    else if (enc === 'deflate') inflater = createInflate();
    else {
      reply.code(415);
      throw Object.assign(new Error(`unsupported Content-Encoding ${enc}`), { statusCode: 415 });
    }
    // Content-Length describes the compressed bytes; fastify compares it with this counter.
    const counted = inflater as Transform & { receivedEncodedLength: number };
    counted.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => {
      counted.receivedEncodedLength += chunk.length;
    });
    payload.on('error', (err) => inflater.destroy(err));
    inflater.on('error', (err: Error & { statusCode?: number }) => {
      err.statusCode = 400;
    });
    payload.pipe(inflater);
    return inflater;
  });
}
