import { child, el, type WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { expectRoot, failWith, optBool, texts } from './util.ts';

/** ValidateCert Status values (MS-ASCMD 2.2.3.177.18), for the command and for each certificate. */
export const ValidateCertStatus = {
  Success: 1,
  ProtocolError: 2,
  SignatureNotValidated: 3,
  UntrustedSource: 4,
  ChainIncorrect: 5,
  NotForSigning: 6,
  Expired: 7,
  InvalidTimePeriods: 8,
  WrongPurpose: 9,
  MissingInformation: 10,
  WrongRole: 11,
  NameMismatch: 12,
  Revoked: 13,
  RevocationServerUnreachable: 14,
  ChainRevoked: 15,
  RevocationStatusUnknown: 16,
  UnknownServerError: 17,
} as const;

/** A ValidateCert request (MS-ASCMD 2.2.1.22). Certificates are base64-encoded X.509 (DER) as sent. */
export interface ValidateCertRequest {
  readonly certificates: readonly string[];
  readonly chain: readonly string[];
  readonly checkCrl: boolean;
}

/** A ValidateCert response: one status per certificate in request order, with global Status 1. */
export interface ValidateCertResponse {
  readonly status: number;
  readonly certificateStatuses?: readonly number[];
}

const VC = 'ValidateCert';

/** Parses a ValidateCert request; grammar errors are Status 2. */
export function parseValidateCertRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): ValidateCertRequest {
  const fail = failWith('ValidateCert', ValidateCertStatus.ProtocolError);
  const r = expectRoot(root, VC, 'ValidateCert', fail);
  const certs = child(r, 'Certificates', VC) ?? fail('Certificates is missing');
  const certificates = texts(certs, 'Certificate', VC, fail);
  if (certificates.length === 0) fail('no Certificate');
  const chainEl = child(r, 'CertificateChain', VC);
  return {
    certificates,
    chain: chainEl ? texts(chainEl, 'Certificate', VC, fail) : [],
    checkCrl: optBool(r, 'CheckCRL', VC, fail) ?? false,
  };
}

/** Builds a ValidateCert response: Status, Certificate { Status }* (MS-ASCMD 2.2.1.22). */
export function buildValidateCertResponse(res: ValidateCertResponse, _version: ProtocolVersion): WbxmlElement {
  return el(VC, 'ValidateCert', [
    el(VC, 'Status', res.status),
    ...(res.certificateStatuses ?? []).map((s) => el(VC, 'Certificate', [el(VC, 'Status', s)])),
  ]);
}
