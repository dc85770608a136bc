/**
 * The DaemonSet controller's decisions, without writes: which nodes need a pod and which pods
 * go (upstream's podsShouldBeOnNode), what a rolling update replaces next (rollingUpdate),
 * and the status counts (updateDaemonSetStatus).
 */
import type { KubeObject } from '../../api/object.ts';
import { scaledValue } from '../deployment/util.ts';
import { isPodAvailable, isPodReady } from '../util/pods.ts';
import type { Pod } from '../util/types.ts';
import {
  byCreation,
  type DaemonSet,
  isPodUpdated,
  nodeShouldRunDaemonPod,
  updatedPodsOnNode,
} from './daemon-pods.ts';

export interface Plan {
  nodesNeedingPods: string[];
  podsToDelete: Pod[];
}

const allowsSurge = (ds: DaemonSet) => rollingParams(ds, 1).maxSurge > 0;

/** updatedDesiredNodeCounts' inputs: maxSurge and maxUnavailable over the desired count. */
export function rollingParams(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru =
    ds.spec.updateStrategy?.type === 'RollingUpdate' ? ds.spec.updateStrategy.rollingUpdate : undefined;
  const maxSurge = ru ? scaledValue(ru.maxSurge ?? 0, desired, true) : 0;
  let maxUnavailable = ru ? scaledValue(ru.maxUnavailable ?? 1, desired, true) : 0;
  // Neither may be zero: a rollout would never start.
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/** podsShouldBeOnNode for every node, plus pods on nodes that no longer exist. */
export function manage(
  ds: DaemonSet,
  nodes: readonly KubeObject[],
  byNode: Map<string, Pod[]>,
  hash: string,
  generation: string | undefined,
): Plan {
  const plan: Plan = { nodesNeedingPods: [], podsToDelete: [] };
  const known = new Set<string>();
  for (const node of nodes) {
    const name = node.metadata.name!;
    known.add(name);
    const pods = byNode.get(name) ?? [];
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    if (shouldRun && pods.length === 0) {
      plan.nodesNeedingPods.push(name);
    } else if (shouldContinueRunning) {
      const running: Pod[] = [];
      for (const pod of pods) {
        if (pod.metadata.deletionTimestamp) continue;
        const phase = pod.status?.phase;
        // A failed daemon pod is replaced (upstream backs off; the queue's retries do here).
        if (phase === 'Failed' || phase === 'Succeeded') plan.podsToDelete.push(pod);
        else running.push(pod);
      }
      // A node left without a running pod gets one on the next sync, once the old one is gone.
      if (running.length <= 1) continue;
      running.sort(byCreation);
      if (!allowsSurge(ds)) {
        plan.podsToDelete.push(...running.slice(1));
        continue;
      }
      // With surge, keep the oldest updated pod and the oldest old one.
      let keptNew = false;
      let keptOld = false;
      for (const pod of running) {
        const updated = isPodUpdated(pod, hash, generation);
        if (updated ? keptNew : keptOld) plan.podsToDelete.push(pod);
        else if (updated) keptNew = true;
        else keptOld = true;
      }
    } else if (pods.length > 0) {
      plan.podsToDelete.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
    }
  }
  for (const [node, pods] of byNode) {
    if (!known.has(node)) plan.podsToDelete.push(...pods.filter((p) => !p.metadata.deletionTimestamp));
  }
  return plan;
}

/** rollingUpdate: old pods to delete (maxUnavailable) or nodes to surge onto (maxSurge). */
export function rollingUpdate(
  ds: DaemonSet,
  nodes: readonly KubeObject[],
  byNode: Map<string, Pod[]>,
  hash: string,
  generation: string | undefined,
  now = Date.now(),
): Plan {
  const desired = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun).length;
  const { maxSurge, maxUnavailable } = rollingParams(ds, desired);
  const minReady = ds.spec.minReadySeconds ?? 0;
  const available = (p: Pod) => isPodAvailable(p, minReady, now);
  const plan: Plan = { nodesNeedingPods: [], podsToDelete: [] };
  const candidates: Pod[] = [];
  const candidateNodes: string[] = [];
  let used = 0;
  for (const node of nodes) {
    const name = node.metadata.name!;
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    const found = updatedPodsOnNode(byNode.get(name) ?? [], hash, generation);
    if (!found.ok) {
      used++;
      continue;
    }
    const { newPod, oldPod } = found;
    if (maxSurge === 0) {
      if ((!oldPod && !newPod) || (oldPod && newPod)) used++;
      else if (newPod) {
        if (!available(newPod)) used++;
      } else if (oldPod && !available(oldPod)) plan.podsToDelete.push(oldPod);
      else if (oldPod) candidates.push(oldPod);
      continue;
    }
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) plan.nodesNeedingPods.push(name);
      else candidateNodes.push(name);
    } else if (!available(newPod)) used++;
    else plan.podsToDelete.push(oldPod);
  }
  if (maxSurge === 0) {
    const remaining = Math.max(0, Math.min(maxUnavailable - used, candidates.length));
    plan.podsToDelete.push(...candidates.slice(0, remaining));
  } else {
    const remaining = Math.max(0, Math.min(maxSurge - used, candidateNodes.length));
    plan.nodesNeedingPods.push(...candidateNodes.slice(0, remaining));
  }
  return plan;
}

/** The status counts of updateDaemonSetStatus. */
export function daemonStatus(
  ds: DaemonSet,
  nodes: readonly KubeObject[],
  byNode: Map<string, Pod[]>,
  hash: string,
  generation: string | undefined,
  now = Date.now(),
): Record<string, number> {
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let availableCount = 0;
  let updated = 0;
  for (const node of nodes) {
    const pods = byNode.get(node.metadata.name!) ?? [];
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
      if (pods.length > 0) misscheduled++;
      continue;
    }
    desired++;
    if (pods.length === 0) continue;
    current++;
    const pod = [...pods].sort(byCreation)[0]!;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, now)) availableCount++;
    }
    if (isPodUpdated(pod, hash, generation)) updated++;
  }
  return {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    updatedNumberScheduled: updated,
    numberAvailable: availableCount,
    numberUnavailable: Math.max(0, desired - availableCount),
  };
}
