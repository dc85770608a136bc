import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import type { Pod } from '../util/types.ts';
import {
  addDaemonTolerations,
  type DaemonSet,
  nodeShouldRunDaemonPod,
  targetNodeName,
} from './daemon-pods.ts';
import { daemonStatus, manage, rollingUpdate } from './plan.ts';

const node = (name: string, taints: unknown[] = [], labels: Record<string, string> = {}): KubeObject => ({
  metadata: { name, labels },
  spec: { taints },
});
const ds = (
  spec: Record<string, unknown> = {},
  strategy?: DaemonSet['spec']['updateStrategy'],
): DaemonSet => ({
  metadata: {
    name: 'd',
    namespace: 'default',
    annotations: { 'deprecated.daemonset.template.generation': '2' },
  },
  spec: {
    selector: { matchLabels: { app: 'd' } },
    template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c' }], ...spec } },
    updateStrategy: strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
  },
});
const pod = (
  name: string,
  nodeName: string,
  gen: string,
  ready = true,
  created = '2024-01-01T00:00:00Z',
): Pod => ({
  metadata: { name, labels: { 'pod-template-generation': gen }, creationTimestamp: created },
  spec: { nodeName },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

test('daemon tolerations: the six, plus network-unavailable with hostNetwork', () => {
  const spec: Record<string, unknown> = {
    hostNetwork: true,
    tolerations: [{ key: 'x', operator: 'Exists' }],
  };
  addDaemonTolerations(spec);
  assert.equal((spec.tolerations as unknown[]).length, 8);
});

test('taints: NoSchedule keeps new pods off but lets running ones stay; NoExecute evicts', () => {
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', [{ key: 'k', effect: 'NoSchedule' }]), ds()), {
    shouldRun: false,
    shouldContinueRunning: true,
  });
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', [{ key: 'k', effect: 'NoExecute' }]), ds()), {
    shouldRun: false,
    shouldContinueRunning: false,
  });
  // The daemon tolerations cover a cordoned or not-ready node.
  const cordoned = node('a', [
    { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
  ]);
  assert.equal(nodeShouldRunDaemonPod(cordoned, ds()).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('a'), ds({ nodeSelector: { role: 'x' } })).shouldRun, false);
});

test('target node: nodeName, else the metadata.name affinity', () => {
  const p: Pod = {
    metadata: {},
    spec: {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n9'] }] }],
          },
        },
      },
    },
  };
  assert.equal(targetNodeName(p), 'n9');
});

test('manage: creates where missing, drops duplicates and pods on gone or unfit nodes', () => {
  const nodes = [node('a'), node('b'), node('c', [{ key: 'k', effect: 'NoExecute' }])];
  const byNode = new Map<string, Pod[]>([
    ['b', [pod('b1', 'b', '2'), pod('b2', 'b', '2', true, '2024-01-02T00:00:00Z')]],
    ['c', [pod('c1', 'c', '2')]],
    ['gone', [pod('g1', 'gone', '2')]],
  ]);
  const plan = manage(ds(), nodes, byNode, '', '2');
  assert.deepEqual(plan.nodesNeedingPods, ['a']);
  assert.deepEqual(plan.podsToDelete.map((p) => p.metadata.name).sort(), ['b2', 'c1', 'g1']);
});

test('rolling update: maxUnavailable old pods at a time, or surge new ones first', () => {
  const nodes = [node('a'), node('b'), node('c')];
  const byNode = new Map<string, Pod[]>([
    ['a', [pod('a1', 'a', '1')]],
    ['b', [pod('b1', 'b', '1')]],
    ['c', [pod('c1', 'c', '1', false)]],
  ]);
  const plan = rollingUpdate(ds(), nodes, byNode, '', '2');
  // The unavailable one goes for free, plus one more.
  assert.deepEqual(
    plan.podsToDelete.map((p) => p.metadata.name),
    ['c1', 'a1'],
  );
  const surge = rollingUpdate(
    ds({}, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }),
    nodes,
    byNode,
    '',
    '2',
  );
  assert.deepEqual(surge.nodesNeedingPods, ['c', 'a']);
  assert.deepEqual(surge.podsToDelete, []);
  const status = daemonStatus(ds(), nodes, byNode, '', '2');
  assert.deepEqual(status, {
    currentNumberScheduled: 3,
    numberMisscheduled: 0,
    desiredNumberScheduled: 3,
    numberReady: 2,
    updatedNumberScheduled: 0,
    numberAvailable: 2,
    numberUnavailable: 1,
  });
});
