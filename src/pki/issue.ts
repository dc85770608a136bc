import type { CertificateAuthority } from './ca.ts';
import { generateKeyPair, importSigningKey, privateKeyToPem, withNewline } from './keys.ts';
import { normalizeSans, type Sans } from './sans.ts';
import { x509 } from './x509.ts';

/** serverAuth for serving certificates, clientAuth for client certificates. */
export type CertificateUsage = 'server' | 'client';

export interface CertificateRequest {
  readonly commonName: string;
  /** Subject O entries; Kubernetes reads them as the user's groups. */
  readonly organizations?: readonly string[];
  readonly usage: CertificateUsage;
  /** Subject alternative names; serving certificates need them, client certificates do not. */
  readonly sans?: Sans;
  readonly days: number;
}

/** A leaf certificate (PEM) and its new PKCS#8 private key (PEM). */
export interface IssuedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

const DAY_MS = 86_400_000;
/** notBefore is back-dated this much, so a node whose clock lags still accepts a new certificate. */
const BACKDATE_MS = 60 * 60 * 1000;

/** Extended key usage OID for each usage. */
export const USAGE_OIDS: Record<CertificateUsage, string> = {
  server: x509.ExtendedKeyUsage.serverAuth,
  client: x509.ExtendedKeyUsage.clientAuth,
};

/** Makes a fresh P-256 key and a certificate for it signed by ca. */
export async function issueCertificate(
  ca: CertificateAuthority,
  request: CertificateRequest,
  now = new Date(),
): Promise<IssuedCertificate> {
  const caCert = new x509.X509Certificate(x509.PemConverter.decodeFirst(ca.certPem));
  const signer = await importSigningKey(ca.keyPem);
  const keys = await generateKeyPair();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([USAGE_OIDS[request.usage]]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await authorityKeyIdentifier(caCert),
  ];
  if (request.sans) extensions.push(subjectAltName(request.sans));
  const cert = await x509.X509CertificateGenerator.create({
    subject: subjectName(request.commonName, request.organizations ?? []),
    issuer: caCert.subjectName,
    publicKey: keys.publicKey,
    signingKey: signer.privateKey,
    signingAlgorithm: signer.algorithm,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + request.days * DAY_MS),
    extensions,
  });
  return { certPem: withNewline(cert.toString('pem')), keyPem: await privateKeyToPem(keys.privateKey) };
}

/** What issueClientCertificate needs of the server's PKI. */
export interface ClientCa {
  readonly clientCaPem: string;
  readonly clientCaKeyPem: string;
}

export interface ClientCertificateRequest {
  readonly commonName: string;
  readonly organizations: readonly string[];
  readonly days: number;
}

/** A client certificate signed by the client CA, e.g. `system:node:<name>` in `system:nodes`. */
export async function issueClientCertificate(
  pki: ClientCa,
  request: ClientCertificateRequest,
): Promise<IssuedCertificate> {
  return issueCertificate(
    { certPem: pki.clientCaPem, keyPem: pki.clientCaKeyPem },
    { ...request, usage: 'client' },
  );
}

/** Subject in the order Go's crypto/x509 writes it: O entries, then CN. */
function subjectName(commonName: string, organizations: readonly string[]): x509.JsonName {
  return [...organizations.map((o) => ({ O: [o] })), { CN: [commonName] }];
}

function subjectAltName(sans: Sans): x509.SubjectAlternativeNameExtension {
  const { dns, ips } = normalizeSans(sans);
  return new x509.SubjectAlternativeNameExtension([
    ...dns.map((value) => ({ type: 'dns' as const, value })),
    ...ips.map((value) => ({ type: 'ip' as const, value })),
  ]);
}

/** The issuer's own key identifier when it has one, else one computed from its public key. */
async function authorityKeyIdentifier(
  caCert: x509.X509Certificate,
): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
  return x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey);
}
