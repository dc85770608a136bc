import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { ensurePrivateDir, readIfExists, writeFileAtomic } from '../../pki/files.ts';

/** A join token as k3s writes it: `K10<sha256 hex of the server CA PEM>::server:<secret>`. */
export interface JoinToken {
  /** sha256 (hex) of the server CA bundle, or undefined for a bare secret. */
  readonly caHash?: string;
  readonly secret: string;
}

const FULL_TOKEN = /^K10([0-9a-f]{64})::([^:]+):(.+)$/;

/** sha256 of the CA bundle as the token carries it. */
export function caHash(caPem: string): string {
  return createHash('sha256').update(caPem).digest('hex');
}

export function formatToken(caPem: string, secret: string): string {
  return `K10${caHash(caPem)}::server:${secret}`;
}

/**
 * Reads a token given to `skiff agent --token`: the full k3s form (its CA hash is then
 * checked) or a bare secret (the server CA is then trusted on first use, as k3s does).
 */
export function parseToken(text: string): JoinToken {
  const t = text.trim();
  if (t === '') throw new Error('the join token is empty');
  const m = FULL_TOKEN.exec(t);
  if (m) return { caHash: m[1], secret: m[3] as string };
  if (t.startsWith('K10'))
    throw new Error('the join token starts with K10 but is not K10<sha256>::<user>:<secret>');
  return { secret: t };
}

/** Whether a presented secret is the server's, in constant time. */
export function secretMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * `<serverDir>/token`, made once (mode 0600). A secret passed (`skiff server --token`) sets
 * the secret part; the file is rewritten only when that secret or the CA changes.
 */
export async function ensureServerToken(
  serverDir: string,
  serverCaPem: string,
  secret?: string,
): Promise<{ token: string; secret: string }> {
  await ensurePrivateDir(serverDir);
  const file = path.join(serverDir, 'token');
  const existing = (await readIfExists(file))?.trim();
  if (existing) {
    const parsed = parseToken(existing);
    const wanted = secret ? parseToken(secret).secret : parsed.secret;
    const token = formatToken(serverCaPem, wanted);
    if (token !== existing) await writeFileAtomic(file, `${token}\n`);
    return { token, secret: wanted };
  }
  const chosen = secret ? parseToken(secret).secret : randomBytes(16).toString('hex');
  const token = formatToken(serverCaPem, chosen);
  await writeFileAtomic(file, `${token}\n`);
  return { token, secret: chosen };
}
