import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { type RawClient, rawClient } from './helpers/https-client.ts';
import { startServer, type TestServer } from './helpers/server.ts';

/**
 * The ReplicaSet and Deployment controllers seen through the real kubectl against
 * `skiff server --disable-agent`. With no node agent, the test plays kubelet: every pod that
 * appears is marked Running and Ready through the status subresource.
 */
interface Pod {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

const isReady = (p: Pod) =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Marks pending pods Running and Ready, polling the pod list. */
function playKubelet(client: RawClient): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      const res = await client.request('GET', '/api/v1/namespaces/default/pods').catch(() => undefined);
      const pods: Pod[] = res?.status === 200 ? JSON.parse(res.body.toString()).items : [];
      for (const p of pods) {
        if (p.metadata.deletionTimestamp || p.status?.phase === 'Running') continue;
        const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        const patch = {
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: now }],
          },
        };
        await client
          .request('PATCH', `/api/v1/namespaces/default/pods/${p.metadata.name}/status`, {
            body: JSON.stringify(patch),
            headers: { 'Content-Type': 'application/merge-patch+json' },
          })
          .catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/**
 * A real watch on the pods of one app, from a list's resourceVersion, tracking the fewest
 * ready pods seen after each event.
 */
async function watchReadyPods(
  client: RawClient,
  kubeconfig: string,
  app: string,
): Promise<{ stop(): void; minReady(): number; events(): number }> {
  const list = JSON.parse(
    (
      await client.request('GET', `/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`)
    ).body.toString(),
  );
  const kc = parse(fs.readFileSync(kubeconfig, 'utf8'));
  const url = new URL(kc.clusters[0].cluster.server);
  const b64 = (s: string) => Buffer.from(s, 'base64');
  const pods = new Map<string, Pod>((list.items as Pod[]).map((p) => [p.metadata.name, p]));
  const readyNow = () => [...pods.values()].filter((p) => !p.metadata.deletionTimestamp && isReady(p)).length;
  let min = readyNow();
  let count = 0;
  let buffer = '';
  const req = https.request({
    host: url.hostname,
    port: url.port,
    path: `/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3D${app}&resourceVersion=${list.metadata.resourceVersion}`,
    ca: b64(kc.clusters[0].cluster['certificate-authority-data']),
    cert: b64(kc.users[0].user['client-certificate-data']),
    key: b64(kc.users[0].user['client-key-data']),
  });
  req.on('response', (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (!line.trim()) continue;
        const e = JSON.parse(line) as { type: string; object: Pod };
        if (e.type === 'DELETED') pods.delete(e.object.metadata.name);
        else pods.set(e.object.metadata.name, e.object);
        count++;
        min = Math.min(min, readyNow());
      }
    });
  });
  req.on('error', () => {});
  req.end();
  return { stop: () => req.destroy(), minReady: () => min, events: () => count };
}

describe('Deployments and ReplicaSets with kubectl', () => {
  let s: TestServer;
  let client: RawClient;
  let stopKubelet: () => Promise<void>;
  before(async () => {
    s = await startServer();
    client = rawClient(s.kubeconfig);
    stopKubelet = playKubelet(client);
  });
  after(async () => {
    await stopKubelet?.();
    client?.close();
    await s?.cleanup();
  });

  const rolloutStatus = () => s.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  const json = async (args: string[]) => JSON.parse(await s.ok([...args, '-o', 'json']));
  const replicaSets = async () =>
    (await json(['get', 'rs', '-l', 'app=web'])).items as {
      metadata: { name: string; annotations: Record<string, string> };
      spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
    }[];
  const imageOf = async () =>
    (await json(['get', 'deployment', 'web'])).spec.template.spec.containers[0].image as string;

  test('kubectl create deployment names its ReplicaSet with upstream 1.32 pod-template-hash', async () => {
    await s.ok(['create', 'deployment', 'nginx', '--image=nginx']);
    await s.ok(['rollout', 'status', 'deployment/nginx', '--timeout=60s']);
    assert.match(await s.ok(['get', 'rs', '-l', 'app=nginx']), /^nginx-5869d7778c\s+1\s+1\s+1\s+/m);
  });

  test('the Deployment carries its revision annotation, written through the status subresource', async () => {
    const d = await json(['get', 'deployment', 'nginx']);
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(d.metadata.generation, 1);
  });

  test('a new Deployment rolls out and kubectl rollout status returns', async () => {
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', annotations: { 'kubernetes.io/change-cause': 'first' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] },
        },
      },
    };
    await s.ok(['create', '-f', '-'], { input: JSON.stringify(manifest) });
    assert.match(await rolloutStatus(), /deployment "web" successfully rolled out/);
    assert.match(await s.ok(['get', 'deployment', 'web']), /^web\s+3\/3\s+3\s+3\s+/m);
    const [rs] = await replicaSets();
    assert.match(rs!.metadata.name, /^web-[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    const events = await s.ok(['get', 'events', '--field-selector', 'involvedObject.name=web']);
    assert.match(
      events,
      new RegExp(
        `ScalingReplicaSet\\s+deployment/web\\s+Scaled up replica set ${rs!.metadata.name} from 0 to 3`,
      ),
    );
  });

  test('an image update with maxUnavailable 0 never drops below 3 ready pods', async () => {
    const watch = await watchReadyPods(client, s.kubeconfig, 'web');
    assert.equal(watch.minReady(), 3);
    await s.ok(['set', 'image', 'deployment/web', 'web=nginx:1.26']);
    await s.ok(['annotate', 'deployment/web', 'kubernetes.io/change-cause=second', '--overwrite']);
    assert.match(await rolloutStatus(), /successfully rolled out/);
    await new Promise((r) => setTimeout(r, 200));
    watch.stop();
    assert.ok(watch.events() > 6, `only ${watch.events()} watch events`);
    assert.ok(watch.minReady() >= 3, `ready pods dropped to ${watch.minReady()}`);
    const rss = await replicaSets();
    assert.equal(rss.length, 2);
    const history = await s.ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^REVISION\s+CHANGE-CAUSE$/m);
    assert.match(history, /^1\s+first$/m);
    assert.match(history, /^2\s+second$/m);
  });

  test('kubectl rollout undo returns to the first image, reusing its ReplicaSet', async () => {
    const before = await replicaSets();
    assert.match(await s.ok(['rollout', 'undo', 'deployment/web']), /deployment.apps\/web rolled back/);
    assert.match(await rolloutStatus(), /successfully rolled out/);
    assert.equal(await imageOf(), 'nginx:1.25');
    const after = await replicaSets();
    assert.deepEqual(after.map((rs) => rs.metadata.name).sort(), before.map((rs) => rs.metadata.name).sort());
    const active = after.find((rs) => rs.spec.replicas === 3)!;
    assert.equal(active.spec.template.spec.containers[0]!.image, 'nginx:1.25');
    assert.equal(active.metadata.annotations['deployment.kubernetes.io/revision'], '3');
    const history = await s.ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^2\s+second$/m);
    assert.match(history, /^3\s+first$/m);
    assert.doesNotMatch(history, /^1\s/m);
  });

  test('kubectl rollout restart rolls out a new revision', async () => {
    assert.match(await s.ok(['rollout', 'restart', 'deployment/web']), /deployment.apps\/web restarted/);
    assert.match(await rolloutStatus(), /successfully rolled out/);
    const d = await json(['get', 'deployment', 'web']);
    assert.ok(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
    assert.equal((await replicaSets()).length, 3);
    assert.match(await s.ok(['rollout', 'history', 'deployment/web']), /^4\s+first$/m);
  });

  test('kubectl scale resizes the active ReplicaSet', async () => {
    assert.match(await s.ok(['scale', 'deployment/web', '--replicas=5']), /deployment.apps\/web scaled/);
    assert.match(await rolloutStatus(), /successfully rolled out/);
    assert.match(await s.ok(['get', 'deployment', 'web']), /^web\s+5\/5\s+5\s+5\s+/m);
    const active = (await replicaSets()).filter((rs) => rs.spec.replicas > 0);
    assert.equal(active.length, 1);
    assert.equal(active[0]!.spec.replicas, 5);
  });

  test('a paused Deployment waits for kubectl rollout resume', async () => {
    assert.match(await s.ok(['rollout', 'pause', 'deployment/web']), /deployment.apps\/web paused/);
    await s.ok(['set', 'image', 'deployment/web', 'web=nginx:1.27']);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await replicaSets()).length, 3);
    const d = await json(['get', 'deployment', 'web']);
    const progressing = d.status.conditions.find((c: { type: string }) => c.type === 'Progressing');
    assert.equal(progressing.reason, 'DeploymentPaused');
    assert.match(await s.ok(['rollout', 'resume', 'deployment/web']), /deployment.apps\/web resumed/);
    assert.match(await rolloutStatus(), /successfully rolled out/);
    assert.equal(await imageOf(), 'nginx:1.27');
    assert.equal((await replicaSets()).length, 4);
  });

  test('deleting the Deployment', async () => {
    assert.match(await s.ok(['delete', 'deployment', 'web']), /deployment.apps "web" deleted/);
    const r = await s.kubectl(['get', 'deployment', 'web']);
    assert.match(r.stderr, /NotFound/);
  });
});
