/**
 * The status a kubelet would post for a simulated pod, computed from the pod's run state. All
 * containers of a pod share one fate: they start, exit and restart together.
 */
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { PodBehaviour } from './annotations.ts';

export interface Exit {
  exitCode: number;
  reason: string;
  startedAt: string;
  finishedAt: string;
}

/**
 * pending: not started yet; running: containers up; backoff: waiting in CrashLoopBackOff;
 * done: every container terminated for good (`exit` says how).
 */
export type Stage = 'pending' | 'running' | 'backoff' | 'done';

export interface PodRun {
  key: string;
  uid: string;
  node: string;
  pod: V1Pod;
  behaviour: PodBehaviour;
  stage: Stage;
  startTime?: string;
  podIP?: string;
  /** When the containers' current run started. */
  startedAt?: string;
  restarts: number;
  /** The previous run's end (lastState.terminated). */
  last?: Exit;
  /** The final end, when stage is done. */
  exit?: Exit;
  /** Status and lastTransitionTime of each condition this runner has posted. */
  conditions: Record<string, { status: string; time: string }>;
  timer?: NodeJS.Timeout;
  /** The pod has a deletionTimestamp and its termination is scheduled or done. */
  deleting: boolean;
  /** Containers are stopped; the grace-0 delete is due. */
  deleteDue: boolean;
}

/** A restartPolicy restarts containers after an exit with this code. */
export function restartsAfter(policy: string | undefined, exitCode: number): boolean {
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return exitCode !== 0;
  return true;
}

/** The kubelet's crash-loop back-off: 10 s doubling per restart, at most 5 min. */
export function backoffMs(restarts: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, restarts - 1), 300_000);
}

export function exitReason(code: number): string {
  return code === 0 ? 'Completed' : 'Error';
}

export const containerID = (uid: string, name: string) => `sim://${uid}-${name}`;

export function podPhase(run: PodRun): string {
  if (run.stage === 'pending') return 'Pending';
  if (run.stage === 'done') return run.exit && run.exit.exitCode !== 0 ? 'Failed' : 'Succeeded';
  return 'Running';
}

const terminated = (uid: string, name: string, e: Exit) => ({
  terminated: { ...e, containerID: containerID(uid, name) },
});

function containerStatus(run: PodRun, c: V1Container, ready: boolean, sidecar: boolean) {
  const image = c.image ?? '';
  const base = {
    name: c.name,
    image,
    imageID: `sim://${image}`,
    containerID: containerID(run.uid, c.name),
    restartCount: sidecar ? 0 : run.restarts,
  };
  const lastState = !sidecar && run.last ? terminated(run.uid, c.name, run.last) : {};
  const pod = `${run.pod.metadata?.name}_${run.pod.metadata?.namespace}(${run.uid})`;
  if (run.stage === 'done' && run.exit)
    return { ...base, ready: false, started: false, state: terminated(run.uid, c.name, run.exit), lastState };
  if (run.stage === 'backoff' && !sidecar) {
    const message = `back-off ${backoffMs(run.restarts) / 1000}s restarting failed container=${c.name} pod=${pod}`;
    const state = { waiting: { reason: 'CrashLoopBackOff', message } };
    return { ...base, ready: false, started: false, state, lastState };
  }
  return {
    ...base,
    ready,
    started: true,
    state: { running: { startedAt: (sidecar ? run.startTime : run.startedAt) ?? '' } },
    lastState,
  };
}

function condition(run: PodRun, type: string, ok: boolean, now: string, reason?: string, message?: string) {
  const status = ok ? 'True' : 'False';
  const seen = run.conditions[type];
  const time = seen && seen.status === status ? seen.time : now;
  run.conditions[type] = { status, time };
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: time,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** The pod status to post now; records condition transitions in `run`. */
export function podStatus(run: PodRun, hostIP: string, now: string): Record<string, unknown> {
  const spec = run.pod.spec;
  const containers = spec?.containers ?? [];
  const inits = spec?.initContainers ?? [];
  const started = run.startTime ?? now;
  const done = run.stage === 'done';
  const ready = run.stage === 'running' && !run.behaviour.neverReady;
  const initStatuses = inits.map((c) => {
    if (c.restartPolicy === 'Always') return containerStatus(run, c, !done, true);
    const image = c.image ?? '';
    const exit = { exitCode: 0, reason: 'Completed', startedAt: started, finishedAt: started };
    return {
      name: c.name,
      image,
      imageID: `sim://${image}`,
      containerID: containerID(run.uid, c.name),
      ready: true,
      started: false,
      restartCount: 0,
      state: terminated(run.uid, c.name, exit),
      lastState: {},
    };
  });
  const unready = done ? [] : containers.map((c) => c.name);
  const notReady = done
    ? { reason: 'PodCompleted' }
    : { reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  const scheduled = (run.pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
  const conditions = [
    condition(run, 'PodReadyToStartContainers', !done, now),
    condition(run, 'Initialized', true, now),
    condition(run, 'Ready', ready, now, ...(ready ? [] : [notReady.reason, notReady.message])),
    condition(run, 'ContainersReady', ready, now, ...(ready ? [] : [notReady.reason, notReady.message])),
    {
      type: 'PodScheduled',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: stamp(scheduled?.lastTransitionTime) ?? started,
    },
  ];
  const status: Record<string, unknown> = {
    phase: podPhase(run),
    conditions,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    startTime: started,
    containerStatuses: containers.map((c) => containerStatus(run, c, ready, false)),
  };
  if (inits.length > 0) status.initContainerStatuses = initStatuses;
  if (run.podIP !== undefined && spec?.hostNetwork !== true) {
    status.podIP = run.podIP;
    status.podIPs = [{ ip: run.podIP }];
  } else if (spec?.hostNetwork === true) {
    status.podIP = hostIP;
    status.podIPs = [{ ip: hostIP }];
  }
  return status;
}

/** A time as the API writes it, whether client-node gave a Date or the watch a string. */
export function stamp(t: Date | string | undefined | null): string | undefined {
  if (t === undefined || t === null) return undefined;
  return t instanceof Date ? t.toISOString().replace(/\.\d{3}Z$/, 'Z') : t;
}

/** RFC 3339 with second precision, as metav1.Time marshals. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
