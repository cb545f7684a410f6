import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import {
  buildValidateCertResponse,
  parseValidateCertRequest,
  ValidateCertStatus,
  type ValidateCertRequest,
} from '../../protocol/commands/validate-cert.ts';
import type { Config } from '../config.ts';
import type { Services } from '../server/services.ts';
import type { CommandHandler } from './types.ts';

/**
 * ValidateCert (MS-ASCMD 2.2.1.22): the device asks whether S/MIME
 * certificates (usually a sender's signing certificate) can be trusted.
 * Each Certificate gets its own Status (MS-ASCMD 2.2.3.177.18), in order:
 *
 * - not base64 / not DER X.509: 2 (protocol error: the blob is not a certificate)
 * - outside its validity dates (or an issuer on the path is): 7
 * - ExtendedKeyUsage present without emailProtection (or anyExtendedKeyUsage): 9
 * - a path is built with `node:crypto` X509Certificate up the certificates
 *   of CertificateChain to a trusted root (EAS_VALIDATE_CERT_CA_FILE when
 *   set, otherwise Node's built-in `tls.rootCertificates`); each link
 *   checks issuer name and signature. An issuer whose name matches but
 *   whose key does not verify the signature: 3; an issuer on the path that
 *   is not a CA: 5; no path to a trusted root: 4.
 * - CheckCRL=1: we do no CRL or OCSP fetching, so a certificate that passed
 *   every other check is answered 16 ("revocation status unknown") rather
 *   than 1, never claimed unrevoked. Without CheckCRL revocation is not
 *   looked at (the device asked us to ignore it).
 *
 * No sender address comes with the request, so Status 12 (name mismatch) is
 * never given here; the device compares the address itself.
 */
export const validateCertHandler: CommandHandler<ValidateCertRequest, Services> = {
  name: 'ValidateCert',
  parse: (body, ctx) => parseValidateCertRequest(body, ctx.protocolVersion),
  async handle(ctx, req) {
    const roots = trustedRoots(ctx.services.config);
    const chain = req.chain.map(decodeCertificate).filter((c): c is X509Certificate => c !== undefined);
    const now = new Date();
    const statuses = req.certificates.map((b64) => {
      const cert = decodeCertificate(b64);
      return cert ? validateOne(cert, chain, roots, { now, checkCrl: req.checkCrl }) : ValidateCertStatus.ProtocolError;
    });
    ctx.log.debug({ event: 'validatecert.result', statuses, checkCrl: req.checkCrl }, 'certificates validated');
    return {
      body: buildValidateCertResponse({ status: ValidateCertStatus.Success, certificateStatuses: statuses }, ctx.protocolVersion),
      easStatus: ValidateCertStatus.Success,
    };
  },
};

/** Longest path followed (leaf + intermediates + root); a longer one is not a chain a phone would send. */
const MAX_DEPTH = 10;
/** RFC 5280 4.2.1.12 key purposes that allow S/MIME. */
const EMAIL_PROTECTION = '1.3.6.1.5.5.7.3.4';
const ANY_PURPOSE = '2.5.29.37.0';

const rootCache = new WeakMap<Config, readonly X509Certificate[]>();

/** The roots of the configured bundle, or Node's built-in store; parsed once per configuration. */
function trustedRoots(config: Config): readonly X509Certificate[] {
  let roots = rootCache.get(config);
  if (!roots) {
    const pems = config.validateCertCaFile ? splitPem(readFileSync(config.validateCertCaFile, 'utf8')) : rootCertificates;
    roots = pems.flatMap((p) => {
      try {
        return [new X509Certificate(p)];
      } catch {
        return [];
      }
    });
    rootCache.set(config, roots);
  }
  return roots;
}

function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/** A certificate from the request's base64 DER, or undefined when it is not one. */
function decodeCertificate(b64: string): X509Certificate | undefined {
  const s = b64.replace(/\s+/g, '');
  if (s === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return undefined;
  try {
    return new X509Certificate(Buffer.from(s, 'base64'));
  } catch {
    return undefined;
  }
}

function inValidity(c: X509Certificate, now: Date): boolean {
  return now >= new Date(c.validFrom) && now <= new Date(c.validTo);
}

/** The status of one certificate (MS-ASCMD 2.2.3.177.18). */
export function validateOne(
  leaf: X509Certificate,
  chain: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  opts: { now: Date; checkCrl: boolean },
): number {
  if (!inValidity(leaf, opts.now)) return ValidateCertStatus.Expired;
  const eku = leaf.keyUsage;
  if (eku && eku.length && !eku.includes(EMAIL_PROTECTION) && !eku.includes(ANY_PURPOSE)) return ValidateCertStatus.WrongPurpose;
  const isRoot = (c: X509Certificate): boolean => roots.some((r) => r.fingerprint256 === c.fingerprint256);
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (isRoot(current)) return opts.checkCrl ? ValidateCertStatus.RevocationStatusUnknown : ValidateCertStatus.Success;
    // By name first (checkIssued would also drop a key-id mismatch, hiding a forgery as "unknown issuer"), then by signature.
    const named = [...chain, ...roots].filter((c) => c.fingerprint256 !== current.fingerprint256 && c.subject === current.issuer);
    const issuer = named.find((c) => current.checkIssued(c) && current.verify(c.publicKey));
    if (!issuer) {
      if (named.length) return ValidateCertStatus.SignatureNotValidated;
      // A self-signed certificate that is not a trusted root, or a path that ends before one.
      return ValidateCertStatus.UntrustedSource;
    }
    if (!issuer.ca) return ValidateCertStatus.ChainIncorrect;
    if (!inValidity(issuer, opts.now)) return ValidateCertStatus.Expired;
    current = issuer;
  }
  return ValidateCertStatus.ChainIncorrect;
}
