import path from 'node:path';
import { readIfExists, writeFileAtomic } from './files.ts';
import { generateKeyPair, keyMatchesCertificate, privateKeyToPem, withNewline } from './keys.ts';
import { x509 } from './x509.ts';

/** A CA's certificate and PKCS#8 private key, both PEM. */
export interface CertificateAuthority {
  readonly certPem: string;
  readonly keyPem: string;
}

export const CA_VALIDITY_DAYS = 3650;
const DAY_MS = 86_400_000;

/** A self-signed P-256 CA that may sign leaf certificates only (path length 0). */
export async function createCertificateAuthority(
  commonName: string,
  days = CA_VALIDITY_DAYS,
  now = new Date(),
): Promise<CertificateAuthority> {
  const keys = await generateKeyPair();
  const flags = x509.KeyUsageFlags;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [commonName] }],
    keys,
    notBefore: now,
    notAfter: new Date(now.getTime() + days * DAY_MS),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(flags.keyCertSign | flags.cRLSign | flags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: withNewline(cert.toString('pem')), keyPem: await privateKeyToPem(keys.privateKey) };
}

/**
 * Loads `<base>.crt` and `<base>.key` from dir, or makes and writes a new CA when there is no
 * certificate. A CA, once made, is never replaced: every certificate it signed depends on it.
 * The key is written before the certificate, so a key without a certificate is a first attempt
 * that did not finish, and is replaced; a certificate without its key is an error.
 */
export async function loadOrCreateCa(
  dir: string,
  base: string,
  commonName: string,
): Promise<CertificateAuthority> {
  const certFile = path.join(dir, `${base}.crt`);
  const keyFile = path.join(dir, `${base}.key`);
  const [certPem, keyPem] = await Promise.all([readIfExists(certFile), readIfExists(keyFile)]);
  if (certPem !== undefined) {
    if (keyPem === undefined) {
      throw new Error(
        `${certFile} exists but ${keyFile} does not: restore the key, or remove both to make a new CA`,
      );
    }
    if (!keyMatchesCertificate(certPem, keyPem)) {
      throw new Error(`${keyFile} is not the private key of ${certFile}`);
    }
    return { certPem, keyPem };
  }
  const ca = await createCertificateAuthority(commonName);
  await writeFileAtomic(keyFile, ca.keyPem);
  await writeFileAtomic(certFile, ca.certPem);
  return ca;
}
