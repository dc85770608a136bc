/** Builders for scheduler tests: nodes and pods as plain JSON, and a framework over a cache. */
import type { KubeObject } from '../api/object.ts';
import { SchedulerCache } from './cache.ts';
import type { ClusterActions } from './framework.ts';
import { Nominator } from './nominator.ts';
import { PodInfo } from './pod-info.ts';
import { defaultProfile } from './registry.ts';
import { Framework } from './runtime.ts';
import type { Taint } from './taints.ts';

export interface NodeSpec {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  extra?: Record<string, string>;
}

export function makeNode(name: string, s: NodeSpec = {}): KubeObject {
  const allocatable = { cpu: s.cpu ?? '4', memory: s.memory ?? '8Gi', pods: s.pods ?? '110', ...s.extra };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `node-${name}`, labels: { 'kubernetes.io/hostname': name, ...s.labels } },
    spec: { ...(s.taints ? { taints: s.taints } : {}), ...(s.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity: allocatable,
      allocatable,
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

export interface PodSpecOptions {
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  namespace?: string;
  priority?: number;
  spec?: Record<string, unknown>;
}

let uids = 0;

export function makePod(name: string, o: PodSpecOptions = {}): KubeObject {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}-${++uids}`,
      labels: o.labels ?? {},
    },
    spec: {
      containers: [{ name: 'c', image: 'pause', resources: { requests } }],
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...o.spec,
    },
    status: { phase: 'Pending' },
  };
}

export const podInfo = (pod: KubeObject) =>
  new PodInfo(
    pod,
    typeof (pod.spec as { priority?: number }).priority === 'number'
      ? (pod.spec as { priority: number }).priority
      : 0,
  );

/** Preemption's API writes, recorded instead of made. */
export class FakeCluster implements ClusterActions {
  readonly preempted: string[] = [];
  podDisruptionBudgets(): KubeObject[] {
    return [];
  }
  async preemptVictim(victim: PodInfo): Promise<void> {
    this.preempted.push(victim.name);
  }
  async clearNominatedNodeName(): Promise<void> {}
}

/** A cache with the given nodes and assigned pods, and the default framework over it. */
export function setup(nodes: KubeObject[], pods: KubeObject[] = []) {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  for (const p of pods) cache.addPod(podInfo(p));
  const nominator = new Nominator();
  const cluster = new FakeCluster();
  const fwk = new Framework(defaultProfile, {
    snapshot: cache,
    namespaceLabels: () => undefined,
    cluster,
    nominatedPodsForNode: (n) => nominator.nominatedPodsForNode(n),
  });
  return { cache, fwk, nominator, cluster };
}
