/**
 * Upstream's ServiceAccount admission for pods: a pod runs as `default` unless it names a
 * service account, that account must exist, and unless automounting is turned off (on the pod,
 * else on the account) every container gets the `kube-api-access-<random>` projected volume
 * (token, cluster CA, namespace) at /var/run/secrets/kubernetes.io/serviceaccount.
 */
import { randomInt } from 'node:crypto';
import { isObject, type KubeObject } from '../../api/object.ts';
import { statusErrors } from '../../api/status.ts';
import type { Admit, ResourceStore } from '../store.ts';

export const defaultServiceAccountName = 'default';
export const apiTokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
export const apiAccessVolumePrefix = 'kube-api-access-';
export const rootCaConfigMap = 'kube-root-ca.crt';
/** The lifetime the injected token asks for; the signer extends exactly this value. */
export const injectedTokenExpirationSeconds = 3607;
const mirrorPodAnnotation = 'kubernetes.io/config.mirror';
const podsResource = { group: '', resource: 'pods' };

/** Upstream's utilrand alphabet: no vowels, no look-alike digits. */
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
export const randomSuffix = (n = 5) =>
  Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');

/** The projected volume every automounting pod gets. */
export function apiAccessVolume(name: string): Record<string, unknown> {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: injectedTokenExpirationSeconds } },
        { configMap: { name: rootCaConfigMap, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
      defaultMode: 0o644,
    },
  };
}

const listOf = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** Adds the volume and its mounts to the pod spec (upstream's mountServiceAccountToken). */
export function mountApiAccess(spec: Record<string, unknown>, suffix: () => string = randomSuffix): void {
  const volumes = listOf(spec.volumes);
  const existing = volumes.find(
    (v) => typeof v.name === 'string' && v.name.startsWith(apiAccessVolumePrefix),
  );
  const volumeName = existing ? (existing.name as string) : apiAccessVolumePrefix + suffix();
  let needed = false;
  for (const key of ['initContainers', 'containers']) {
    for (const c of listOf(spec[key])) {
      const mounts = listOf(c.volumeMounts);
      if (mounts.some((m) => m.mountPath === apiTokenMountPath)) continue;
      c.volumeMounts = [...mounts, { name: volumeName, readOnly: true, mountPath: apiTokenMountPath }];
      needed = true;
    }
  }
  if (!existing && needed) spec.volumes = [...volumes, apiAccessVolume(volumeName)];
}

function shouldAutomount(sa: KubeObject, spec: Record<string, unknown>): boolean {
  if (typeof spec.automountServiceAccountToken === 'boolean') return spec.automountServiceAccountToken;
  return sa.automountServiceAccountToken !== false;
}

export interface ServiceAccountAdmissionOptions {
  /** Whether to inject the API access volume (upstream's MountServiceAccountToken); true by default. */
  mountToken?: boolean;
  suffix?: () => string;
}

/** Wraps `next` (namespace lifecycle, priority) so those errors come first, then admits the pod. */
export function serviceAccountAdmission(
  serviceAccounts: ResourceStore,
  next: Admit | undefined,
  options: ServiceAccountAdmissionOptions = {},
): Admit {
  return async (op, obj, old) => {
    await next?.(op, obj, old);
    if (op !== 'create') return;
    if (obj.metadata.annotations?.[mirrorPodAnnotation] !== undefined) return;
    const spec = isObject(obj.spec) ? obj.spec : undefined;
    if (!spec) return;
    if (typeof spec.serviceAccountName !== 'string' || spec.serviceAccountName === '') {
      spec.serviceAccountName = defaultServiceAccountName;
    }
    spec.serviceAccount = spec.serviceAccountName;
    const namespace = obj.metadata.namespace ?? '';
    const saName = spec.serviceAccountName as string;
    const sa = await serviceAccounts.get(namespace, saName).catch(() => undefined);
    if (!sa) {
      throw statusErrors.forbidden(
        podsResource,
        obj.metadata.name ?? '',
        `error looking up service account ${namespace}/${saName}: serviceaccount "${saName}" not found`,
      );
    }
    if ((options.mountToken ?? true) && shouldAutomount(sa, spec)) mountApiAccess(spec, options.suffix);
  };
}
