/** Taints and tolerations (upstream's v1 helper ToleratesTaint / FindMatchingUntoleratedTaint). */
import { isObject, type KubeObject } from '../api/object.ts';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export function nodeTaints(node: KubeObject | undefined): Taint[] {
  const spec = node && isObject(node.spec) ? node.spec : {};
  return Array.isArray(spec.taints) ? (spec.taints.filter(isObject) as unknown as Taint[]) : [];
}

export function podTolerations(pod: KubeObject): Toleration[] {
  const spec = isObject(pod.spec) ? pod.spec : {};
  return Array.isArray(spec.tolerations) ? (spec.tolerations.filter(isObject) as Toleration[]) : [];
}

/** Whether one toleration tolerates a taint; an empty operator means Equal. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export const tolerationsTolerateTaint = (tolerations: readonly Toleration[], taint: Taint) =>
  tolerations.some((t) => toleratesTaint(t, taint));

/** NoSchedule and NoExecute taints: the ones that keep pods off a node. */
export const doNotScheduleTaint = (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

/** The first taint (of those `filter` keeps) that no toleration tolerates. */
export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  filter: (t: Taint) => boolean,
): Taint | undefined {
  return taints.find((taint) => filter(taint) && !tolerationsTolerateTaint(tolerations, taint));
}
