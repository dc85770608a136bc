/** Taints and tolerations as upstream's v1 helpers and taint utilities treat them. */
import { isObject, type KubeObject } from '../../api/object.ts';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export const unreachableKey = 'node.kubernetes.io/unreachable';
export const notReadyKey = 'node.kubernetes.io/not-ready';
export const unschedulableKey = 'node.kubernetes.io/unschedulable';

export const unreachableNoExecute: Taint = { key: unreachableKey, effect: 'NoExecute' };
export const notReadyNoExecute: Taint = { key: notReadyKey, effect: 'NoExecute' };

/** upstream's nodeConditionToTaintKeyStatusMap. */
const conditionTaints: Record<string, Record<string, string>> = {
  Ready: { False: notReadyKey, Unknown: unreachableKey },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};
const conditionTaintKeys = new Set(Object.values(conditionTaints).flatMap((m) => Object.values(m)));

export const taintsOf = (node: KubeObject): Taint[] => {
  const spec = isObject(node.spec) ? node.spec : {};
  return Array.isArray(spec.taints) ? (spec.taints as Taint[]) : [];
};

export const tolerationsOf = (pod: KubeObject): Toleration[] => {
  const spec = isObject(pod.spec) ? pod.spec : {};
  return Array.isArray(spec.tolerations) ? (spec.tolerations as Toleration[]) : [];
};

/** upstream's MatchTaint: the same key and effect. */
export const matchTaint = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;

/** upstream's ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator ?? '';
  if (op === '' || op === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return op === 'Exists';
}

/** upstream's GetMatchingTolerations: whether every taint is tolerated, and by which. */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]) {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => toleratesTaint(x, taint));
    if (!t) return { all: false, used: [] as Toleration[] };
    used.push(t);
  }
  return { all: true, used };
}

/** upstream's getMinTolerationTime in ms: 0 without tolerations, -1 for forever. */
export function minTolerationMs(used: readonly Toleration[]): number {
  if (used.length === 0) return 0;
  let min = Number.POSITIVE_INFINITY;
  for (const t of used) {
    if (typeof t.tolerationSeconds !== 'number') continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Number.POSITIVE_INFINITY ? -1 : min * 1000;
}

export interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string | null;
  lastTransitionTime?: string | null;
  reason?: string;
  message?: string;
}

export const conditionsOf = (node: KubeObject): NodeCondition[] => {
  const status = isObject(node.status) ? node.status : {};
  return Array.isArray(status.conditions) ? (status.conditions as NodeCondition[]) : [];
};

export const readyCondition = (node: KubeObject) => conditionsOf(node).find((c) => c.type === 'Ready');

/**
 * upstream's doNoScheduleTaintingPass, as a diff: the NoSchedule taints a node's conditions
 * and spec.unschedulable call for, against the condition taints it has.
 */
export function noScheduleTaintDiff(node: KubeObject): { add: Taint[]; remove: Taint[] } {
  const want: Taint[] = [];
  for (const c of conditionsOf(node)) {
    const key = conditionTaints[c.type]?.[c.status];
    if (key) want.push({ key, effect: 'NoSchedule' });
  }
  const spec = isObject(node.spec) ? node.spec : {};
  if (spec.unschedulable === true) want.push({ key: unschedulableKey, effect: 'NoSchedule' });
  const have = taintsOf(node).filter(
    (t) => t.effect === 'NoSchedule' && (t.key === unschedulableKey || conditionTaintKeys.has(t.key)),
  );
  return {
    add: want.filter((w) => !have.some((h) => matchTaint(h, w))),
    remove: have.filter((h) => !want.some((w) => matchTaint(h, w))),
  };
}

/** upstream's SwapNodeControllerTaint on a node object: adds (stamped now), then removes. */
export function swapTaints(
  node: KubeObject,
  add: readonly Taint[],
  remove: readonly Taint[],
  now: string,
): boolean {
  let taints = [...taintsOf(node)];
  let changed = false;
  for (const t of add) {
    if (taints.some((x) => matchTaint(x, t) && (x.value ?? '') === (t.value ?? ''))) continue;
    taints = [...taints.filter((x) => !matchTaint(x, t)), { ...t, timeAdded: now }];
    changed = true;
  }
  const kept = taints.filter((x) => !remove.some((r) => matchTaint(x, r)));
  if (kept.length !== taints.length) changed = true;
  if (!changed) return false;
  const spec = isObject(node.spec) ? node.spec : {};
  node.spec = spec;
  if (kept.length > 0) spec.taints = kept;
  else delete spec.taints;
  return true;
}
