/** The Node object and status a real agent registers and keeps posting. */
import type { V1Node, V1NodeCondition } from '@kubernetes/client-node';
import type { HostFacts } from './host.ts';

export const kubeletVersion = 'v1.32.4+skiff';

/** What the agent knows right now beyond the host's facts. */
export interface NodeState {
  readonly name: string;
  readonly nodeIp: string;
  readonly kubeletPort: number;
  /** e.g. containerd://1.6.20, from CRI Version. */
  readonly runtimeVersion: string;
  readonly runtimeUp: boolean;
  /** False until the pod network (CNI config) is in place. */
  readonly networkReady: boolean;
  /** Free space of the data dir's file system, and free memory, in bytes. */
  readonly diskAvailableBytes: number;
  readonly memoryAvailableBytes: number;
  readonly images?: { names: string[]; sizeBytes: number }[];
}

const MiB = 1024 * 1024;
/** Upstream's default hard eviction thresholds, which allocatable leaves out. */
const evictionMemoryBytes = 100 * MiB;
const evictionDiskFraction = 0.1;

const ki = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;

export function nodeLabels(host: HostFacts, name: string, server: boolean): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': host.architecture,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': host.architecture,
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'skiff',
    ...(server
      ? { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true' }
      : {}),
  };
}

type ConditionText = [status: string, reason: string, message: string];

function readyText(s: NodeState): ConditionText {
  if (!s.runtimeUp) return ['False', 'KubeletNotReady', 'container runtime is down'];
  if (!s.networkReady)
    return [
      'False',
      'KubeletNotReady',
      'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
    ];
  return ['True', 'KubeletReady', 'kubelet is posting ready status'];
}

function conditionTexts(host: HostFacts, s: NodeState): [string, ConditionText][] {
  const diskLow =
    host.ephemeralStorageBytes > 0 &&
    s.diskAvailableBytes < host.ephemeralStorageBytes * evictionDiskFraction;
  const memoryLow = s.memoryAvailableBytes > 0 && s.memoryAvailableBytes < evictionMemoryBytes;
  return [
    [
      'MemoryPressure',
      memoryLow
        ? ['True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available']
        : ['False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ],
    [
      'DiskPressure',
      diskLow
        ? ['True', 'KubeletHasDiskPressure', 'kubelet has disk pressure']
        : ['False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ],
    ['PIDPressure', ['False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available']],
    ['Ready', readyText(s)],
  ];
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The status to post. Conditions keep their lastTransitionTime from `previous` unless their
 * status changes (the lifecycle controller may have set Unknown meanwhile).
 */
export function nodeStatus(host: HostFacts, s: NodeState, previous?: V1Node): Record<string, unknown> {
  const at = now();
  const before = new Map<string, V1NodeCondition>(
    (previous?.status?.conditions ?? []).map((c) => [c.type, c]),
  );
  const conditions = conditionTexts(host, s).map(([type, [status, reason, message]]) => {
    const old = before.get(type);
    const since = old && old.status === status && old.lastTransitionTime ? stamp(old.lastTransitionTime) : at;
    return { type, status, lastHeartbeatTime: at, lastTransitionTime: since, reason, message };
  });
  const capacity = {
    cpu: String(host.cpus),
    memory: ki(host.memoryBytes),
    'ephemeral-storage': ki(host.ephemeralStorageBytes),
    pods: '110',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
  };
  const allocatable = {
    ...capacity,
    memory: ki(Math.max(0, host.memoryBytes - evictionMemoryBytes)),
    'ephemeral-storage': String(Math.floor(host.ephemeralStorageBytes * (1 - evictionDiskFraction))),
  };
  return {
    capacity,
    allocatable,
    conditions,
    addresses: [
      { type: 'InternalIP', address: s.nodeIp },
      { type: 'Hostname', address: host.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: s.kubeletPort } },
    nodeInfo: {
      machineID: host.machineID,
      systemUUID: host.systemUUID,
      bootID: host.bootID,
      kernelVersion: host.kernelVersion,
      osImage: host.osImage,
      containerRuntimeVersion: s.runtimeVersion,
      kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: host.architecture,
    },
    ...(s.images ? { images: s.images } : {}),
  };
}

/** Date-typed fields as client-node decodes them, back to the API's text. */
function stamp(t: Date | string): string {
  return (typeof t === 'string' ? t : t.toISOString()).replace(/\.\d{3}Z$/, 'Z');
}

/**
 * What changed in a way worth posting now (not heartbeats): the condition statuses, addresses,
 * capacity, endpoints and versions.
 */
export function statusDigest(status: Record<string, unknown>): string {
  const {
    conditions,
    images: _images,
    ...rest
  } = status as { conditions: { type: string; status: string }[]; images?: unknown };
  return JSON.stringify([conditions.map((c) => `${c.type}=${c.status}`), rest]);
}
