import type { CodePageDef } from './types.ts';

/**
 * Code page 11: ValidateCert (MS-ASWBXML 2.1.2.1.12).
 *
 * Tags exist from protocol 2.5 unless their row gives its own first (and last) version.
 */
export const validateCertPage: CodePageDef = {
  page: 11,
  ns: 'ValidateCert',
  section: 'MS-ASWBXML 2.1.2.1.12',
  since: '2.5',
  tags: [
    [0x05, 'ValidateCert'],
    [0x06, 'Certificates'],
    [0x07, 'Certificate'],
    [0x08, 'CertificateChain'],
    [0x09, 'CheckCRL'],
    [0x0A, 'Status'],
  ],
};
