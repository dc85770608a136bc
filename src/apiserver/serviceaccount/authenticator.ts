/**
 * Bearer-token authentication for service-account JWTs: the signature and times must check out,
 * an audience must be the API's, and the service account (and any pod, secret or node the token
 * is bound to) must still exist with the UID the token names (upstream's validator.Validate).
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.ts';
import type { ServiceAccountKey } from '../../pki/service-account-key.ts';
import type { Registry } from '../../registry/registry.ts';
import type { TokenAuthenticator } from '../authn.ts';
import type { UserInfo } from '../context.ts';
import {
  defaultIssuer,
  isServiceAccountJwt,
  type ObjectRef,
  serviceAccountUser,
  verifyServiceAccountJwt,
} from './jwt.ts';

/** A bound pod or secret deleted longer ago than this no longer vouches for its tokens. */
const deletedGraceMs = 60_000;

export interface ServiceAccountAuthenticatorOptions {
  registry: Registry;
  key: ServiceAccountKey;
  /** Audiences the API accepts; the first is what tokens get by default. */
  audiences: string[];
  issuer?: string;
  log?: Logger;
  /** Tried for bearer tokens that are not service-account JWTs (bootstrap, node tokens). */
  next?: TokenAuthenticator;
  /** Unix seconds, for tests. */
  now?: () => number;
}

export const serviceAccountGroups = (namespace: string) => [
  'system:serviceaccounts',
  `system:serviceaccounts:${namespace}`,
];

async function lookup(registry: Registry, plural: string, namespace: string | undefined, name: string) {
  const store = registry.byResource('', plural);
  if (!store) return undefined;
  return store.get(namespace, name).catch(() => undefined) as Promise<KubeObject | undefined>;
}

function deletedLongAgo(obj: KubeObject, nowMs: number): boolean {
  const ts = obj.metadata.deletionTimestamp;
  return typeof ts === 'string' && Date.parse(ts) < nowMs - deletedGraceMs;
}

/** Checks the bound object still exists with the token's UID; returns why not, if not. */
async function checkBound(
  registry: Registry,
  kind: 'pod' | 'secret' | 'node',
  namespace: string,
  ref: ObjectRef,
  nowMs: number,
): Promise<string | undefined> {
  const plural = kind === 'pod' ? 'pods' : kind === 'secret' ? 'secrets' : 'nodes';
  const obj = await lookup(registry, plural, kind === 'node' ? undefined : namespace, ref.name);
  if (!obj) return `${kind} ${ref.name} (${ref.uid}) referenced by the token does not exist`;
  if (obj.metadata.uid !== ref.uid) {
    return `${kind} UID (${String(obj.metadata.uid)}) does not match claim (${ref.uid})`;
  }
  if (kind !== 'node' && deletedLongAgo(obj, nowMs))
    return `${kind} ${ref.name} (${ref.uid}) is being deleted`;
  return undefined;
}

export function serviceAccountAuthenticator(options: ServiceAccountAuthenticatorOptions): TokenAuthenticator {
  const { registry, key, audiences, log } = options;
  const issuer = options.issuer ?? defaultIssuer;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  return async (token: string): Promise<UserInfo | undefined> => {
    if (!isServiceAccountJwt(token, issuer)) return options.next?.(token);
    const nowSec = now();
    try {
      const claims = await verifyServiceAccountJwt(token, key, audiences, { issuer, now: nowSec });
      const { namespace, serviceAccount } = claims;
      const sa = await lookup(registry, 'serviceaccounts', namespace, serviceAccount.name);
      if (!sa) throw new Error(`service account ${namespace}/${serviceAccount.name} has been deleted`);
      if (sa.metadata.uid !== serviceAccount.uid) {
        throw new Error(
          `service account UID (${String(sa.metadata.uid)}) does not match claim (${serviceAccount.uid})`,
        );
      }
      if (sa.metadata.deletionTimestamp) {
        throw new Error(`service account ${namespace}/${serviceAccount.name} is being deleted`);
      }
      for (const kind of ['pod', 'secret', 'node'] as const) {
        const ref = claims[kind];
        if (!ref) continue;
        const problem = await checkBound(registry, kind, namespace, ref, nowSec * 1000);
        if (problem) throw new Error(problem);
      }
      return {
        name: serviceAccountUser(namespace, serviceAccount.name),
        groups: serviceAccountGroups(namespace),
      };
    } catch (err) {
      log?.debug({ err: (err as Error).message }, 'service account token rejected');
      return undefined;
    }
  };
}
