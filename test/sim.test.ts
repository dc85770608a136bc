import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from './helpers/server.ts';
import { eventually, type SimProcess, startSim } from './helpers/sim.ts';

const simArgs = [
  '--nodes',
  '2',
  '--heartbeat',
  '1',
  '--ready-after',
  '200',
  '--labels',
  'tier=edge',
  '--taints',
  'dedicated=sim:NoSchedule',
];

function pod(
  name: string,
  node: string,
  options: { annotations?: Record<string, string>; restartPolicy?: string } = {},
) {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: {
      nodeName: node,
      ...(options.restartPolicy ? { restartPolicy: options.restartPolicy } : {}),
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [{ name: 'c', image: 'nginx' }],
    },
  });
}

/** `kubectl get pods` until `name`'s row matches. */
async function podRow(s: TestServer, name: string, row: RegExp, ms?: number): Promise<string> {
  return eventually(async () => {
    const out = await s.ok(['get', 'pod', name]);
    assert.match(out, row);
    return out;
  }, ms);
}

describe('skiff sim: simulated nodes', () => {
  let s: TestServer;
  let sim: SimProcess | undefined;
  const renewTime = async (node: string) =>
    s.ok(['get', 'lease', node, '-n', 'kube-node-lease', '-o', 'jsonpath={.spec.renewTime}']);

  before(async () => {
    s = await startServer();
    sim = await startSim(s.kubeconfig, simArgs);
  });
  after(async () => {
    await sim?.stop();
    await s?.cleanup();
  });

  test('nodes register Ready with capacity, labels, taints and node info', async () => {
    const out = await eventually(async () => {
      const o = await s.ok(['get', 'nodes']);
      assert.match(o, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/m);
      for (const n of ['sim-0', 'sim-1'])
        assert.match(o, new RegExp(`^${n}\\s+Ready\\s+<none>\\s+\\d+s\\s+v1\\.32\\.4-skiff-sim$`, 'm'));
      return o;
    });
    assert.ok(out);
    assert.match(
      await s.ok(['get', 'nodes', '-o', 'wide']),
      /^sim-1\s+Ready\s+.*127\.0\.0\.3\s+<none>\s+.*sim:\/\/1$/m,
    );
    const node = JSON.parse(await s.ok(['get', 'node', 'sim-0', '-o', 'json']));
    assert.deepEqual(
      { cpu: node.status.capacity.cpu, memory: node.status.capacity.memory, pods: node.status.capacity.pods },
      { cpu: '4', memory: '8Gi', pods: '110' },
    );
    assert.equal(node.status.allocatable.pods, '110');
    assert.equal(node.metadata.labels.tier, 'edge');
    assert.equal(node.metadata.labels['kubernetes.io/hostname'], 'sim-0');
    assert.equal(node.metadata.labels['kubernetes.io/os'], 'linux');
    assert.deepEqual(node.spec.taints, [{ key: 'dedicated', value: 'sim', effect: 'NoSchedule' }]);
    const ready = node.status.conditions.find((c: { type: string }) => c.type === 'Ready');
    assert.equal(ready.status, 'True');
    assert.equal(ready.reason, 'KubeletReady');
    assert.equal(ready.message, 'kubelet is posting ready status');
    assert.deepEqual(node.status.addresses[0], { type: 'InternalIP', address: '127.0.0.2' });
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.32.4-skiff-sim');
    assert.equal(node.status.nodeInfo.architecture, 'amd64');
  });

  test('each node has a Lease in kube-node-lease that is renewed every heartbeat', async () => {
    const out = await s.ok(['get', 'leases', '-n', 'kube-node-lease']);
    assert.match(out, /^NAME\s+HOLDER\s+AGE$/m);
    assert.match(out, /^sim-0\s+sim-0\s+\d+s$/m);
    assert.match(out, /^sim-1\s+sim-1\s+\d+s$/m);
    const lease = JSON.parse(await s.ok(['get', 'lease', 'sim-0', '-n', 'kube-node-lease', '-o', 'json']));
    assert.equal(lease.spec.leaseDurationSeconds, 40);
    assert.equal(lease.metadata.ownerReferences[0].kind, 'Node');
    assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const first = await renewTime('sim-0');
    await eventually(async () => assert.notEqual(await renewTime('sim-0'), first), 5000);
  });

  test('a pod bound to a sim node becomes Running and Ready', async () => {
    await s.ok(['create', '-f', '-'], { input: pod('web', 'sim-0') });
    await podRow(s, 'web', /^web\s+1\/1\s+Running\s+0\s+\d+s$/m);
    const p = JSON.parse(await s.ok(['get', 'pod', 'web', '-o', 'json']));
    assert.equal(p.status.hostIP, '127.0.0.2');
    // From the node's podCIDR when the cluster assigned one, else the sim's fallback range.
    const cidr = await s.ok(['get', 'node', 'sim-0', '-o', 'jsonpath={.spec.podCIDR}']);
    const prefix = cidr ? cidr.replace(/\.0\/24$/, '.') : '10.200.0.';
    assert.ok(p.status.podIP.startsWith(prefix), `${p.status.podIP} not in ${cidr || '10.200.0.0/24'}`);
    assert.deepEqual(p.status.podIPs, [{ ip: p.status.podIP }]);
    const c = p.status.containerStatuses[0];
    assert.equal(c.containerID, `sim://${p.metadata.uid}-c`);
    assert.equal(c.imageID, 'sim://nginx');
    assert.ok(c.state.running.startedAt);
    assert.equal(p.status.initContainerStatuses[0].state.terminated.reason, 'Completed');
    const types = p.status.conditions
      .filter((x: { status: string }) => x.status === 'True')
      .map((x: { type: string }) => x.type);
    for (const t of ['Initialized', 'ContainersReady', 'Ready', 'PodScheduled'])
      assert.ok(types.includes(t), t);
  });

  test('exit-after and exit-code: Completed, Error, CrashLoopBackOff; never-ready', async () => {
    const exit = (code: string) => ({ 'sim.skiff.io/exit-after': '1s', 'sim.skiff.io/exit-code': code });
    await s.ok(['create', '-f', '-'], {
      input: pod('done', 'sim-1', { annotations: exit('0'), restartPolicy: 'Never' }),
    });
    await s.ok(['create', '-f', '-'], {
      input: pod('failed', 'sim-1', { annotations: exit('1'), restartPolicy: 'Never' }),
    });
    await s.ok(['create', '-f', '-'], { input: pod('crash', 'sim-1', { annotations: exit('1') }) });
    await s.ok(['create', '-f', '-'], {
      input: pod('lazy', 'sim-0', { annotations: { 'sim.skiff.io/never-ready': 'true' } }),
    });
    await podRow(s, 'done', /^done\s+0\/1\s+Completed\s+0\s+/m);
    await podRow(s, 'failed', /^failed\s+0\/1\s+Error\s+0\s+/m);
    await podRow(s, 'crash', /^crash\s+0\/1\s+CrashLoopBackOff\s+1 \(\d+s ago\)\s+/m);
    await podRow(s, 'lazy', /^lazy\s+0\/1\s+Running\s+0\s+/m);
    const phase = (name: string) => s.ok(['get', 'pod', name, '-o', 'jsonpath={.status.phase}']);
    assert.equal(await phase('done'), 'Succeeded');
    assert.equal(await phase('failed'), 'Failed');
    const crash = JSON.parse(await s.ok(['get', 'pod', 'crash', '-o', 'json']));
    const c = crash.status.containerStatuses[0];
    assert.equal(c.lastState.terminated.exitCode, 1);
    assert.equal(c.lastState.terminated.reason, 'Error');
    assert.equal(crash.status.phase, 'Running');
  });

  test('kubectl delete pod completes: the sim stops it and deletes it with grace 0', async () => {
    const started = Date.now();
    assert.match(await s.ok(['delete', 'pod', 'web', '--timeout=30s']), /pod "web" deleted/);
    assert.ok(Date.now() - started < 15_000);
    const gone = await s.kubectl(['get', 'pod', 'web']);
    assert.match(gone.stderr, /pods "web" not found/);
  });

  test('a silenced node stops renewing its Lease until resumed', async () => {
    assert.deepEqual(await sim!.control('sim-1', 'silent'), { name: 'sim-1', silent: true });
    await new Promise((r) => setTimeout(r, 300));
    const frozen = await renewTime('sim-1');
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await renewTime('sim-1'), frozen);
    assert.notEqual(await renewTime('sim-0'), frozen);
    await sim!.control('sim-1', 'resume');
    await eventually(async () => assert.notEqual(await renewTime('sim-1'), frozen), 5000);

    await s.ok(['annotate', 'node', 'sim-0', 'sim.skiff.io/silent=true']);
    await new Promise((r) => setTimeout(r, 500));
    const held = await renewTime('sim-0');
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await renewTime('sim-0'), held);
    await s.ok(['annotate', 'node', 'sim-0', 'sim.skiff.io/silent-']);
    await eventually(async () => assert.notEqual(await renewTime('sim-0'), held), 5000);
  });

  test('a restarted sim takes its nodes and pods back without rewriting running pods', async () => {
    const before = JSON.parse(await s.ok(['get', 'pod', 'lazy', '-o', 'json']));
    await sim!.stop();
    await s.ok(['create', '-f', '-'], { input: pod('later', 'sim-0') });
    sim = await startSim(s.kubeconfig, simArgs);
    assert.match(sim.log(), /node already registered; updated/);
    await podRow(s, 'later', /^later\s+1\/1\s+Running\s+0\s+/m);
    const afterRestart = JSON.parse(await s.ok(['get', 'pod', 'lazy', '-o', 'json']));
    assert.equal(afterRestart.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.match(await s.ok(['get', 'nodes']), /^sim-0\s+Ready\s+/m);
    assert.match(
      await s.ok(['delete', 'pod', 'lazy', 'crash', 'done', 'failed', 'later']),
      /pod "later" deleted/,
    );
  });
});
