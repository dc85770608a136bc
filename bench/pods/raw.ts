/**
 * The floor for pod start-up: busybox pods started by calling CRI directly (RunPodSandbox →
 * CreateContainer → StartContainer), one after another, with the sandbox and container config
 * shape the agent sends. Whatever skiff adds on top of these numbers is its own overhead.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CriClient, CriMessage } from '../../src/agent/cri/client.ts';

export const PAUSE_IMAGE = 'docker.io/skiff/pause:3.10';
export const BUSYBOX_IMAGE = 'docker.io/library/busybox:latest';

export interface PodShape {
  name: string;
  namespace: string;
  uid: string;
  /** `<agentDir>/logs`; the pod's log directory goes below it. */
  logRoot: string;
  /** The node's cgroup parent; the pod's is `<parent>/pod<uid>` (cgroupfs driver). */
  cgroupParent: string;
  /** Container command (busybox applets); default `sleep 3600`. */
  command?: string[];
  portMappings?: { containerPort: number; hostPort: number; protocol?: 'TCP' | 'UDP' }[];
}

export function podLogDirectory(p: PodShape): string {
  return join(p.logRoot, `${p.namespace}_${p.name}_${p.uid}`);
}

/** A PodSandboxConfig as the kubelet sends it (pod network, pid namespace POD). */
export function podSandboxConfig(p: PodShape): CriMessage {
  return {
    metadata: { name: p.name, uid: p.uid, namespace: p.namespace, attempt: 0 },
    hostname: p.name,
    logDirectory: podLogDirectory(p),
    dnsConfig: { servers: [], searches: [], options: [] },
    portMappings: (p.portMappings ?? []).map((m) => ({
      protocol: m.protocol ?? 'TCP',
      containerPort: m.containerPort,
      hostPort: m.hostPort,
      hostIp: '',
    })),
    labels: {
      'io.kubernetes.pod.name': p.name,
      'io.kubernetes.pod.namespace': p.namespace,
      'io.kubernetes.pod.uid': p.uid,
    },
    annotations: {},
    linux: {
      cgroupParent: `${p.cgroupParent}/pod${p.uid}`,
      securityContext: {
        namespaceOptions: { network: 'POD', pid: 'POD', ipc: 'POD' },
        supplementalGroups: [],
        privileged: false,
      },
      sysctls: {},
    },
  };
}

/** A ContainerConfig for container `name` of the pod, logging to `<logDir>/<name>/0.log`. */
export function containerConfig(p: PodShape, name: string, image = BUSYBOX_IMAGE): CriMessage {
  return {
    metadata: { name, attempt: 0 },
    image: { image },
    command: p.command ?? ['sleep', '3600'],
    args: [],
    workingDir: '',
    envs: [{ key: 'POD_NAME', value: p.name }],
    mounts: [],
    labels: {
      'io.kubernetes.pod.name': p.name,
      'io.kubernetes.pod.namespace': p.namespace,
      'io.kubernetes.pod.uid': p.uid,
      'io.kubernetes.container.name': name,
    },
    annotations: { 'io.kubernetes.container.restartCount': '0' },
    logPath: `${name}/0.log`,
    stdin: false,
    stdinOnce: false,
    tty: false,
    linux: {
      resources: { cpuPeriod: 100000, cpuQuota: 0, cpuShares: 2, memoryLimitInBytes: 0, oomScoreAdj: 1000 },
      securityContext: {
        namespaceOptions: { network: 'POD', pid: 'POD', ipc: 'POD' },
        privileged: false,
        readonlyRootfs: false,
        supplementalGroups: [],
        noNewPrivs: false,
      },
    },
  };
}

export interface StartedPod {
  sandboxId: string;
  containerId: string;
  ms: { runPodSandbox: number; createContainer: number; startContainer: number; total: number };
}

/** Starts one pod with the three CRI calls, timing each. */
export async function startRawPod(cri: CriClient, shape: PodShape, container = 'main'): Promise<StartedPod> {
  mkdirSync(join(podLogDirectory(shape), container), { recursive: true });
  const config = podSandboxConfig(shape);
  const t0 = performance.now();
  const { podSandboxId } = await cri.runtime.runPodSandbox({ config });
  const t1 = performance.now();
  const { containerId } = await cri.runtime.createContainer({
    podSandboxId,
    config: containerConfig(shape, container),
    sandboxConfig: config,
  });
  const t2 = performance.now();
  await cri.runtime.startContainer({ containerId });
  const t3 = performance.now();
  return {
    sandboxId: podSandboxId,
    containerId,
    ms: { runPodSandbox: t1 - t0, createContainer: t2 - t1, startContainer: t3 - t2, total: t3 - t0 },
  };
}

export async function removeRawPod(cri: CriClient, sandboxId: string): Promise<void> {
  await cri.runtime.stopPodSandbox({ podSandboxId: sandboxId });
  await cri.runtime.removePodSandbox({ podSandboxId: sandboxId });
}

export interface RawFloorOptions {
  logRoot: string;
  cgroupParent: string;
  namespace?: string;
}

export interface RawFloorResult {
  runPodSandbox: number[];
  createContainer: number[];
  startContainer: number[];
  total: number[];
}

/** Runs `count` busybox pods one after another; returns per-pod ms per step. Removes them all. */
export async function rawCriFloor(
  cri: CriClient,
  count: number,
  opts: RawFloorOptions,
): Promise<RawFloorResult> {
  const result: RawFloorResult = { runPodSandbox: [], createContainer: [], startContainer: [], total: [] };
  const sandboxes: string[] = [];
  const tag = Date.now().toString(36);
  try {
    for (let i = 0; i < count; i++) {
      const pod = await startRawPod(cri, {
        name: `raw-${tag}-${i}`,
        namespace: opts.namespace ?? 'bench',
        uid: `00000000-0000-4000-8000-${tag.padStart(8, '0').slice(-8)}${String(i).padStart(4, '0')}`,
        logRoot: opts.logRoot,
        cgroupParent: opts.cgroupParent,
      });
      sandboxes.push(pod.sandboxId);
      for (const k of ['runPodSandbox', 'createContainer', 'startContainer', 'total'] as const) {
        result[k].push(Math.round(pod.ms[k] * 10) / 10);
      }
    }
  } finally {
    for (const id of sandboxes) await removeRawPod(cri, id).catch(() => {});
  }
  return result;
}

/**
 * Starts `count` busybox pods all at once; returns each pod's ms from the common start to its
 * StartContainer answer (what a watcher of pods created together would see). Removes them all.
 */
export async function rawCriConcurrent(
  cri: CriClient,
  count: number,
  opts: RawFloorOptions,
): Promise<number[]> {
  const tag = `c${Date.now().toString(36)}`;
  const t0 = performance.now();
  const runs = await Promise.allSettled(
    Array.from({ length: count }, async (_, i) => {
      const pod = await startRawPod(cri, {
        name: `raw-${tag}-${i}`,
        namespace: opts.namespace ?? 'bench',
        uid: `00000000-0000-4000-9000-${tag.padStart(8, '0').slice(-8)}${String(i).padStart(4, '0')}`,
        logRoot: opts.logRoot,
        cgroupParent: opts.cgroupParent,
      });
      return { id: pod.sandboxId, ms: Math.round((performance.now() - t0) * 10) / 10 };
    }),
  );
  for (const r of runs) if (r.status === 'fulfilled') await removeRawPod(cri, r.value.id).catch(() => {});
  const failed = runs.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return runs.map((r) => (r as PromiseFulfilledResult<{ ms: number }>).value.ms);
}

/** min / median / max of a sample, for printing. */
export function summary(ms: number[]): { min: number; median: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { min: s[0] ?? 0, median: s[Math.floor(s.length / 2)] ?? 0, max: s[s.length - 1] ?? 0 };
}

// `scripts/with-node.sh node bench/pods/raw.ts [count]` (root): the floor on a private containerd.
if (import.meta.main) {
  const { privateNode } = await import('../../test/helpers/containerd.ts');
  const count = Number(process.argv[2] ?? 10);
  const node = await privateNode('bench-raw');
  try {
    const r = await rawCriFloor(node.cri, count, { logRoot: node.logRoot, cgroupParent: node.cgroupParent });
    console.log(`raw CRI pod start, ${count} busybox pods, sequential (ms min / median / max):`);
    for (const k of ['runPodSandbox', 'createContainer', 'startContainer', 'total'] as const) {
      const s = summary(r[k]);
      console.log(`  ${k.padEnd(16)} ${s.min} / ${s.median} / ${s.max}`);
    }
  } finally {
    const report = await node.cleanup();
    if (report.errors.length) console.error('cleanup errors:', report.errors);
  }
}
