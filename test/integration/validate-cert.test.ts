/**
 * ValidateCert (MS-ASCMD 2.2.1.22) through the server: certificates made
 * here with openssl (a CA, leaves it signed, an expired one, one from an
 * unknown CA, one for TLS servers only), the CA trusted through
 * EAS_VALIDATE_CERT_CA_FILE; one Status per certificate (2.2.3.177.18).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidateCertStatus } from '../../protocol/commands/validate-cert.ts';
import { el, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { useStack } from '../harness/use-stack.ts';
import { startTestServer, type TestServer } from './server-setup.ts';

const stack = useStack();
const dir = mkdtempSync(join(tmpdir(), 'eas-vc-'));
let server: TestServer;
const der: Record<string, string> = {};

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}
function makeCa(name: string, extra: string[] = []): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', ...extra);
}
/** A leaf signed by `ca`, with the extensions `ext` (openssl extfile lines). */
function makeLeaf(name: string, ca: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}/emailAddress=${name}@example.test`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-extfile', `${name}.ext`, '-days', '10');
}
function b64(name: string): string {
  const pem = readFileSync(join(dir, `${name}.pem`), 'utf8');
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');
}

const SMIME = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\n';

beforeAll(async () => {
  makeCa('ca');
  makeCa('other-ca');
  makeLeaf('alice', 'ca', SMIME);
  makeLeaf('stranger', 'other-ca', SMIME);
  makeLeaf('server', 'ca', 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  // An intermediate without CA:TRUE that signs a leaf: the chain is not a chain.
  makeLeaf('notca', 'ca', 'basicConstraints=CA:FALSE\n');
  makeLeaf('under-notca', 'notca', SMIME);
  // An intermediate CA and a leaf under it: valid only with the intermediate in CertificateChain.
  makeLeaf('inter', 'ca', 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n');
  makeLeaf('deep', 'inter', SMIME);
  // Expired: valid 2020-01-01 to 2020-01-02 (openssl 3.0's x509 cannot backdate; `openssl ca` can).
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'ca.cnf'), `[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=ca.srl\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n[ext]\n${SMIME}`);
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', '/CN=expired');
  openssl('ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'expired.csr', '-out', 'expired.pem', '-notext', '-extensions', 'ext', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z');
  // A forgery: a self-signed certificate that claims the CA as issuer name but with another key.
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'forger.key', '-out', 'forger.pem', '-days', '30', '-subj', '/CN=ca', '-addext', 'basicConstraints=critical,CA:TRUE');
  makeLeaf('forged', 'forger', SMIME);
  for (const n of ['ca', 'alice', 'stranger', 'server', 'notca', 'under-notca', 'inter', 'deep', 'expired', 'forged']) der[n] = b64(n);
  writeFileSync(join(dir, 'bundle.pem'), readFileSync(join(dir, 'ca.pem')));
  server = await startTestServer(stack(), { env: { EAS_VALIDATE_CERT_CA_FILE: join(dir, 'bundle.pem') } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function request(certs: string[], chain: string[] = [], checkCrl?: boolean): WbxmlElement {
  return el('ValidateCert', 'ValidateCert', [
    ...(chain.length ? [el('ValidateCert', 'CertificateChain', chain.map((c) => el('ValidateCert', 'Certificate', c)))] : []),
    el('ValidateCert', 'Certificates', certs.map((c) => el('ValidateCert', 'Certificate', c))),
    ...(checkCrl !== undefined ? [el('ValidateCert', 'CheckCRL', checkCrl ? '1' : '0')] : []),
  ]);
}

async function validate(certs: string[], chain: string[] = [], checkCrl?: boolean, version = '14.1'): Promise<{ status: unknown; perCert: unknown[] }> {
  const c = server.client({ version: version as '14.1' });
  await c.provision();
  const r = await c.command('ValidateCert', request(certs, chain, checkCrl));
  expect(r.status).toBe(200);
  const kids = r.body!.children ?? [];
  const status = kids.find((k) => k.name === 'Status')?.text;
  const perCert = kids.filter((k) => k.name === 'Certificate').map((k) => k.children?.find((x) => x.name === 'Status')?.text);
  return { status: status === undefined ? undefined : Number(status), perCert: perCert.map(Number) };
}

describe('ValidateCert', () => {
  it('OPTIONS advertises ValidateCert', async () => {
    const r = await server.client().options();
    expect(String(r.headers['ms-asprotocolcommands']).split(',')).toContain('ValidateCert');
  });

  it('a leaf signed by the configured CA is valid (1); an unknown CA is untrusted (4); garbage is a protocol error (2), each in order', async () => {
    const r = await validate([der.alice!, der.stranger!, 'bm90IGEgY2VydGlmaWNhdGU=', '***']);
    expect(r.status).toBe(ValidateCertStatus.Success);
    expect(r.perCert).toEqual([ValidateCertStatus.Success, ValidateCertStatus.UntrustedSource, ValidateCertStatus.ProtocolError, ValidateCertStatus.ProtocolError]);
  });

  it('an expired leaf is 7', async () => {
    expect((await validate([der.expired!])).perCert).toEqual([ValidateCertStatus.Expired]);
  });

  it('a leaf for TLS servers only is the wrong purpose (9)', async () => {
    expect((await validate([der.server!])).perCert).toEqual([ValidateCertStatus.WrongPurpose]);
  });

  it('an issuer with the CA\'s name but another key does not validate the signature (3)', async () => {
    expect((await validate([der.forged!])).perCert).toEqual([ValidateCertStatus.SignatureNotValidated]);
  });

  it('an intermediate from CertificateChain completes the path; without it the leaf is untrusted; a non-CA issuer is 5', async () => {
    expect((await validate([der.deep!], [der.inter!])).perCert).toEqual([ValidateCertStatus.Success]);
    expect((await validate([der.deep!])).perCert).toEqual([ValidateCertStatus.UntrustedSource]);
    expect((await validate([der['under-notca']!], [der.notca!])).perCert).toEqual([ValidateCertStatus.ChainIncorrect]);
  });

  it('CheckCRL=1: revocation cannot be checked, so a good certificate is 16, a bad one keeps its own status', async () => {
    const r = await validate([der.alice!, der.stranger!], [], true);
    expect(r.perCert).toEqual([ValidateCertStatus.RevocationStatusUnknown, ValidateCertStatus.UntrustedSource]);
    expect((await validate([der.alice!], [], false)).perCert).toEqual([ValidateCertStatus.Success]);
  });

  it('the trusted CA itself validates; a request without Certificates is Status 2', async () => {
    expect((await validate([der.ca!], [], false, '12.1')).perCert).toEqual([ValidateCertStatus.Success]);
    const c = server.client();
    await c.provision();
    const r = await c.command('ValidateCert', el('ValidateCert', 'ValidateCert', [el('ValidateCert', 'CheckCRL', '0')]));
    const status = r.body!.children?.find((k) => k.name === 'Status')?.text;
    expect(Number(status)).toBe(ValidateCertStatus.ProtocolError);
  });
});
