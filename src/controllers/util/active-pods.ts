/**
 * Which pods a ReplicaSet deletes first when it scales down: upstream's ActivePodsWithRanks
 * ordering (controller_utils.go, 1.32, with PodDeletionCost and LogarithmicScaleDown on).
 */
import { isPodActive, isPodReady, podReadyCondition, timeOf } from './pods.ts';
import type { Pod } from './types.ts';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const deletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

/** The pod-deletion-cost annotation; 0 when absent or not a canonical int32. */
export function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[deletionCostAnnotation];
  // Upstream refuses a leading '+' or zero ("+1", "08"), then parses as int32.
  if (v === undefined || !(v === '0' || /^(-\d+|[1-9]\d*)$/.test(v))) return 0;
  const n = Number(v);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

/** Highest restart count of regular containers, then of sidecars (restartable init containers). */
function maxRestarts(pod: Pod): [regular: number, sidecar: number] {
  let regular = 0;
  for (const c of pod.status?.containerStatuses ?? []) regular = Math.max(regular, c.restartCount ?? 0);
  const sidecars = new Set(
    (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
  );
  let sidecar = 0;
  for (const c of pod.status?.initContainerStatuses ?? [])
    if (sidecars.has(c.name)) sidecar = Math.max(sidecar, c.restartCount ?? 0);
  return [regular, sidecar];
}

/** t1 after t2, where a missing time counts as after any real one. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/** floor(log2(age in ns)), -1 for no age: times in the same bucket count as equally old. */
function logRank(t: number, now: number): number {
  const ns = (now - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/** Compares two times the LogarithmicScaleDown way, the UID breaking ties; `true`: a first. */
function newerFirst(a: Pod, b: Pod, ta: number | undefined, tb: number | undefined, now: number): boolean {
  if (ta === undefined || tb === undefined) return afterOrZero(ta, tb);
  const diff = logRank(ta, now) - logRank(tb, now);
  if (diff === 0) return (a.metadata.uid ?? '') < (b.metadata.uid ?? '');
  return diff < 0;
}

export interface RankedPod {
  readonly pod: Pod;
  /** How many active pods of the same owner's family share its node (doubled up: delete first). */
  readonly rank: number;
}

/** Upstream's Less: whether `a` is less valuable than `b` (deleted before it). */
export function lessValuable(a: RankedPod, b: RankedPod, now: number): boolean {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '';
  const oa = phaseOrdinal[pa.status?.phase ?? ''] ?? 0;
  const ob = phaseOrdinal[pb.status?.phase ?? ''] ?? 0;
  if (oa !== ob) return oa < ob;
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return !ra;
  const ca = deletionCost(pa);
  const cb = deletionCost(pb);
  if (ca !== cb) return ca < cb;
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (ra && rb) {
    const ta = timeOf(podReadyCondition(pa)?.lastTransitionTime);
    const tb = timeOf(podReadyCondition(pb)?.lastTransitionTime);
    if (ta !== tb) return newerFirst(pa, pb, ta, tb, now);
  }
  const [rega, sidea] = maxRestarts(pa);
  const [regb, sideb] = maxRestarts(pb);
  if (rega !== regb) return rega > regb;
  if (sidea !== sideb) return sidea > sideb;
  const ta = timeOf(pa.metadata.creationTimestamp);
  const tb = timeOf(pb.metadata.creationTimestamp);
  if (ta !== tb) return newerFirst(pa, pb, ta, tb, now);
  return false;
}

/**
 * The `count` pods of `pods` to delete: ranked by how many active pods of `related` (the pods of
 * every ReplicaSet with the same owner) share their node, then ordered by lessValuable.
 */
export function podsToDelete(pods: Pod[], related: Pod[], count: number, now = Date.now()): Pod[] {
  if (count >= pods.length) return pods.slice(0, count);
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const node = p.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => (lessValuable(a, b, now) ? -1 : lessValuable(b, a, now) ? 1 : 0));
  return ranked.slice(0, count).map((r) => r.pod);
}
