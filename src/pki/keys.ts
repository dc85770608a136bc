import { createPrivateKey, createPublicKey, type KeyObject, webcrypto, X509Certificate } from 'node:crypto';
import { x509 } from './x509.ts';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
export type SigningAlgorithm = webcrypto.Algorithm | webcrypto.EcdsaParams;

/** A private key ready to sign certificates, with the algorithm parameters its signatures need. */
export interface SigningKey {
  readonly privateKey: CryptoKey;
  readonly algorithm: SigningAlgorithm;
}

const P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** Every key skiff makes is ECDSA P-256, as k3s does. */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(P256, true, ['sign', 'verify']);
}

/** PKCS#8 PEM ("PRIVATE KEY"). */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return withNewline(x509.PemConverter.encode(der, 'PRIVATE KEY'));
}

/**
 * Imports a PEM private key for signing. skiff's own keys are P-256, but a CA key placed in the
 * TLS directory by hand may be P-384 or RSA (and SEC1 or PKCS#1 rather than PKCS#8), as k3s allows.
 */
export async function importSigningKey(pem: string): Promise<SigningKey> {
  const key = createPrivateKey(pem);
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const { importParams, algorithm } = algorithmsFor(key);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, importParams, false, ['sign']);
  return { privateKey, algorithm };
}

function algorithmsFor(key: KeyObject): {
  importParams: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
  algorithm: SigningAlgorithm;
} {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') {
      return { importParams: P256, algorithm: { name: 'ECDSA', hash: 'SHA-256' } };
    }
    if (curve === 'secp384r1') {
      return {
        importParams: { name: 'ECDSA', namedCurve: 'P-384' },
        algorithm: { name: 'ECDSA', hash: 'SHA-384' },
      };
    }
    throw new Error(`unsupported EC curve for a signing key: ${curve ?? 'unknown'}`);
  }
  if (key.asymmetricKeyType === 'rsa') {
    return {
      importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      algorithm: { name: 'RSASSA-PKCS1-v1_5' },
    };
  }
  throw new Error(`unsupported signing key type: ${key.asymmetricKeyType ?? 'unknown'}`);
}

/** True when the private key in keyPem is the one whose public half certPem carries. */
export function keyMatchesCertificate(certPem: string, keyPem: string): boolean {
  try {
    const fromKey = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
    const fromCert = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
    return fromKey.equals(fromCert);
  } catch {
    return false;
  }
}

/** PEM text ending in a newline, as OpenSSL writes it, so that PEM blocks can be concatenated. */
export function withNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}
