/**
 * A test node for running the Kubelet against a `skiff server --disable-agent`: registers a
 * Node (with the private containerd's podCIDR) through the admin kubeconfig and keeps its Lease
 * and Ready condition fresh, so the node lifecycle controller neither taints it nor evicts its
 * pods while the test runs.
 */
import {
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { shareConnections } from '../../src/sim/api.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const microTime = () => new Date().toISOString().replace(/Z$/, '000Z');
const secondTime = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface TestNode {
  kc: KubeConfig;
  core: CoreV1Api;
  name: string;
  stop(): Promise<void>;
}

function readyStatus(ip: string) {
  const t = secondTime();
  return {
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'test node',
        lastHeartbeatTime: t,
        lastTransitionTime: t,
      },
    ],
    addresses: [
      { type: 'InternalIP', address: ip },
      { type: 'Hostname', address: 'test' },
    ],
    capacity: { cpu: '2', memory: '4Gi', pods: '110' },
    allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
  };
}

export async function registerTestNode(
  kubeconfig: string,
  name: string,
  podCidr: string,
  ip = '127.0.0.1',
): Promise<TestNode> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  shareConnections(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const coord = kc.makeApiClient(CoordinationV1Api);
  const node = await core.createNode({
    body: {
      metadata: { name, labels: { 'kubernetes.io/hostname': name } },
      spec: { podCIDR: podCidr, podCIDRs: [podCidr] },
    },
  });
  const heartbeat = async () => {
    await core.patchNodeStatus({ name, body: { status: readyStatus(ip) } }, mergePatch);
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() };
    try {
      await coord.replaceNamespacedLease({
        name,
        namespace: 'kube-node-lease',
        body: { metadata: { name, namespace: 'kube-node-lease' }, spec } as never,
      });
    } catch {
      await coord.createNamespacedLease({
        namespace: 'kube-node-lease',
        body: {
          metadata: {
            name,
            namespace: 'kube-node-lease',
            ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata!.uid! }],
          },
          spec,
        } as never,
      });
    }
  };
  await heartbeat();
  const timer = setInterval(() => void heartbeat().catch(() => {}), 5000);
  return {
    kc,
    core,
    name,
    async stop() {
      clearInterval(timer);
    },
  };
}

/** Polls `read` until `ok` holds (returns that value) or fails after `ms` with the last value seen. */
export async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 30_000,
): Promise<T> {
  const until = Date.now() + ms;
  let last: T | undefined;
  let err: unknown;
  while (Date.now() < until) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (e) {
      err = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 3000)} ${err ? String(err) : ''}`,
  );
}

export const readPod = (core: CoreV1Api, name: string, namespace = 'default') =>
  core.readNamespacedPod({ name, namespace });

export function podOn(node: string, name: string, spec: Partial<NonNullable<V1Pod['spec']>>): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: node, containers: [], terminationGracePeriodSeconds: 2, ...spec },
  };
}
