/**
 * The key service-account tokens are signed with: an RSA key kept as `service.key` in the
 * server's TLS directory (PKCS#8 PEM, mode 0600), made once and reused, as k3s keeps it.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { link, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensurePrivateDir, PRIVATE_FILE_MODE, readIfExists } from './files.ts';

const generate = promisify(generateKeyPair);

export const serviceAccountKeyFile = 'service.key';

export interface ServiceAccountKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The JWT `kid`: base64url SHA-256 of the DER public key, as upstream derives it. */
  readonly keyId: string;
}

export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

function fromPem(pem: string): ServiceAccountKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new Error(`${serviceAccountKeyFile} must hold an RSA key, found ${privateKey.asymmetricKeyType}`);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/**
 * Reads `<tlsDir>/service.key`, creating it first when missing. Two processes racing to create
 * it agree on one key: the file appears with a single link(2), which fails if it already exists.
 */
export async function ensureServiceAccountKey(tlsDir: string): Promise<ServiceAccountKey> {
  const file = path.join(tlsDir, serviceAccountKeyFile);
  const existing = await readIfExists(file);
  if (existing !== undefined) return fromPem(existing);
  await ensurePrivateDir(tlsDir);
  const { privateKey } = await generate('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const tmp = path.join(tlsDir, `.${serviceAccountKeyFile}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', PRIVATE_FILE_MODE);
    try {
      await handle.writeFile(pem);
      await handle.chmod(PRIVATE_FILE_MODE);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(tmp, file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(tmp, { force: true });
  }
  return fromPem((await readIfExists(file))!);
}
