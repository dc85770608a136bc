import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import type { CertificateAuthority } from './ca.ts';
import { readIfExists, writeFileAtomic } from './files.ts';
import { type CertificateRequest, type IssuedCertificate, issueCertificate, USAGE_OIDS } from './issue.ts';
import { keyMatchesCertificate, withNewline } from './keys.ts';
import { sameSans, sameSet } from './sans.ts';
import { x509 } from './x509.ts';

/** A certificate closer than this to its end is reissued (k3s renews at 90 days as well). */
export const RENEW_BEFORE_DAYS = 90;
const DAY_MS = 86_400_000;

export interface LeafOptions {
  /** Append the CA certificate to the certificate file, as a serving certificate's chain. */
  readonly withChain?: boolean;
  readonly now?: Date;
}

/**
 * Returns `<base>.crt`/`<base>.key` from dir when they still answer the request (see
 * isReusable), otherwise issues a new pair from ca and writes it, key first.
 */
export async function ensureLeafCertificate(
  dir: string,
  base: string,
  ca: CertificateAuthority,
  request: CertificateRequest,
  options: LeafOptions = {},
): Promise<IssuedCertificate> {
  const now = options.now ?? new Date();
  const certFile = path.join(dir, `${base}.crt`);
  const keyFile = path.join(dir, `${base}.key`);
  const [certPem, keyPem] = await Promise.all([readIfExists(certFile), readIfExists(keyFile)]);
  if (certPem !== undefined && keyPem !== undefined && isReusable({ certPem, keyPem }, ca, request, now)) {
    return { certPem, keyPem };
  }
  const issued = await issueCertificate(ca, request, now);
  const written = options.withChain
    ? { ...issued, certPem: issued.certPem + withNewline(ca.certPem) }
    : issued;
  await writeFileAtomic(keyFile, written.keyPem);
  await writeFileAtomic(certFile, written.certPem);
  return written;
}

/**
 * True when the existing pair may be kept: the key belongs to the certificate, ca signed it,
 * it has more than RENEW_BEFORE_DAYS left, and its subject, usage and SANs (as sets) are the
 * ones asked for.
 */
export function isReusable(
  existing: IssuedCertificate,
  ca: CertificateAuthority,
  request: CertificateRequest,
  now = new Date(),
): boolean {
  if (!keyMatchesCertificate(existing.certPem, existing.keyPem)) return false;
  try {
    const leaf = new X509Certificate(existing.certPem);
    const issuer = new X509Certificate(ca.certPem);
    if (!leaf.checkIssued(issuer) || !leaf.verify(issuer.publicKey)) return false;
    if (leaf.validToDate.getTime() - now.getTime() <= RENEW_BEFORE_DAYS * DAY_MS) return false;
    if (leaf.validFromDate.getTime() > now.getTime()) return false;
    return matchesRequest(new x509.X509Certificate(x509.PemConverter.decodeFirst(existing.certPem)), request);
  } catch {
    return false;
  }
}

function matchesRequest(cert: x509.X509Certificate, request: CertificateRequest): boolean {
  const cn = cert.subjectName.getField('CN');
  if (cn.length !== 1 || cn[0] !== request.commonName) return false;
  if (!sameSet(cert.subjectName.getField('O'), request.organizations ?? [])) return false;
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  if (!eku?.usages.includes(USAGE_OIDS[request.usage])) return false;
  if (request.sans === undefined) return true;
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  const have = {
    dns: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ips: names.filter((n) => n.type === 'ip').map((n) => n.value),
  };
  if (names.some((n) => n.type !== 'dns' && n.type !== 'ip')) return false;
  return sameSans(have, request.sans);
}
