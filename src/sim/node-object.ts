/** The Node and Lease objects a simulated kubelet registers and keeps posting. */
import { createHash, randomUUID } from 'node:crypto';
import type { V1Node, V1NodeCondition, V1Taint } from '@kubernetes/client-node';
import type { SimOptions, SimTaint } from './options.ts';
import { stamp } from './pod-status.ts';

export const kubeletVersion = 'v1.32.4-skiff-sim';
const bootID = randomUUID();

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

function uuidOf(text: string): string {
  const h = digest(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function nodeLabels(opts: SimOptions, name: string): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    ...opts.labels,
  };
}

export const nodeAnnotations = {
  'node.alpha.kubernetes.io/ttl': '0',
  'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
  'sim.skiff.io/simulated': 'true',
};

const toTaint = (t: SimTaint): V1Taint => ({
  key: t.key,
  ...(t.value ? { value: t.value } : {}),
  effect: t.effect,
});

/** The taints of an existing node with this simulator's added where missing. */
export function mergeTaints(existing: V1Taint[] | undefined, wanted: SimTaint[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = (existing ?? []).map((t) => {
    const { timeAdded, ...rest } = t;
    return timeAdded ? { ...rest, timeAdded: stamp(timeAdded) } : rest;
  });
  for (const t of wanted)
    if (!out.some((o) => o.key === t.key && o.effect === t.effect)) out.push({ ...toTaint(t) });
  return out;
}

const conditionTexts: [string, string, string, string][] = [
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
];

/**
 * The node status to post now. Conditions keep their lastTransitionTime from `previous` (the
 * node as last seen) unless their status changes, e.g. after the lifecycle controller set Unknown.
 */
export function nodeStatus(opts: SimOptions, name: string, ip: string, previous?: V1Node) {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const before = new Map<string, V1NodeCondition>(
    (previous?.status?.conditions ?? []).map((c) => [c.type, c]),
  );
  const conditions = conditionTexts.map(([type, status, reason, message]) => {
    const old = before.get(type);
    const since = old && old.status === status ? stamp(old.lastTransitionTime) : undefined;
    return { type, status, lastHeartbeatTime: now, lastTransitionTime: since ?? now, reason, message };
  });
  const resources = {
    cpu: opts.cpu,
    memory: opts.memory,
    pods: String(opts.pods),
    'ephemeral-storage': '100Gi',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
  };
  return {
    capacity: resources,
    allocatable: resources,
    conditions,
    addresses: [
      { type: 'InternalIP', address: ip },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: digest(`machine/${name}`).slice(0, 32),
      systemUUID: uuidOf(`system/${name}`),
      bootID,
      kernelVersion: '6.8.0-skiff-sim',
      osImage: 'skiff simulated node',
      containerRuntimeVersion: 'sim://1',
      kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** A new Node as the kubelet registers it, status included. */
export function nodeObject(opts: SimOptions, name: string, ip: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: nodeLabels(opts, name), annotations: nodeAnnotations },
    spec: opts.taints.length > 0 ? { taints: opts.taints.map(toTaint) } : {},
    status: nodeStatus(opts, name, ip),
  };
}
