/**
 * The ObjectSource the volume and env code reads configMaps, secrets, claims, volumes and
 * service account tokens through: GETs on the API with a short cache, so one pod start
 * referring to one configMap from several places costs one request.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import { errorCode } from '../../sim/api.ts';
import type { IssuedToken, ObjectSource, TokenRequestOptions } from '../volumes/source.ts';

const ttlMs = 2000;

export class ApiObjectSource implements ObjectSource {
  private readonly core: CoreV1Api;
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(core: CoreV1Api) {
    this.core = core;
  }

  private cached<T>(key: string, get: () => Promise<T>): Promise<T | undefined> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value as Promise<T | undefined>;
    const value = get().catch((e: unknown) => {
      if (errorCode(e) === 404) return undefined;
      this.cache.delete(key);
      throw e;
    });
    if (this.cache.size > 1024) this.cache.clear();
    this.cache.set(key, { at: Date.now(), value });
    return value;
  }

  /** Forgets a cached object (`cm/<ns>/<name>`, `secret/<ns>/<name>`, …): it changed. */
  invalidate(key: string): void {
    this.cache.delete(key);
  }

  configMap(namespace: string, name: string) {
    return this.cached(`cm/${namespace}/${name}`, () =>
      this.core.readNamespacedConfigMap({ namespace, name }),
    );
  }

  secret(namespace: string, name: string) {
    return this.cached(`secret/${namespace}/${name}`, () =>
      this.core.readNamespacedSecret({ namespace, name }),
    );
  }

  persistentVolumeClaim(namespace: string, name: string) {
    return this.cached(`pvc/${namespace}/${name}`, () =>
      this.core.readNamespacedPersistentVolumeClaim({ namespace, name }),
    );
  }

  persistentVolume(name: string) {
    return this.cached(`pv/${name}`, () => this.core.readPersistentVolume({ name }));
  }

  async serviceAccountToken(
    namespace: string,
    serviceAccount: string,
    o: TokenRequestOptions,
  ): Promise<IssuedToken> {
    const body = {
      spec: {
        audiences: o.audience ? [o.audience] : [],
        expirationSeconds: o.expirationSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: o.podName, uid: o.podUid },
      },
    };
    const r = await this.core.createNamespacedServiceAccountToken({ name: serviceAccount, namespace, body });
    const exp = r.status?.expirationTimestamp as Date | string | undefined;
    return {
      token: r.status?.token ?? '',
      expirationTimestamp:
        exp instanceof Date ? exp.toISOString().replace(/\.\d{3}Z$/, 'Z') : String(exp ?? ''),
    };
  }
}
