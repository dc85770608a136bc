/**
 * Informer events into the scheduler (upstream's eventhandlers.go): nodes and assigned pods
 * feed the cache and wake unschedulable pods; unassigned pods this scheduler owns feed the
 * queue. Terminal pods (Succeeded, Failed) hold nothing and count as deleted.
 */
import { isObject, type KubeObject } from '../api/object.ts';
import type { EventHandlers } from '../client/informer.ts';
import type { SchedulerCache } from './cache.ts';
import type { PodInfo } from './pod-info.ts';
import type { SchedulingQueue } from './queue.ts';

export interface EventTarget {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  podInfo(pod: KubeObject): PodInfo;
  /** Whether this scheduler owns the pod (its spec.schedulerName). */
  responsibleFor(pod: KubeObject): boolean;
}

const spec = (o: KubeObject) => (isObject(o.spec) ? o.spec : {});
const assigned = (pod: KubeObject) => typeof spec(pod).nodeName === 'string' && spec(pod).nodeName !== '';
const terminal = (pod: KubeObject) => {
  const phase = isObject(pod.status) ? pod.status.phase : undefined;
  return phase === 'Succeeded' || phase === 'Failed';
};

/** Whether a node change can make pods schedulable (nodeSchedulingPropertiesChange). */
export function nodeSchedulingPropertiesChanged(old: KubeObject, now: KubeObject): boolean {
  const pick = (n: KubeObject) =>
    JSON.stringify([
      spec(n).unschedulable ?? false,
      spec(n).taints ?? [],
      n.metadata.labels ?? {},
      isObject(n.status) ? (n.status.allocatable ?? null) : null,
    ]);
  return pick(old) !== pick(now);
}

export function nodeEventHandlers(t: EventTarget): EventHandlers {
  return {
    add(node) {
      t.cache.addNode(node);
      t.queue.moveAllToActiveOrBackoffQueue('NodeAdd');
    },
    update(old, node) {
      t.cache.updateNode(node);
      if (nodeSchedulingPropertiesChanged(old, node)) t.queue.moveAllToActiveOrBackoffQueue('NodeUpdate');
    },
    delete(node) {
      t.cache.removeNode(node);
    },
  };
}

export function podEventHandlers(t: EventTarget): EventHandlers {
  const removeAssigned = (pod: KubeObject) => {
    t.cache.removePod(pod.metadata.uid ?? '');
    t.queue.moveAllToActiveOrBackoffQueue('AssignedPodDelete');
  };
  const unassignedGone = (pod: KubeObject) => t.queue.delete(t.podInfo(pod));
  const addPod = (pod: KubeObject) => {
    if (assigned(pod)) {
      if (terminal(pod)) return;
      t.cache.addPod(t.podInfo(pod));
      t.queue.moveAllToActiveOrBackoffQueue('AssignedPodAdd');
    } else if (t.responsibleFor(pod) && !terminal(pod)) t.queue.add(t.podInfo(pod));
  };
  return {
    add: addPod,
    update(old, pod) {
      if (assigned(pod)) {
        if (!assigned(old)) unassignedGone(old);
        if (terminal(pod)) {
          if (assigned(old) && !terminal(old)) removeAssigned(old);
          return;
        }
        if (old.metadata.uid !== pod.metadata.uid) t.cache.removePod(old.metadata.uid ?? '');
        t.cache.updatePod(t.podInfo(pod));
        t.queue.moveAllToActiveOrBackoffQueue(assigned(old) ? 'AssignedPodUpdate' : 'AssignedPodAdd');
        return;
      }
      if (!t.responsibleFor(pod) || terminal(pod)) {
        unassignedGone(old);
        return;
      }
      if (old.metadata.uid !== pod.metadata.uid) {
        unassignedGone(old);
        t.queue.add(t.podInfo(pod));
        return;
      }
      t.queue.update(t.podInfo(old), t.podInfo(pod));
    },
    delete(pod) {
      if (assigned(pod)) {
        if (!terminal(pod)) removeAssigned(pod);
      } else unassignedGone(pod);
    },
  };
}
