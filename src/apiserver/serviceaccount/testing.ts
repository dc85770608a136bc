/** Helpers for the service-account tests: an in-memory key. */
import { generateKeyPairSync } from 'node:crypto';
import { keyIdOf, type ServiceAccountKey } from '../../pki/service-account-key.ts';

export function testKey(): ServiceAccountKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}
