/**
 * A StatefulSet pod's stable identity (upstream's stateful_set_utils.go): name `<set>-<ordinal>`,
 * hostname and subdomain, the pod-name and pod-index labels, and volumes bound to the claims
 * `<claim>-<set>-<ordinal>` made from the volumeClaimTemplates.
 */
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import type { LabelSelectorObject } from '../../api/selectors/index.ts';
import { podFromTemplate } from '../util/pod-control.ts';
import { isPodAvailable, isPodReady } from '../util/pods.ts';
import type { Pod, PodTemplate } from '../util/types.ts';

export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
export const podIndexLabel = 'apps.kubernetes.io/pod-index';
export const revisionLabel = 'controller-revision-hash';

export interface StatefulSet extends KubeObject {
  spec: {
    replicas?: number;
    selector?: LabelSelectorObject;
    template?: PodTemplate;
    serviceName?: string;
    podManagementPolicy?: string;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    ordinals?: { start?: number };
    updateStrategy?: {
      type?: string;
      rollingUpdate?: { partition?: number; maxUnavailable?: number | string };
    };
    volumeClaimTemplates?: KubeObject[];
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    currentReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    collisionCount?: number;
  };
}

/** The parent name and ordinal a pod name encodes, or ordinal -1. */
export function parentAndOrdinal(pod: KubeObject): { parent: string; ordinal: number } {
  const m = /^(.*)-([0-9]+)$/.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const ordinal = Number.parseInt(m[2]!, 10);
  return { parent: m[1]!, ordinal: ordinal > 2 ** 31 - 1 ? -1 : ordinal };
}

export const ordinalOf = (pod: KubeObject) => parentAndOrdinal(pod).ordinal;
export const isMemberOf = (set: StatefulSet, pod: KubeObject) =>
  parentAndOrdinal(pod).parent === set.metadata.name;
export const startOrdinal = (set: StatefulSet) => set.spec.ordinals?.start ?? 0;
export const podName = (set: StatefulSet, ordinal: number) => `${set.metadata.name}-${ordinal}`;
export const claimName = (set: StatefulSet, claim: KubeObject, ordinal: number) =>
  `${claim.metadata.name}-${set.metadata.name}-${ordinal}`;
export const podRevision = (pod: KubeObject) => pod.metadata.labels?.[revisionLabel] ?? '';

/** In the API (the controller's own not-yet-created pods have no UID). */
export const isCreated = (pod: Pod) => !!pod.metadata.uid;
export const isFailed = (pod: Pod) => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: Pod) => pod.status?.phase === 'Succeeded';
export const isTerminating = (pod: Pod) => !!pod.metadata.deletionTimestamp;
export const isRunningAndReady = (pod: Pod) => pod.status?.phase === 'Running' && isPodReady(pod);
export const isRunningAndAvailable = (pod: Pod, minReady: number) =>
  pod.status?.phase === 'Running' && isPodAvailable(pod, minReady);
export const isHealthy = (pod: Pod) => isRunningAndReady(pod) && !isTerminating(pod);

interface Volume {
  name: string;
  [field: string]: unknown;
}

/** The claims the pod at `ordinal` mounts, by volume name, labelled with the set's matchLabels. */
export function claimsFor(set: StatefulSet, ordinal: number): Map<string, KubeObject> {
  const claims = new Map<string, KubeObject>();
  for (const tpl of set.spec.volumeClaimTemplates ?? []) {
    const claim = structuredClone(tpl);
    claim.apiVersion = 'v1';
    claim.kind = 'PersistentVolumeClaim';
    claim.metadata = {
      ...claim.metadata,
      name: claimName(set, tpl, ordinal),
      namespace: set.metadata.namespace,
      labels: { ...tpl.metadata.labels, ...set.spec.selector?.matchLabels },
    };
    delete claim.status;
    claims.set(tpl.metadata.name!, claim);
  }
  return claims;
}

/** Sets the pod's volumes for the set's claims, leaving its other volumes as they are. */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = claimsFor(set, ordinalOf(pod));
  if (claims.size === 0) return;
  pod.spec ??= {};
  const spec = pod.spec;
  const volumes = ((spec.volumes as Volume[] | undefined) ?? []).filter((v) => !claims.has(v.name));
  for (const [name, claim] of claims) {
    volumes.push({ name, persistentVolumeClaim: { claimName: claim.metadata.name } });
  }
  spec.volumes = volumes;
}

export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  const volumes = new Map(((pod.spec?.volumes as Volume[] | undefined) ?? []).map((v) => [v.name, v]));
  for (const [name, claim] of claimsFor(set, ordinal)) {
    const v = volumes.get(name) as { persistentVolumeClaim?: { claimName?: string } } | undefined;
    if (v?.persistentVolumeClaim?.claimName !== claim.metadata.name) return false;
  }
  return true;
}

/** Name, hostname, subdomain and the identity labels of the pod at its ordinal. */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = ordinalOf(pod);
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.spec ??= {};
  const spec = pod.spec;
  spec.hostname = pod.metadata.name;
  if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
  else delete spec.subdomain;
  pod.metadata.labels = {
    ...pod.metadata.labels,
    [podNameLabel]: pod.metadata.name,
    [podIndexLabel]: String(ordinal),
  };
}

export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  const labels = pod.metadata.labels ?? {};
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.namespace === set.metadata.namespace &&
    labels[podNameLabel] === pod.metadata.name &&
    labels[podIndexLabel] === String(ordinal) &&
    pod.spec?.hostname === pod.metadata.name &&
    (pod.spec?.subdomain ?? '') === (set.spec.serviceName ?? '')
  );
}

/** newStatefulSetPod: the template's pod with the identity, storage and revision of `ordinal`. */
export function newStatefulSetPod(
  set: StatefulSet,
  ref: OwnerReference,
  ordinal: number,
  revision: string,
): Pod {
  const pod = podFromTemplate(set.spec.template ?? {}, set, ref);
  delete pod.metadata.generateName;
  pod.metadata.name = podName(set, ordinal);
  updateIdentity(set, pod);
  updateStorage(set, pod);
  pod.metadata.labels = { ...pod.metadata.labels, [revisionLabel]: revision };
  return pod;
}
