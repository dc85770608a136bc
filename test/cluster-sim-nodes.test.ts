import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from './helpers/server.ts';
import { eventually, type SimProcess, startSim } from './helpers/sim.ts';

interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

const condition = (p: Pod, type: string) => p.status.conditions?.find((c) => c.type === type);

/** Scheduling and node health end to end through kubectl on simulated nodes. */
describe('scheduling and node failure on simulated nodes', () => {
  let s: TestServer;
  let sim: SimProcess;
  before(async () => {
    s = await startServer();
    sim = await startSim(s.kubeconfig, ['--nodes', '3', '--cpu', '2', '--ready-after', '200']);
    await s.ok(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s']);
  });
  after(async () => {
    await sim?.stop();
    await s?.cleanup();
  });

  const podsOf = async (selector: string): Promise<Pod[]> =>
    JSON.parse(await s.ok(['get', 'pods', '-l', selector, '-o', 'json'])).items as Pod[];
  const nodeCounts = async (selector: string): Promise<Record<string, number>> => {
    const counts: Record<string, number> = {};
    for (const p of await podsOf(selector)) {
      if (p.metadata.deletionTimestamp) continue;
      const n = p.spec.nodeName ?? '<none>';
      counts[n] = (counts[n] ?? 0) + 1;
    }
    return counts;
  };
  const deployment = (name: string, replicas: number, spec: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: nginx:1.27}]
${spec}
`;
  const rollOut = async (yaml: string, name: string) => {
    await s.ok(['apply', '-f', '-'], { input: yaml });
    await s.ok(['rollout', 'status', `deployment/${name}`, '--timeout=60s']);
  };
  const remove = async (kind: string, name: string) => {
    await s.ok(['delete', kind, name, '--wait=true', '--timeout=60s']);
  };

  test('pods requesting 1500m of 2 CPUs get one node each; the next stays Pending with FailedScheduling', async () => {
    const pod = (name: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: big}}
spec:
  containers:
  - name: c
    image: nginx:1.27
    resources: {requests: {cpu: 1500m}}
`;
    await s.ok(['apply', '-f', '-'], { input: [pod('big-0'), pod('big-1'), pod('big-2')].join('---') });
    await s.ok(['wait', '--for=condition=Ready', 'pod', '-l', 'app=big', '--timeout=60s']);
    assert.deepEqual(await nodeCounts('app=big'), { 'sim-0': 1, 'sim-1': 1, 'sim-2': 1 });

    await s.ok(['apply', '-f', '-'], { input: pod('big-3') });
    const want =
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..';
    await eventually(async () => {
      const msg = await s.ok([
        'get',
        'events',
        '--field-selector',
        'involvedObject.name=big-3,reason=FailedScheduling',
        '-o',
        'jsonpath={.items[0].message}',
      ]);
      assert.equal(msg, want);
    }, 30_000);
    const p = JSON.parse(await s.ok(['get', 'pod', 'big-3', '-o', 'json'])) as Pod & {
      status: { conditions: { type: string; status: string; reason?: string; message?: string }[] };
    };
    assert.equal(p.status.phase, 'Pending');
    assert.equal(p.spec.nodeName, undefined);
    const scheduled = p.status.conditions.find((c) => c.type === 'PodScheduled');
    assert.deepEqual(
      { status: scheduled?.status, reason: scheduled?.reason, message: scheduled?.message },
      { status: 'False', reason: 'Unschedulable', message: want },
    );
    const row = await s.ok(['get', 'pod', 'big-3', '--no-headers']);
    assert.match(row, /^big-3\s+0\/1\s+Pending\s+0\s/);
    const described = await s.ok(['describe', 'pod', 'big-3']);
    assert.match(described, /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available/);

    // Freeing a node lets the pending pod in.
    await s.ok(['delete', 'pod', 'big-0', '--wait=true', '--timeout=60s']);
    await s.ok(['wait', '--for=condition=Ready', 'pod/big-3', '--timeout=60s']);
    await s.ok(['delete', 'pods', '-l', 'app=big', '--wait=true', '--timeout=60s']);
  });

  test('pods without a toleration avoid a node tainted with kubectl taint', async () => {
    assert.match(await s.ok(['taint', 'nodes', 'sim-0', 'dedicated=gpu:NoSchedule']), /node\/sim-0 tainted/);
    await rollOut(deployment('plain', 4, ''), 'plain');
    const counts = await nodeCounts('app=plain');
    assert.equal(counts['sim-0'], undefined, JSON.stringify(counts));
    assert.equal((counts['sim-1'] ?? 0) + (counts['sim-2'] ?? 0), 4);

    await rollOut(
      deployment(
        'tolerant',
        1,
        `      nodeSelector: {kubernetes.io/hostname: sim-0}
      tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}]`,
      ),
      'tolerant',
    );
    assert.deepEqual(await nodeCounts('app=tolerant'), { 'sim-0': 1 });

    assert.match(await s.ok(['taint', 'nodes', 'sim-0', 'dedicated-']), /node\/sim-0 untainted/);
    await remove('deployment', 'plain');
    await remove('deployment', 'tolerant');
    await s.ok(['wait', '--for=delete', 'pod', '-l', 'app in (plain,tolerant)', '--timeout=60s']);
  });

  test('required node affinity puts pods on the node labelled with kubectl label', async () => {
    await s.ok(['label', 'node', 'sim-1', 'disk=ssd']);
    await rollOut(
      deployment(
        'ssd',
        3,
        `      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: disk, operator: In, values: [ssd]}]`,
      ),
      'ssd',
    );
    assert.deepEqual(await nodeCounts('app=ssd'), { 'sim-1': 3 });
    await remove('deployment', 'ssd');
    await s.ok(['label', 'node', 'sim-1', 'disk-']);
    await s.ok(['wait', '--for=delete', 'pod', '-l', 'app=ssd', '--timeout=60s']);
  });

  test('topologySpreadConstraints with maxSkew 1 over hostnames spread evenly', async () => {
    // A node already holding pods of the app: spreading must even it out, not follow it.
    await rollOut(deployment('spread', 2, `      nodeSelector: {kubernetes.io/hostname: sim-2}`), 'spread');
    assert.deepEqual(await nodeCounts('app=spread'), { 'sim-2': 2 });
    await s.ok(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Pod
metadata: {name: spread-extra-0, labels: {app: spread}}
spec:
  containers: [{name: c, image: nginx:1.27}]
  topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: spread}}}
---
apiVersion: v1
kind: Pod
metadata: {name: spread-extra-1, labels: {app: spread}}
spec:
  containers: [{name: c, image: nginx:1.27}]
  topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: spread}}}
`,
    });
    await s.ok([
      'wait',
      '--for=condition=Ready',
      'pod/spread-extra-0',
      'pod/spread-extra-1',
      '--timeout=60s',
    ]);
    const extras = (await podsOf('app=spread'))
      .filter((p) => p.metadata.name.startsWith('spread-extra-'))
      .map((p) => p.spec.nodeName)
      .sort();
    assert.deepEqual(extras, ['sim-0', 'sim-1']);
    await s.ok(['delete', 'pod', 'spread-extra-0', 'spread-extra-1', '--wait=true', '--timeout=60s']);
    await remove('deployment', 'spread');
    await s.ok(['wait', '--for=delete', 'pod', '-l', 'app=spread', '--timeout=60s']);

    // A Deployment of 6 with the constraint: 2 per node.
    await rollOut(
      deployment(
        'even',
        6,
        `      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: even}}}`,
      ),
      'even',
    );
    assert.deepEqual(await nodeCounts('app=even'), { 'sim-0': 2, 'sim-1': 2, 'sim-2': 2 });
    await remove('deployment', 'even');
    await s.ok(['wait', '--for=delete', 'pod', '-l', 'app=even', '--timeout=60s']);
  });

  test('a silent node turns Unknown, is tainted unreachable, and its pods are replaced elsewhere', async () => {
    await rollOut(
      deployment(
        'survivor',
        3,
        `      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 5}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 5}`,
      ),
      'survivor',
    );
    const before = await podsOf('app=survivor');
    const victim = before[0]!.spec.nodeName!;
    const lost = before.filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name);
    const silencedAt = Date.now();
    assert.deepEqual(await sim.control(victim, 'silent'), { name: victim, silent: true });

    // The node lifecycle controller: Unknown after the 50 s grace period, then the taints.
    await eventually(
      async () => {
        const node = JSON.parse(await s.ok(['get', 'node', victim, '-o', 'json']));
        const ready = node.status.conditions.find((c: { type: string }) => c.type === 'Ready');
        assert.equal(ready.status, 'Unknown');
        assert.equal(ready.reason, 'NodeStatusUnknown');
        assert.equal(ready.message, 'Kubelet stopped posting node status.');
        const taints = (node.spec.taints ?? []).map(
          (t: { key: string; effect: string }) => `${t.key}:${t.effect}`,
        );
        assert.ok(taints.includes('node.kubernetes.io/unreachable:NoSchedule'), taints.join(','));
        assert.ok(taints.includes('node.kubernetes.io/unreachable:NoExecute'), taints.join(','));
      },
      100_000,
      1000,
    );
    const unknownAfter = Date.now() - silencedAt;
    assert.ok(unknownAfter >= 40_000, `Unknown only after the grace period, not ${unknownAfter} ms`);
    assert.match(
      await s.ok(['get', 'node', victim, '--no-headers']),
      new RegExp(`^${victim}\\s+NotReady\\s`),
    );

    // The taint eviction controller deletes the pods after their 5 s toleration; the
    // ReplicaSet replaces them on the healthy nodes.
    await eventually(
      async () => {
        const pods = await podsOf('app=survivor');
        const live = pods.filter((p) => !p.metadata.deletionTimestamp);
        assert.equal(live.length, 3);
        for (const p of live) {
          assert.notEqual(p.spec.nodeName, victim);
          assert.equal(condition(p, 'Ready')?.status, 'True', p.metadata.name);
        }
      },
      60_000,
      1000,
    );
    await s.ok(['rollout', 'status', 'deployment/survivor', '--timeout=30s']);
    assert.equal(
      await s.ok(['get', 'deployment', 'survivor', '-o', 'jsonpath={.status.availableReplicas}']),
      '3',
    );

    // No kubelet confirms the graceful delete, and PodGC leaves pods of an existing node that
    // is not out-of-service alone: upstream shows them Terminating, not Ready, marked by the
    // taint manager.
    for (const name of lost) {
      const p = JSON.parse(await s.ok(['get', 'pod', name, '-o', 'json'])) as Pod;
      assert.ok(p.metadata.deletionTimestamp, `${name} is being deleted`);
      assert.equal(condition(p, 'Ready')?.status, 'False', `${name} marked not Ready`);
      const disruption = condition(p, 'DisruptionTarget');
      assert.deepEqual(
        { status: disruption?.status, reason: disruption?.reason },
        { status: 'True', reason: 'DeletionByTaintManager' },
      );
      assert.match(
        await s.ok(['get', 'pod', name, '--no-headers']),
        new RegExp(`^${name}\\s+\\S+\\s+Terminating\\s`),
      );
    }

    // The node speaks again: it finishes the deletions and sheds the taints.
    await sim.control(victim, 'resume');
    await s.ok(['wait', '--for=condition=Ready', `node/${victim}`, '--timeout=60s']);
    await eventually(
      async () => {
        const names = (await podsOf('app=survivor')).map((p) => p.metadata.name);
        for (const name of lost) assert.ok(!names.includes(name), `${name} is gone`);
        const taints = await s.ok(['get', 'node', victim, '-o', 'jsonpath={.spec.taints}']);
        assert.doesNotMatch(taints, /unreachable/);
      },
      30_000,
      500,
    );
  });
});
