/** The volume types skiff serves, where each lives under the pod directory, and tmpfs sizing. */
import type { V1Pod, V1Volume } from '@kubernetes/client-node';
import { parseQuantity, roundUp } from '../../registry/pods/quantity.ts';

export type Kind =
  | 'emptyDir'
  | 'hostPath'
  | 'configMap'
  | 'secret'
  | 'downwardAPI'
  | 'projected'
  | 'persistentVolumeClaim';

/** `<podDir>/volumes/<plugin>/<name>`, the kubelet's plugin directory names. */
export const pluginDirs: Partial<Record<Kind, string>> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};

/** Volumes whose files come from API objects: read-only in containers and rewritten on refresh. */
export const apiKinds = new Set<Kind>(['configMap', 'secret', 'downwardAPI', 'projected']);

export function kindOf(v: V1Volume): Kind | undefined {
  for (const k of Object.keys(pluginDirs) as Kind[]) if (v[k]) return k;
  if (v.hostPath) return 'hostPath';
  if (v.persistentVolumeClaim) return 'persistentVolumeClaim';
  return undefined;
}

/** A quantity in bytes (rounded up), or undefined when unset or zero. */
export function sizeBytes(limit: string | undefined): number | undefined {
  if (limit === undefined) return undefined;
  const q = roundUp(parseQuantity(String(limit)), 0);
  const n = Number(q.mantissa) * 10 ** q.scale;
  return n > 0 ? n : undefined;
}

/**
 * The size of a memory-backed emptyDir: its sizeLimit, but never more than the pod's memory
 * limit (when every container has one) or else the node's allocatable memory (upstream's
 * calculateEmptyDirMemorySize). Undefined leaves the tmpfs default.
 */
export function memoryVolumeSize(
  pod: V1Pod,
  sizeLimit: string | undefined,
  allocatable: Record<string, string> | undefined,
): number | undefined {
  const explicit = sizeBytes(sizeLimit);
  const containers = pod.spec?.containers ?? [];
  const limits = containers.map((c) => sizeBytes(c.resources?.limits?.memory));
  const podLimit =
    containers.length > 0 && limits.every((l) => l !== undefined)
      ? limits.reduce((a, b) => a! + b!, 0)
      : sizeBytes(allocatable?.memory);
  if (explicit === undefined) return podLimit;
  return podLimit === undefined ? explicit : Math.min(explicit, podLimit);
}
