import { XMLParser } from 'fast-xml-parser';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { escapeText } from '../../protocol/xml/index.ts';
import { mailboxAddress } from '../commands/settings.ts';
import { authenticate } from './authenticate.ts';
import type { Services } from './services.ts';

/** MS-ASCMD 2.2.3.1: the schema EAS clients ask for. */
export const MOBILESYNC_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006';
/** The schema Outlook asks for ([MS-OXDSCLI] 2.2.4). */
export const OUTLOOK_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';
const RESPONSE_ROOT_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';

const parser = new XMLParser({ removeNSPrefix: true, processEntities: false, ignoreAttributes: true, parseTagValue: false });

/** The EAS URL phones should use: EAS_PUBLIC_URL, else the scheme and Host this request came in on (proxy-aware with trustProxy). */
export function easUrl(request: FastifyRequest, services: Services): string {
  const base = services.config.publicUrl ?? `${request.protocol}://${request.host}`;
  return `${base}/Microsoft-Server-ActiveSync`;
}

function readRequest(body: unknown): { email?: string; schema?: string } | undefined {
  if (!Buffer.isBuffer(body) || body.length === 0) return {};
  try {
    const doc = parser.parse(body.toString('utf8')) as { Autodiscover?: { Request?: { EMailAddress?: unknown; AcceptableResponseSchema?: unknown } } };
    const r = doc.Autodiscover?.Request;
    if (!r) return undefined;
    return {
      ...(typeof r.EMailAddress === 'string' ? { email: r.EMailAddress.trim() } : {}),
      ...(typeof r.AcceptableResponseSchema === 'string' ? { schema: r.AcceptableResponseSchema.trim() } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Autodiscover (MS-ASCMD 2.2.1.1): answers the mobilesync schema with the
 * MobileSync server URL, and the Outlook schema (MS-OXDSCLI) with a
 * MobileSync protocol entry. Authenticated like every EAS request.
 */
export function registerAutodiscover(app: FastifyInstance, services: Services): void {
  const handler = async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const who = await authenticate(request, reply, services);
    if (!who) return reply;
    const req = readRequest(request.body);
    if (!req) return reply.code(400).type('text/xml; charset=utf-8').send(errorResponse('600', 'Invalid Request'));
    const email = req.email || mailboxAddress(who.mailbox, services.repos.mailboxes.get(who.mailbox)?.email ?? null);
    const url = easUrl(request, services);
    const x = escapeText;
    const user = `<User><DisplayName>${x(who.mailbox)}</DisplayName><EMailAddress>${x(email)}</EMailAddress></User>`;
    let xml: string;
    if (req.schema === OUTLOOK_SCHEMA) {
      xml =
        `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${RESPONSE_ROOT_NS}"><Response xmlns="${OUTLOOK_SCHEMA}">` +
        `${user}<Account><AccountType>email</AccountType><Action>settings</Action>` +
        `<Protocol><Type>MobileSync</Type><Server>${x(url)}</Server><Name>${x(url)}</Name></Protocol>` +
        `</Account></Response></Autodiscover>`;
    } else if (req.schema === undefined || req.schema === MOBILESYNC_SCHEMA) {
      xml =
        `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${RESPONSE_ROOT_NS}"><Response xmlns="${MOBILESYNC_SCHEMA}">` +
        `<Culture>en:us</Culture>${user}<Action><Settings><Server><Type>MobileSync</Type>` +
        `<Url>${x(url)}</Url><Name>${x(url)}</Name></Server></Settings></Action></Response></Autodiscover>`;
    } else {
      request.log.info({ event: 'autodiscover.unknown-schema', schema: req.schema });
      return reply.code(200).type('text/xml; charset=utf-8').send(errorResponse('601', 'Provider is not available'));
    }
    request.log.info({ event: 'autodiscover', schema: req.schema ?? MOBILESYNC_SCHEMA, url });
    return reply.code(200).type('text/xml; charset=utf-8').send(xml);
  };
  // Path case varies by client; the router is case-insensitive, one registration covers both spellings.
  app.post('/autodiscover/autodiscover.xml', handler);
}

function errorResponse(code: string, message: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${RESPONSE_ROOT_NS}"><Response>` +
    `<Error Time="${new Date().toISOString().slice(11, 19)}" Id="1"><ErrorCode>${code}</ErrorCode><Message>${message}</Message>` +
    `<DebugData /></Error></Response></Autodiscover>`
  );
}
