/**
 * The pod status the kubelet posts (upstream kubelet_pods.go generateAPIPodStatus,
 * convertToAPIContainerStatuses and getPhase), from the runtime's instances. Pure.
 */
import type { V1Container, V1ContainerStatus, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { stamp } from '../../sim/pod-status.ts';
import { isSidecar } from './plan.ts';
import { qosClass } from './resources.ts';
import { type Instance, instancesOf, type PodRuntime } from './runtime.ts';

export interface Waiting {
  reason: string;
  message?: string;
}

export interface StatusInput {
  pod: V1Pod;
  rt: PodRuntime;
  /** Why a container that is not running waits (CrashLoopBackOff, ErrImagePull…), by name. */
  waiting: Map<string, Waiting>;
  ready(id: string): boolean;
  started(id: string): boolean;
  /** Messages read from containers' terminationMessagePath, by container ID. */
  terminationMessages: Map<string, string>;
  podIps: string[];
  hostIp: string;
  sandboxReady: boolean;
  terminal: boolean;
  now: string;
  /** The status last computed for this pod (for condition transition times), else the pod's. */
  previous?: { conditions?: V1PodCondition[]; startTime?: Date | string } | undefined;
}

const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined);

export const criContainerId = (id: string) => `containerd://${id}`;

function terminated(i: Instance, messages: Map<string, string>) {
  const message = messages.get(i.id) || i.message;
  return {
    terminated: {
      exitCode: i.exitCode,
      reason: i.reason || (i.exitCode === 0 ? 'Completed' : 'Error'),
      ...(message ? { message } : {}),
      startedAt: iso(i.startedAt),
      finishedAt: iso(i.finishedAt),
      containerID: criContainerId(i.id),
    },
  };
}

function containerStatus(
  s: StatusInput,
  c: V1Container,
  defaultReason: string,
  init: boolean,
): V1ContainerStatus & Record<string, unknown> {
  const [cur, prev] = instancesOf(s.rt, c.name);
  const override = s.waiting.get(c.name);
  const base = { name: c.name, image: c.image ?? '', imageID: cur?.imageRef ?? '' };
  if (!cur) {
    const waiting = override ?? { reason: defaultReason };
    return { ...base, ready: false, started: false, restartCount: 0, state: { waiting }, lastState: {} };
  }
  const withId = { ...base, containerID: criContainerId(cur.id), restartCount: cur.restartCount };
  if (cur.state === 'CONTAINER_RUNNING') {
    const ready = s.ready(cur.id);
    return {
      ...withId,
      ready,
      started: s.started(cur.id),
      state: { running: { startedAt: iso(cur.startedAt) ?? s.now } },
      lastState: prev && prev.state === 'CONTAINER_EXITED' ? terminated(prev, s.terminationMessages) : {},
    } as never;
  }
  if (cur.state === 'CONTAINER_EXITED') {
    const done = init && !isSidecar(c) && cur.exitCode === 0;
    if (override && !s.terminal)
      return {
        ...withId,
        ready: false,
        started: false,
        state: { waiting: override },
        lastState: terminated(cur, s.terminationMessages),
      } as never;
    return {
      ...withId,
      ready: done,
      started: false,
      state: terminated(cur, s.terminationMessages),
      lastState: prev && prev.state === 'CONTAINER_EXITED' ? terminated(prev, s.terminationMessages) : {},
    } as never;
  }
  return {
    ...withId,
    ready: false,
    started: false,
    state: { waiting: override ?? { reason: 'ContainerCreating' } },
    lastState: prev && prev.state === 'CONTAINER_EXITED' ? terminated(prev, s.terminationMessages) : {},
  } as never;
}

type Status = ReturnType<typeof containerStatus>;

/** kubelet_pods.go getPhase. */
export function podPhase(pod: V1Pod, inits: Status[], apps: Status[], terminal: boolean): string {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const specInits = pod.spec?.initContainers ?? [];
  let pendingInit = false;
  for (const [n, st] of inits.entries()) {
    const c = specInits[n];
    if (c && isSidecar(c)) {
      if (
        !st.started &&
        apps.every((a) => !a.state?.running && !a.state?.terminated && !a.lastState?.terminated)
      )
        pendingInit = true;
      continue;
    }
    const t = st.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (t && policy === 'Never') return 'Failed';
    const last = st.lastState?.terminated;
    if (st.state?.waiting && last && last.exitCode !== 0 && policy === 'Never') return 'Failed';
    pendingInit = true;
  }
  if (pendingInit && !apps.some((a) => a.state?.running || a.state?.terminated)) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const st of apps) {
    if (st.state?.running) running++;
    else if (st.state?.terminated) {
      stopped++;
      if (st.state.terminated.exitCode === 0) succeeded++;
    } else if (st.state?.waiting) {
      const last = st.lastState?.terminated;
      if (last) {
        stopped++;
        if (last.exitCode === 0) succeeded++;
      } else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (terminal || policy === 'Never') return succeeded === stopped ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    return succeeded === stopped ? 'Succeeded' : 'Running';
  }
  return 'Pending';
}

type Previous = StatusInput['previous'];

function condition(
  prev: Previous,
  type: string,
  ok: boolean,
  now: string,
  reason?: string,
  message?: string,
) {
  const status = ok ? 'True' : 'False';
  const old = (prev?.conditions ?? []).find((c) => c.type === type);
  const since = old && old.status === status ? stamp(old.lastTransitionTime) : undefined;
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: since ?? now,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  } as unknown as V1PodCondition;
}

const kubeletConditions = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);

/** The message of the first readiness gate whose condition is not True (status.go generatePodReadyCondition). */
export function unmetReadinessGate(pod: V1Pod): string | undefined {
  for (const g of pod.spec?.readinessGates ?? []) {
    const c = (pod.status?.conditions ?? []).find((x) => x.type === g.conditionType);
    if (!c) return `corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`;
    if (c.status !== 'True')
      return `the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`;
  }
  return undefined;
}

export function podStatus(s: StatusInput): Record<string, unknown> {
  const { pod } = s;
  const prev = s.previous ?? pod.status;
  const specInits = pod.spec?.initContainers ?? [];
  const hasInits = specInits.length > 0;
  const defaultReason = hasInits ? 'PodInitializing' : 'ContainerCreating';
  const inits = specInits.map((c) => containerStatus(s, c, defaultReason, true));
  const apps = (pod.spec?.containers ?? []).map((c) => containerStatus(s, c, defaultReason, false));
  const phase = podPhase(pod, inits, apps, s.terminal);
  const done = phase === 'Succeeded' || phase === 'Failed';

  const incomplete = specInits
    .filter((c, n) => (isSidecar(c) ? !inits[n]?.started : inits[n]?.state?.terminated?.exitCode !== 0))
    .map((c) => c.name);
  const appsBegan = apps.some((a) => a.containerID);
  const initialized = incomplete.length === 0 || appsBegan;
  const unready = apps.filter((a) => !a.ready).map((a) => a.name);
  const unreadyInit = specInits.filter((c, n) => isSidecar(c) && !inits[n]?.ready).map((c) => c.name);
  const allUnready = [...unreadyInit, ...unready];
  const containersReady = allUnready.length === 0 && !done;
  const notReady: [string?, string?] = done
    ? ['PodCompleted']
    : ['ContainersNotReady', `containers with unready status: [${allUnready.join(' ')}]`];
  // Conditions others own (PodScheduled, DisruptionTarget, readiness gates) are kept as they are.
  const foreign = (pod.status?.conditions ?? [])
    .filter((c) => !kubeletConditions.has(c.type))
    .map((c) => ({
      ...c,
      lastTransitionTime: stamp(c.lastTransitionTime),
      lastProbeTime: stamp(c.lastProbeTime) ?? null,
    }));
  const gate = unmetReadinessGate(pod);
  const ready = containersReady && !gate;
  const conditions = [
    condition(prev, 'PodReadyToStartContainers', s.sandboxReady && !done, s.now),
    condition(
      prev,
      'Initialized',
      initialized,
      s.now,
      ...(initialized
        ? done && hasInits
          ? ['PodCompleted']
          : []
        : ['ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`]),
    ),
    condition(
      prev,
      'Ready',
      ready,
      s.now,
      ...(ready ? [] : containersReady ? ['ReadinessGatesNotReady', gate] : notReady),
    ),
    condition(prev, 'ContainersReady', containersReady, s.now, ...(containersReady ? [] : notReady)),
    ...foreign,
  ];
  const status: Record<string, unknown> = {
    phase,
    conditions,
    hostIP: s.hostIp,
    hostIPs: [{ ip: s.hostIp }],
    startTime: stamp(prev?.startTime) ?? stamp(pod.status?.startTime) ?? s.now,
    qosClass: qosClass(pod),
    containerStatuses: apps,
  };
  if (hasInits) status.initContainerStatuses = inits;
  const ips = pod.spec?.hostNetwork ? [s.hostIp] : s.podIps;
  if (ips.length > 0) {
    status.podIP = ips[0];
    status.podIPs = ips.map((ip) => ({ ip }));
  } else if (pod.status?.podIP) {
    status.podIP = pod.status.podIP;
    status.podIPs = pod.status.podIPs;
  }
  return status;
}
