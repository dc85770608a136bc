import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState, type FilterPlugin, type PreFilterPlugin } from '../framework.ts';
import { NodeInfo } from '../node-info.ts';
import { matchesRequiredNodeAffinity, requiredNodeAffinity } from '../node-selector.ts';
import { toleratesTaint } from '../taints.ts';
import { makeNode, makePod, podInfo } from '../testing.ts';
import { nodeAffinity, nodeNamesFromTerms, preferredScore } from './node-affinity.ts';
import { nodePorts } from './node-ports.ts';
import { nodeUnschedulable } from './node-unschedulable.ts';
import { taintToleration } from './taint-toleration.ts';

const h = {} as never;
const info = (name: string, spec: Parameters<typeof makeNode>[1] = {}) =>
  new NodeInfo(name, makeNode(name, spec));
const affinityPod = (nodeAffinityValue: unknown, extra: Record<string, unknown> = {}) =>
  podInfo(makePod('p', { spec: { affinity: { nodeAffinity: nodeAffinityValue }, ...extra } }));

test('tolerations: Equal compares values, Exists any value, empty key with Exists tolerates all', () => {
  const taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
  assert.ok(toleratesTaint({ key: 'k', value: 'v' }, taint));
  assert.ok(!toleratesTaint({ key: 'k', value: 'w', effect: 'NoSchedule' }, taint));
  assert.ok(toleratesTaint({ key: 'k', operator: 'Exists' }, taint));
  assert.ok(toleratesTaint({ operator: 'Exists' }, taint));
  assert.ok(!toleratesTaint({ key: 'k', operator: 'Exists', effect: 'NoExecute' }, taint));
});

test('TaintToleration: the first untolerated NoSchedule taint, worded as upstream', () => {
  const plugin = taintToleration(h) as FilterPlugin;
  const node = info('cp', {
    taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
  });
  const s = plugin.filter(new CycleState(), podInfo(makePod('p')), node);
  assert.equal(s?.code, 'UnschedulableAndUnresolvable');
  assert.deepEqual(s?.reasons, ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }']);
  const tolerant = makePod('t', {
    spec: { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] },
  });
  assert.equal(plugin.filter(new CycleState(), podInfo(tolerant), node), undefined);
  const soft = info('s', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] });
  assert.equal(plugin.filter(new CycleState(), podInfo(makePod('p')), soft), undefined);
});

test('NodeUnschedulable: cordoned nodes unless the pod tolerates the unschedulable taint', () => {
  const plugin = nodeUnschedulable(h) as FilterPlugin;
  const node = info('n', { unschedulable: true });
  assert.deepEqual(plugin.filter(new CycleState(), podInfo(makePod('p')), node)?.reasons, [
    'node(s) were unschedulable',
  ]);
  const tolerant = makePod('t', {
    spec: {
      tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
    },
  });
  assert.equal(plugin.filter(new CycleState(), podInfo(tolerant), node), undefined);
});

test('node selector terms: operators, ORed terms, matchFields, empty terms match nothing', () => {
  const node = makeNode('n1', { labels: { zone: 'a', gen: '5' } });
  const req = (terms: unknown) =>
    requiredNodeAffinity(
      makePod('p', {
        spec: {
          affinity: {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
          },
        },
      }),
    );
  const yes = (terms: unknown) => matchesRequiredNodeAffinity(req(terms), node);
  assert.ok(yes([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }]));
  assert.ok(!yes([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }]));
  assert.ok(yes([{ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['a'] }] }]));
  assert.ok(
    yes([
      {
        matchExpressions: [
          { key: 'gen', operator: 'Gt', values: ['4'] },
          { key: 'gen', operator: 'Lt', values: ['6'] },
        ],
      },
    ]),
  );
  assert.ok(!yes([{ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }]));
  assert.ok(
    yes([
      { matchExpressions: [{ key: 'x', operator: 'Exists' }] },
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
    ]),
  );
  assert.ok(!yes([{}]));
  const withSelector = requiredNodeAffinity(makePod('p', { spec: { nodeSelector: { zone: 'b' } } }));
  assert.ok(!matchesRequiredNodeAffinity(withSelector, node));
});

test('NodeAffinity: filter message, matchFields prefilter result, preferred weights', () => {
  const plugin = nodeAffinity(h) as FilterPlugin & PreFilterPlugin;
  const pod = podInfo(makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } }));
  const state = new CycleState();
  assert.equal(plugin.preFilter(state, pod, []), undefined);
  assert.deepEqual(plugin.filter(state, pod, info('n'))?.reasons, [
    "node(s) didn't match Pod's node affinity/selector",
  ]);
  assert.equal(plugin.filter(state, pod, info('m', { labels: { disk: 'ssd' } })), undefined);
  const named = requiredNodeAffinity(
    makePod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] },
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] },
              ],
            },
          },
        },
      },
    }),
  );
  assert.deepEqual([...(nodeNamesFromTerms(named) ?? [])], ['a', 'b']);
  const preferred = affinityPod({
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 5, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
      { weight: 2, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
    ],
  });
  assert.equal(preferredScore(preferred, info('n', { labels: { zone: 'a', disk: 'x' } })), 7);
  assert.equal(preferredScore(preferred, info('n', { labels: { zone: 'b' } })), 0);
});

test('NodePorts: hostPorts conflict per protocol, and 0.0.0.0 with any IP', () => {
  const plugin = nodePorts(h) as FilterPlugin & PreFilterPlugin;
  const withPort = (name: string, port: number, hostIP?: string, protocol?: string) =>
    makePod(name, {
      spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: port, hostIP, protocol }] }] },
    });
  const node = info('n');
  node.addPod(podInfo(withPort('a', 8080, '10.0.0.1')));
  const check = (pod: ReturnType<typeof makePod>) => {
    const state = new CycleState();
    plugin.preFilter(state, podInfo(pod), []);
    return plugin.filter(state, podInfo(pod), node);
  };
  assert.deepEqual(check(withPort('b', 8080))?.reasons, [
    "node(s) didn't have free ports for the requested pod ports",
  ]);
  assert.equal(check(withPort('c', 8080, '10.0.0.2')), undefined);
  assert.equal(check(withPort('d', 8080, '10.0.0.1', 'UDP')), undefined);
  assert.equal(plugin.preFilter(new CycleState(), podInfo(makePod('e')), [])?.status?.code, 'Skip');
});
