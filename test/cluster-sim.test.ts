import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from './helpers/server.ts';
import { type SimProcess, startSim } from './helpers/sim.ts';

/** The control plane end to end on simulated nodes: scheduler, controllers, kubectl. */
describe('a cluster of simulated nodes', () => {
  let s: TestServer;
  let sim: SimProcess;
  before(async () => {
    s = await startServer();
    sim = await startSim(s.kubeconfig, ['--nodes', '2', '--ready-after', '200']);
  });
  after(async () => {
    await sim?.stop();
    await s?.cleanup();
  });

  test('nodes are Ready with podCIDRs; -o wide and custom-columns show them', async () => {
    await s.ok(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s']);
    const wide = await s.ok(['get', 'nodes', '-o', 'wide']);
    assert.match(
      wide,
      /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/m,
    );
    assert.match(wide, /^sim-\S+\s+Ready\s+<none>\s+\S+\s+v1\.32\.4-skiff-sim\s+127\.0\.0\.\d+\s/m);
    const cidrs = await s.ok([
      'get',
      'nodes',
      '-o',
      'custom-columns=NAME:.metadata.name,CIDR:.spec.podCIDR',
      '--no-headers',
    ]);
    const lines = cidrs.trim().split('\n');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.match(line, /^sim-\S+\s+10\.42\.\d+\.0\/24$/);
  });

  test('a Deployment is scheduled across the nodes and rolls out', async () => {
    await s.ok(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=4']);
    await s.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    const pods = await s.ok(['get', 'pods', '-l', 'app=web', '-o', 'wide', '--no-headers']);
    const rows = pods.trim().split('\n');
    assert.equal(rows.length, 4);
    for (const row of rows)
      assert.match(row, /^web-\S+\s+1\/1\s+Running\s+0\s+\S+\s+10\.42\.\d+\.\d+\s+sim-\S+/);
    const nodes = new Set(rows.map((r) => r.trim().split(/\s+/)[6]));
    assert.equal(nodes.size, 2, 'spread over both nodes');
    await s.ok(['wait', '--for=condition=Available', 'deployment/web', '--timeout=30s']);
    const svc = await s.ok(['expose', 'deployment', 'web', '--port=80']);
    assert.match(svc, /service\/web exposed/);
    await s.ok(['wait', '--for=jsonpath={.subsets[0].addresses[3].ip}', 'endpoints/web', '--timeout=30s']);
  });

  test('kubectl create job is accepted with its defaults', async () => {
    await s.ok(['create', 'job', 'once', '--image=busybox']);
    const out = await s.kubectl(['get', 'job', 'once', '-o', 'jsonpath={.spec.completions}']);
    assert.equal(out.stdout, '1');
  });
});
