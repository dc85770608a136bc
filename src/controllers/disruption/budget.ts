/**
 * The pure part of upstream's disruption controller: how many pods a PodDisruptionBudget
 * expects and needs healthy, how many are, and how many may be disrupted now.
 */
import type { KubeObject } from '../../api/object.ts';
import type { LabelSelectorObject } from '../../api/selectors/index.ts';
import { scaledValue } from '../deployment/util.ts';
import { isPodReady, timeOf } from '../util/pods.ts';
import type { Condition, Pod } from '../util/types.ts';

/** How long an eviction's entry in disruptedPods keeps a pod out of the healthy count. */
export const deletionTimeoutMs = 2 * 60 * 1000;

export interface PodDisruptionBudget extends KubeObject {
  spec: {
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    selector?: LabelSelectorObject | null;
    unhealthyPodEvictionPolicy?: string;
  };
  status?: PdbStatus;
}

export interface PdbStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: Condition[];
}

/** desiredHealthy and expectedPods; `scale` is the summed scale of the pods' controllers. */
export function desiredAndExpected(
  pdb: PodDisruptionBudget,
  podCount: number,
  scale: () => number,
): { desiredHealthy: number; expectedCount: number } {
  const { minAvailable, maxUnavailable } = pdb.spec;
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const expectedCount = scale();
    const max = scaledValue(maxUnavailable, expectedCount, true);
    return { desiredHealthy: Math.max(0, expectedCount - max), expectedCount };
  }
  if (typeof minAvailable === 'number') return { desiredHealthy: minAvailable, expectedCount: podCount };
  if (typeof minAvailable === 'string') {
    const expectedCount = scale();
    return { desiredHealthy: scaledValue(minAvailable, expectedCount, true), expectedCount };
  }
  return { desiredHealthy: 0, expectedCount: podCount };
}

/**
 * disruptedPods without the entries for pods that are gone or being deleted and for
 * evictions older than the timeout; the earliest time an entry still kept expires.
 */
export function liveDisruptedPods(
  disrupted: Record<string, string> | undefined,
  pods: readonly Pod[],
  now: number,
): { kept: Record<string, string>; recheckAt?: number } {
  const byName = new Map(pods.map((p) => [p.metadata.name!, p]));
  const kept: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const [name, at] of Object.entries(disrupted ?? {})) {
    const pod = byName.get(name);
    if (!pod || pod.metadata.deletionTimestamp) continue;
    const expires = (timeOf(at) ?? 0) + deletionTimeoutMs;
    if (expires < now) continue;
    kept[name] = at;
    recheckAt = recheckAt === undefined ? expires : Math.min(recheckAt, expires);
  }
  return { kept, recheckAt };
}

/** Ready pods not being deleted and not just evicted. */
export function countHealthy(pods: readonly Pod[], disrupted: Record<string, string>): number {
  return pods.filter(
    (p) => !p.metadata.deletionTimestamp && !(p.metadata.name! in disrupted) && isPodReady(p),
  ).length;
}

/** The DisruptionAllowed condition, keeping its transition time while the status holds. */
function condition(pdb: PodDisruptionBudget, allowed: boolean, reason: string, message: string, now: string) {
  const old = pdb.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const status = allowed ? 'True' : 'False';
  return {
    type: 'DisruptionAllowed',
    status,
    observedGeneration: pdb.metadata.generation ?? 0,
    lastTransitionTime: old?.status === status ? old.lastTransitionTime : now,
    reason,
    message,
  } as Condition;
}

/** The status a budget should show for these pods (upstream's updatePdbStatus inputs). */
export function computeStatus(
  pdb: PodDisruptionBudget,
  pods: readonly Pod[],
  desiredHealthy: number,
  expectedCount: number,
  disrupted: Record<string, string>,
  nowIso: string,
): PdbStatus {
  const currentHealthy = countHealthy(pods, disrupted);
  const disruptionsAllowed = expectedCount <= 0 ? 0 : Math.max(0, currentHealthy - desiredHealthy);
  const reason = disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods';
  return {
    observedGeneration: pdb.metadata.generation ?? 0,
    ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods: expectedCount,
    conditions: [condition(pdb, disruptionsAllowed > 0, reason, '', nowIso)],
  };
}

/** The status of a budget that could not be computed: no disruption allowed (failSafe). */
export function failSafeStatus(pdb: PodDisruptionBudget, message: string, nowIso: string): PdbStatus {
  return {
    ...(pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
    observedGeneration: pdb.metadata.generation ?? 0,
    disruptionsAllowed: 0,
    conditions: [condition(pdb, false, 'SyncFailed', message, nowIso)],
  };
}
