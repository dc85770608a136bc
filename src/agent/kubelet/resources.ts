/**
 * Linux resources of a container from its requests and limits, as upstream's
 * kuberuntime_container_linux.go and qos/policy.go compute them.
 */
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { computePodQOS, type QOSClass } from '../../registry/pods/qos.ts';
import { parseResourceList } from '../../scheduler/resources.ts';

export type { QOSClass };

const minShares = 2;
const sharesPerCpu = 1024;
const quotaPeriod = 100_000;
const minQuota = 1000;
const guaranteedOomScoreAdj = -997;
const bestEffortOomScoreAdj = 1000;

/** Requests a container leaves unset default to its limits, as the API's defaulting does. */
const defaulted = (c: V1Container): V1Container =>
  c.resources?.limits
    ? { ...c, resources: { ...c.resources, requests: { ...c.resources.limits, ...c.resources.requests } } }
    : c;

export function qosClass(pod: V1Pod): QOSClass {
  const spec = pod.spec;
  return computePodQOS({
    containers: (spec?.containers ?? []).map(defaulted),
    initContainers: (spec?.initContainers ?? []).map(defaulted),
  } as unknown as Record<string, unknown>);
}

/** cgroup cpu.shares for a cpu request in millicores (2 when there is none). */
export function milliCpuToShares(milli: number): number {
  if (milli <= 0) return minShares;
  return Math.max(minShares, Math.floor((milli * sharesPerCpu) / 1000));
}

/** CFS quota for a cpu limit in millicores over `period` µs (0: unlimited). */
export function milliCpuToQuota(milli: number, period = quotaPeriod): number {
  if (milli <= 0) return 0;
  return Math.max(minQuota, Math.floor((milli * period) / 1000));
}

/** oom_score_adj of a container by its pod's QoS class (qos/policy.go GetContainerOOMScoreAdjust). */
export function oomScoreAdj(qos: QOSClass, memoryRequest: number, memoryCapacity: number): number {
  if (qos === 'Guaranteed') return guaranteedOomScoreAdj;
  if (qos === 'BestEffort') return bestEffortOomScoreAdj;
  if (memoryCapacity <= 0) return 999;
  const adj = 1000 - Math.floor((1000 * memoryRequest) / memoryCapacity);
  if (adj < 1000 + guaranteedOomScoreAdj) return 1000 + guaranteedOomScoreAdj;
  if (adj === bestEffortOomScoreAdj) return adj - 1;
  return adj;
}

export interface LinuxResources {
  cpuPeriod: number;
  cpuQuota: number;
  cpuShares: number;
  memoryLimitInBytes: number;
  oomScoreAdj: number;
}

/** Requests default to limits, as the API's defaulting does for containers. */
function requestsAndLimits(c: V1Container) {
  const limits = parseResourceList(c.resources?.limits);
  const requests = { ...limits, ...parseResourceList(c.resources?.requests) };
  return { requests, limits };
}

export function containerResources(pod: V1Pod, c: V1Container, memoryCapacity: number): LinuxResources {
  const { requests, limits } = requestsAndLimits(c);
  const qos = qosClass(pod);
  const cpuLimit = limits.cpu ?? 0;
  return {
    cpuPeriod: cpuLimit > 0 ? quotaPeriod : 0,
    cpuQuota: milliCpuToQuota(cpuLimit),
    cpuShares: milliCpuToShares(requests.cpu ?? 0),
    memoryLimitInBytes: limits.memory ?? 0,
    oomScoreAdj: oomScoreAdj(qos, requests.memory ?? 0, memoryCapacity),
  };
}
