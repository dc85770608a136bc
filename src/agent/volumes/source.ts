/**
 * Where the agent reads the API objects a pod's env vars and volumes refer to. The kubelet
 * supplies one backed by its informers/client; tests use FakeObjectSource.
 */
import type {
  V1ConfigMap,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Secret,
} from '@kubernetes/client-node';

export interface TokenRequestOptions {
  audience?: string;
  expirationSeconds: number;
  podName: string;
  podUid: string;
}

export interface IssuedToken {
  token: string;
  /** RFC 3339 time at which the token stops being valid. */
  expirationTimestamp: string;
}

/** `undefined` means the object does not exist; other failures reject. */
export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<V1ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<V1Secret | undefined>;
  persistentVolumeClaim(namespace: string, name: string): Promise<V1PersistentVolumeClaim | undefined>;
  persistentVolume(name: string): Promise<V1PersistentVolume | undefined>;
  serviceAccountToken(
    namespace: string,
    serviceAccount: string,
    options: TokenRequestOptions,
  ): Promise<IssuedToken>;
}

/** The error text upstream's object caches give for a missing object (`configmap "x" not found`). */
export function notFoundMessage(resource: string, name: string): string {
  return `${resource} "${name}" not found`;
}
