import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RawClient, rawClient } from './helpers/https-client.ts';
import { startServer, type TestServer } from './helpers/server.ts';

/**
 * PodDisruptionBudgets and the eviction subresource through the real kubectl against
 * `skiff server --disable-agent`: `kubectl drain` is refused while the budget allows no
 * disruption, and evicts once it does. The test plays kubelet for its one pod.
 */
const manifests = `
apiVersion: v1
kind: Node
metadata:
  name: worker
  labels: {kubernetes.io/hostname: worker}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  labels: {app: web}
spec:
  nodeName: worker
  containers: [{name: c, image: nginx}]
`;

describe('eviction and PodDisruptionBudgets with kubectl', () => {
  let s: TestServer;
  let client: RawClient;
  before(async () => {
    s = await startServer();
    client = rawClient(s.kubeconfig);
  });
  after(async () => {
    client?.close();
    await s?.cleanup();
  });

  const pdbStatus = async () =>
    JSON.parse(await s.ok(['get', 'pdb', 'web', '-o', 'json'])).status as {
      currentHealthy?: number;
      disruptionsAllowed?: number;
      observedGeneration?: number;
    };
  async function until(check: () => Promise<boolean>, ms = 20000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('drain is refused by the budget, then evicts once the budget allows it', async () => {
    await s.ok(['apply', '-f', '-'], { input: manifests });
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const ready = await client.request('PATCH', '/api/v1/namespaces/default/pods/web-0/status', {
      body: JSON.stringify({
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
        },
      }),
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    assert.equal(ready.status, 200, ready.body.toString());
    await until(async () => (await pdbStatus()).currentHealthy === 1);
    assert.equal((await pdbStatus()).disruptionsAllowed, 0);

    // The raw subresource: 429 with upstream's Status.
    const refused = await client.request('POST', '/api/v1/namespaces/default/pods/web-0/eviction', {
      body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-0' } }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(refused.status, 429);
    const status = JSON.parse(refused.body.toString());
    assert.equal(status.reason, 'TooManyRequests');
    assert.equal(status.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(status.details.causes, [
      {
        reason: 'DisruptionBudget',
        message: 'The disruption budget web needs 1 healthy pods and has 1 currently',
      },
    ]);

    const drain = await s.kubectl(['drain', 'worker', '--force', '--grace-period=0', '--timeout=3s']);
    assert.notEqual(drain.code, 0);
    assert.match(drain.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);
    await s.ok(['get', 'pod', 'web-0']);
    assert.equal(JSON.parse(await s.ok(['get', 'node', 'worker', '-o', 'json'])).spec.unschedulable, true);

    await s.ok(['patch', 'pdb', 'web', '--type=merge', '-p', '{"spec":{"minAvailable":0}}']);
    await until(async () => {
      const st = await pdbStatus();
      return st.observedGeneration === 2 && st.disruptionsAllowed === 1;
    });
    const out = await s.ok(['drain', 'worker', '--force', '--grace-period=0', '--timeout=20s']);
    assert.match(out, /pod\/web-0 evicted/);
    assert.match(out, /node\/worker drained/);
    const gone = await s.kubectl(['get', 'pod', 'web-0']);
    assert.match(gone.stderr, /NotFound/);
  });
});
