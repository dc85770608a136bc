/**
 * Registry credentials from a pod's imagePullSecrets, as the kubelet's credential keyring reads
 * them: `kubernetes.io/dockerconfigjson` (`.dockerconfigjson` = {"auths": {key: entry}}) and
 * `kubernetes.io/dockercfg` (`.dockercfg` = {key: entry}). A key is a registry host, optionally
 * with a scheme, a path prefix and `*` wildcards per host label (`*.example.com`); Docker Hub's
 * aliases (index.docker.io/v1/, registry-1.docker.io) all mean docker.io. Matches come back
 * most specific first; the puller tries them in that order.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { canonicalRegistryHost, parseImageReference } from './reference.ts';
import type { CriAuthConfig } from './registries.ts';

interface DockerConfigEntry {
  username?: string;
  password?: string;
  auth?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export interface KeyringEntry {
  /** The key as written in the secret. */
  key: string;
  host: string;
  /** Repository path prefix ('' = the whole registry). */
  path: string;
  auth: CriAuthConfig;
  /** Which secret it came from: namespace/name. */
  secret: string;
}

export interface SecretProblem {
  secret: string;
  message: string;
}

function decode(b64: string | undefined): string | undefined {
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
}

function parseKey(key: string): { host: string; path: string } {
  const stripped = key.trim().replace(/^[a-z]+:\/\//i, '');
  const slash = stripped.indexOf('/');
  const host = canonicalRegistryHost(slash < 0 ? stripped : stripped.slice(0, slash));
  let path = slash < 0 ? '' : stripped.slice(slash + 1).replace(/\/+$/, '');
  // Docker Hub's legacy key "https://index.docker.io/v1/" names the registry, not a path.
  if (host === 'docker.io' && (path === 'v1' || path === 'v2')) path = '';
  return { host, path };
}

function toAuth(e: DockerConfigEntry): CriAuthConfig {
  let { username = '', password = '' } = e;
  if (!username && e.auth) {
    const plain = Buffer.from(e.auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon > 0) {
      username = plain.slice(0, colon);
      password = plain.slice(colon + 1);
    }
  }
  return {
    username,
    password,
    auth: '',
    serverAddress: '',
    identityToken: e.identitytoken ?? '',
    registryToken: e.registrytoken ?? '',
  };
}

/** The keyring of a pod's pull secrets; secrets that cannot be read are listed in `problems`. */
export function keyringFromSecrets(secrets: V1Secret[]): {
  entries: KeyringEntry[];
  problems: SecretProblem[];
} {
  const entries: KeyringEntry[] = [];
  const problems: SecretProblem[] = [];
  for (const s of secrets) {
    const id = `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`;
    let auths: Record<string, DockerConfigEntry> | undefined;
    try {
      if (s.type === 'kubernetes.io/dockerconfigjson') {
        const text = decode(s.data?.['.dockerconfigjson']);
        if (text === undefined) throw new Error('has no .dockerconfigjson');
        auths = JSON.parse(text)?.auths;
      } else if (s.type === 'kubernetes.io/dockercfg') {
        const text = decode(s.data?.['.dockercfg']);
        if (text === undefined) throw new Error('has no .dockercfg');
        auths = JSON.parse(text);
      } else {
        throw new Error(`has type ${s.type ?? '(none)'}, not kubernetes.io/dockerconfigjson or dockercfg`);
      }
      if (auths === null || typeof auths !== 'object') throw new Error('holds no auths');
    } catch (err) {
      problems.push({ secret: id, message: (err as Error).message });
      continue;
    }
    for (const [key, entry] of Object.entries(auths)) {
      if (!entry || typeof entry !== 'object') continue;
      entries.push({ key, ...parseKey(key), auth: toAuth(entry), secret: id });
    }
  }
  return { entries, problems };
}

/** Whether a key's host (maybe with `*` labels) names `host`; ports must agree. */
export function hostMatches(pattern: string, host: string): boolean {
  const [pName, pPort = ''] = pattern.split(/:(?=\d+$)/);
  const [hName, hPort = ''] = host.split(/:(?=\d+$)/);
  if (pPort !== hPort) return false;
  const p = pName!.split('.');
  const h = hName!.split('.');
  if (p.length !== h.length) return false;
  return p.every((label, i) => {
    if (label === '*') return true;
    if (!label.includes('*')) return label === h[i];
    const re = new RegExp(
      `^${label
        .split('*')
        .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return re.test(h[i]!);
  });
}

/** The credentials for `image`, most specific key first (longer path, then no wildcard). */
export function credentialsFor(keyring: KeyringEntry[], image: string): KeyringEntry[] {
  const ref = parseImageReference(image);
  const matches = keyring.filter(
    (e) =>
      hostMatches(e.host, ref.domain) &&
      (e.path === '' || ref.path === e.path || ref.path.startsWith(`${e.path}/`)),
  );
  return matches.sort((a, b) => {
    if (a.path.length !== b.path.length) return b.path.length - a.path.length;
    return Number(a.host.includes('*')) - Number(b.host.includes('*'));
  });
}
