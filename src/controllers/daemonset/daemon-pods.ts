/**
 * What a DaemonSet's pod is on a node and whether it belongs there (upstream's daemon/util and
 * NodeShouldRunDaemonPod): the template with the daemon tolerations and the revision labels,
 * pinned to the node by required node affinity on metadata.name, which the scheduler honours.
 */
import type { KubeObject } from '../../api/object.ts';
import type { LabelSelectorObject } from '../../api/selectors/index.ts';
import {
  matchesRequiredNodeAffinity,
  type NodeSelectorTerm,
  requiredNodeAffinity,
} from '../../scheduler/node-selector.ts';
import { findUntoleratedTaint, nodeTaints, type Toleration } from '../../scheduler/taints.ts';
import type { Pod, PodTemplate, RollingUpdate } from '../util/types.ts';

export const revisionHashLabel = 'controller-revision-hash';
export const templateGenerationLabel = 'pod-template-generation';
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

export interface DaemonSet extends KubeObject {
  spec: {
    selector?: LabelSelectorObject;
    template?: PodTemplate;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    updateStrategy?: { type?: string; rollingUpdate?: RollingUpdate };
  };
  status?: Record<string, number | undefined>;
}

const daemonTolerations: readonly [string, string][] = [
  ['node.kubernetes.io/not-ready', 'NoExecute'],
  ['node.kubernetes.io/unreachable', 'NoExecute'],
  ['node.kubernetes.io/disk-pressure', 'NoSchedule'],
  ['node.kubernetes.io/memory-pressure', 'NoSchedule'],
  ['node.kubernetes.io/pid-pressure', 'NoSchedule'],
  ['node.kubernetes.io/unschedulable', 'NoSchedule'],
];

const sameToleration = (a: Toleration, b: Toleration) =>
  (a.key ?? '') === (b.key ?? '') &&
  (a.operator ?? '') === (b.operator ?? '') &&
  (a.value ?? '') === (b.value ?? '') &&
  (a.effect ?? '') === (b.effect ?? '') &&
  a.tolerationSeconds === b.tolerationSeconds;

/** AddOrUpdateTolerationInPodSpec: replaces a toleration with the same key, operator, value and effect. */
function addToleration(list: Toleration[], t: Toleration): void {
  const i = list.findIndex(
    (o) =>
      (o.key ?? '') === t.key &&
      (o.operator ?? '') === t.operator &&
      (o.effect ?? '') === t.effect &&
      !o.value,
  );
  if (i >= 0) {
    if (!sameToleration(list[i]!, t)) list[i] = t;
    return;
  }
  list.push(t);
}

/** AddOrUpdateDaemonPodTolerations: what lets a daemon pod stay on sick or cordoned nodes. */
export function addDaemonTolerations(spec: Record<string, unknown>): void {
  const list = Array.isArray(spec.tolerations) ? (spec.tolerations as Toleration[]) : [];
  for (const [key, effect] of daemonTolerations) addToleration(list, { key, operator: 'Exists', effect });
  if (spec.hostNetwork === true) {
    addToleration(list, {
      key: 'node.kubernetes.io/network-unavailable',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
  }
  spec.tolerations = list;
}

export const templateGeneration = (ds: DaemonSet) => ds.metadata.annotations?.[templateGenerationAnnotation];

/** CreatePodTemplate: the template with the daemon tolerations and the generation and hash labels. */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplate {
  const t = structuredClone(ds.spec.template ?? {});
  t.spec ??= {};
  addDaemonTolerations(t.spec);
  const generation = templateGeneration(ds);
  t.metadata = {
    ...t.metadata,
    labels: {
      ...t.metadata?.labels,
      ...(generation !== undefined ? { [templateGenerationLabel]: generation } : {}),
      ...(hash ? { [revisionHashLabel]: hash } : {}),
    },
  };
  return t;
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: required affinity on exactly this node. */
export function pinToNode(spec: Record<string, unknown>, nodeName: string): void {
  const term: NodeSelectorTerm = {
    matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }],
  };
  const affinity = (spec.affinity ?? {}) as Record<string, Record<string, unknown>>;
  affinity.nodeAffinity ??= {};
  affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
  spec.affinity = affinity;
}

/** GetTargetNodeName: spec.nodeName, else the node the metadata.name affinity pins it to. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = requiredNodeAffinity(pod).terms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/**
 * NodeShouldRunDaemonPod: shouldRun when the pod fits the node's name, labels and taints;
 * shouldContinueRunning also when only NoSchedule taints stand in the way.
 */
export function nodeShouldRunDaemonPod(
  node: KubeObject,
  ds: DaemonSet,
): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const pod: Pod = { metadata: {}, spec: structuredClone(ds.spec.template?.spec ?? {}) };
  addDaemonTolerations(pod.spec!);
  const nodeName = pod.spec!.nodeName;
  if (nodeName && nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!matchesRequiredNodeAffinity(requiredNodeAffinity(pod), node)) {
    return { shouldRun: false, shouldContinueRunning: false };
  }
  const tolerations = pod.spec!.tolerations as Toleration[];
  const taints = nodeTaints(node);
  const blocking = findUntoleratedTaint(
    taints,
    tolerations,
    (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute',
  );
  if (!blocking) return { shouldRun: true, shouldContinueRunning: true };
  const evicting = findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute');
  return { shouldRun: false, shouldContinueRunning: !evicting };
}

/** IsPodUpdated: at the current revision hash, or the current template generation. */
export function isPodUpdated(pod: Pod, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  return (
    (generation !== undefined && labels[templateGenerationLabel] === generation) ||
    (hash.length > 0 && labels[revisionHashLabel] === hash)
  );
}

/** findUpdatedPodsOnNode: the node's one new and one old pod, or ok false when there are more. */
export function updatedPodsOnNode(pods: readonly Pod[], hash: string, generation: string | undefined) {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false as const };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false as const };
      oldPod = pod;
    }
  }
  return { ok: true as const, newPod, oldPod };
}

/** Oldest first, as upstream's podByCreationTimestampAndPhase (a running pod before a pending twin). */
export function byCreation(a: Pod, b: Pod): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}
