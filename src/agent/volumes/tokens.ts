/**
 * Service-account tokens of projected volumes, reused until 80% of their lifetime (or 24 h)
 * has passed, as the kubelet's token manager does.
 */
import type { V1ServiceAccountTokenProjection } from '@kubernetes/client-node';
import type { ObjectSource } from './source.ts';

const maxAgeMs = 24 * 60 * 60 * 1000;
export const defaultExpirationSeconds = 3600;

interface CachedToken {
  token: string;
  audience: string;
  expirationSeconds: number;
  refreshAt: number;
}

/** When a token issued at `issuedAt` (ms) and valid until `expiresAt` (ms) is due for renewal. */
export function refreshTime(issuedAt: number, expiresAt: number): number {
  const ttl = Math.max(0, expiresAt - issuedAt);
  return Math.min(issuedAt + ttl * 0.8, issuedAt + maxAgeMs);
}

export interface PodIdentity {
  namespace: string;
  serviceAccount: string;
  podName: string;
  podUid: string;
}

export class TokenCache {
  readonly #source: ObjectSource;
  readonly #now: () => number;
  readonly #tokens = new Map<string, CachedToken>();

  constructor(source: ObjectSource, now: () => number) {
    this.#source = source;
    this.#now = now;
  }

  /** The token for one projection (`key` names it within the pod), renewed when due. */
  async get(key: string, pod: PodIdentity, projection: V1ServiceAccountTokenProjection): Promise<string> {
    const audience = projection.audience ?? '';
    const expirationSeconds = projection.expirationSeconds ?? defaultExpirationSeconds;
    const now = this.#now();
    const cached = this.#tokens.get(key);
    if (
      cached &&
      cached.audience === audience &&
      cached.expirationSeconds === expirationSeconds &&
      now < cached.refreshAt
    )
      return cached.token;
    const issued = await this.#source.serviceAccountToken(pod.namespace, pod.serviceAccount, {
      ...(audience ? { audience } : {}),
      expirationSeconds,
      podName: pod.podName,
      podUid: pod.podUid,
    });
    const expiresAt = Date.parse(issued.expirationTimestamp);
    if (Number.isNaN(expiresAt))
      throw new Error(`token request gave a bad expirationTimestamp ${issued.expirationTimestamp}`);
    this.#tokens.set(key, {
      token: issued.token,
      audience,
      expirationSeconds,
      refreshAt: refreshTime(now, expiresAt),
    });
    return issued.token;
  }

  /** The earliest time (ms) a cached token is due, if any. */
  nextRefresh(): number | undefined {
    let next: number | undefined;
    for (const t of this.#tokens.values()) if (next === undefined || t.refreshAt < next) next = t.refreshAt;
    return next;
  }

  clear(): void {
    this.#tokens.clear();
  }
}
