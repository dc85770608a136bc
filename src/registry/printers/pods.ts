import type { KubeObject } from '../../api/object.ts';
import type { TableColumns } from '../table.ts';
import { ageColumn, column, type Json, nameColumn, num, rec, recs, str } from './common.ts';
import { age, humanDuration, parseTime } from './duration.ts';

const columns = [
  nameColumn,
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column(
    'Restarts',
    'string',
    'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
  ),
  ageColumn,
  column(
    'IP',
    'string',
    'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
    1,
  ),
  column(
    'Node',
    'string',
    'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
    1,
  ),
  column(
    'Nominated Node',
    'string',
    'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
    1,
  ),
  column(
    'Readiness Gates',
    'string',
    'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
    1,
  ),
];

/** Restart count and the latest restart (lastState.terminated.finishedAt) over some containers. */
interface Restarts {
  count: number;
  last: number | undefined;
}

function addRestarts(r: Restarts, status: Json): void {
  r.count += num(status.restartCount);
  const terminated = rec(status.lastState).terminated;
  if (terminated === undefined) return;
  const finished = parseTime(str(rec(terminated).finishedAt));
  if (finished !== undefined && (r.last === undefined || finished > r.last)) r.last = finished;
}

/** The reason a terminated container gives, or its signal or exit code. */
function terminatedReason(t: Json): string {
  if (str(t.reason)) return str(t.reason);
  return num(t.signal) !== 0 ? `Signal:${num(t.signal)}` : `ExitCode:${num(t.exitCode)}`;
}

const conditionTrue = (conditions: Json[], type: string) =>
  conditions.some((c) => c.type === type && c.status === 'True');

/** printPod's READY, STATUS and RESTARTS. */
function podState(pod: KubeObject): { ready: number; total: number; reason: string; restarts: Restarts } {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const conditions = recs(status.conditions);
  const phase = str(status.phase);
  let reason = str(status.reason) || phase;
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated'))
    reason = 'SchedulingGated';

  const initSpecs = recs(spec.initContainers);
  const sidecars = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => str(c.name)));
  const total = recs(spec.containers).length + sidecars.size;
  let ready = 0;
  const all: Restarts = { count: 0, last: undefined };
  const sidecar: Restarts = { count: 0, last: undefined };

  let initializing = false;
  const initStatuses = recs(status.initContainerStatuses);
  for (const [i, c] of initStatuses.entries()) {
    const isSidecar = sidecars.has(str(c.name));
    addRestarts(all, c);
    if (isSidecar) addRestarts(sidecar, c);
    const state = rec(c.state);
    const terminated = state.terminated === undefined ? undefined : rec(state.terminated);
    const waitingReason = str(rec(state.waiting).reason);
    if (terminated && num(terminated.exitCode) === 0) continue;
    if (isSidecar && c.started === true) {
      if (c.ready === true) ready++;
      continue;
    }
    initializing = true;
    if (terminated) reason = `Init:${terminatedReason(terminated)}`;
    else if (waitingReason && waitingReason !== 'PodInitializing') reason = `Init:${waitingReason}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    break;
  }

  let restarts = all;
  if (!initializing || conditionTrue(conditions, 'Initialized')) {
    restarts = sidecar;
    let hasRunning = false;
    const statuses = recs(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i] as Json;
      addRestarts(restarts, c);
      const state = rec(c.state);
      const waitingReason = str(rec(state.waiting).reason);
      if (waitingReason) reason = waitingReason;
      else if (state.terminated !== undefined) reason = terminatedReason(rec(state.terminated));
      else if (c.ready === true && state.running !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod whose containers partly completed but one still runs is Running (or NotReady).
    if (reason === 'Completed' && hasRunning)
      reason = conditionTrue(conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed')
    reason = 'Terminating';
  return { ready, total, reason, restarts };
}

export const table: TableColumns = {
  columns,
  cells(pod, now) {
    const spec = rec(pod.spec);
    const status = rec(pod.status);
    const { ready, total, reason, restarts } = podState(pod);
    const restartCell =
      restarts.count !== 0 && restarts.last !== undefined
        ? `${restarts.count} (${humanDuration(now.getTime() - restarts.last)} ago)`
        : String(restarts.count);
    const podIPs = recs(status.podIPs);
    const podIP = str(podIPs[0]?.ip) || str(status.podIP) || '<none>';
    const gates = recs(spec.readinessGates);
    const conditions = recs(status.conditions);
    let readinessGates = '<none>';
    if (gates.length > 0) {
      const met = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True');
      readinessGates = `${met.length}/${gates.length}`;
    }
    return [
      pod.metadata.name ?? '',
      `${ready}/${total}`,
      reason,
      restartCell,
      age(pod.metadata.creationTimestamp, now),
      podIP,
      str(spec.nodeName) || '<none>',
      str(status.nominatedNodeName) || '<none>',
      readinessGates,
    ];
  },
};
