import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { startServer, type TestServer } from './helpers/server.ts';
import { eventually, type SimProcess, startSim } from './helpers/sim.ts';

interface Pod {
  metadata: {
    name: string;
    resourceVersion: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
  };
  spec?: { nodeName?: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

interface WatchEvent {
  type: string;
  object: Pod;
}

/** A streaming watch on pods (the test helpers' raw client buffers whole bodies). */
function watchPods(
  kubeconfig: string,
  query: string,
  onEvent: (e: WatchEvent) => void,
): { stop(): void; ended: Promise<void> } {
  const kc = parse(fs.readFileSync(kubeconfig, 'utf8'));
  const cluster = kc.clusters[0].cluster;
  const user = kc.users[0].user;
  const url = new URL(cluster.server);
  const b64 = (s: string) => Buffer.from(s, 'base64');
  let req: ReturnType<typeof https.request> | undefined;
  const ended = new Promise<void>((resolve, reject) => {
    req = https.request(
      {
        host: url.hostname,
        port: url.port,
        method: 'GET',
        path: `/api/v1/namespaces/default/pods?watch=1&${query}`,
        ca: b64(cluster['certificate-authority-data']),
        cert: b64(user['client-certificate-data']),
        key: b64(user['client-key-data']),
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`watch: HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line !== '') onEvent(JSON.parse(line) as WatchEvent);
          }
        });
        res.on('end', () => resolve());
        res.on('error', () => resolve());
        res.on('aborted', () => resolve());
      },
    );
    req.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code === 'ECONNRESET') resolve();
      else reject(e);
    });
    req.end();
  });
  ended.catch(() => {});
  return { stop: () => req?.destroy(), ended };
}

const isReady = (p: Pod) =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** The resourceVersion of a list of pods, to start a watch from. */
async function listRV(s: TestServer, selector: string): Promise<string> {
  const list = JSON.parse(await s.ok(['get', 'pods', '-l', selector, '-o', 'json']));
  return list.metadata.resourceVersion as string;
}

/** Workloads end to end through kubectl on simulated nodes. */
describe('workloads on simulated nodes', () => {
  let s: TestServer;
  let sim: SimProcess;
  let extra: SimProcess | undefined;
  const watches: { stop(): void }[] = [];
  before(async () => {
    s = await startServer();
    sim = await startSim(s.kubeconfig, ['--nodes', '2', '--ready-after', '200']);
    await s.ok(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s']);
  });
  after(async () => {
    for (const w of watches) w.stop();
    await extra?.stop();
    await sim?.stop();
    await s?.cleanup();
  });

  test('a rolling update with maxUnavailable 0 never drops below 3 Ready pods; rollout undo', async () => {
    const manifest = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: roll}
spec:
  replicas: 3
  selector: {matchLabels: {app: roll}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}
  template:
    metadata: {labels: {app: roll}}
    spec:
      containers: [{name: c, image: "${image}"}]
`;
    await s.ok(['apply', '-f', '-'], { input: manifest('nginx:1.26') });
    await s.ok(['rollout', 'status', 'deployment/roll', '--timeout=60s']);

    const rv = await listRV(s, 'app=roll');
    const pods = new Map<string, Pod>();
    const initial = JSON.parse(await s.ok(['get', 'pods', '-l', 'app=roll', '-o', 'json'])).items as Pod[];
    for (const p of initial) pods.set(p.metadata.name, p);
    const readyNow = () =>
      [...pods.values()].filter((p) => !p.metadata.deletionTimestamp && isReady(p)).length;
    assert.equal(readyNow(), 3);
    let min = readyNow();
    let events = 0;
    const seen = new Set<string>();
    const trace: string[] = [];
    const w = watchPods(s.kubeconfig, `labelSelector=app%3Droll&resourceVersion=${rv}`, (e) => {
      events++;
      if (e.type === 'DELETED') pods.delete(e.object.metadata.name);
      else if (e.type === 'ADDED' || e.type === 'MODIFIED') pods.set(e.object.metadata.name, e.object);
      seen.add(e.object.metadata.name);
      const r = readyNow();
      trace.push(`${e.type} ${e.object.metadata.name} ready=${r}`);
      min = Math.min(min, r);
    });
    watches.push(w);

    await s.ok(['set', 'image', 'deployment/roll', 'c=nginx:1.27']);
    await s.ok(['rollout', 'status', 'deployment/roll', '--timeout=90s']);
    await s.ok(['rollout', 'undo', 'deployment/roll']);
    await s.ok(['rollout', 'status', 'deployment/roll', '--timeout=90s']);
    // The old pods of the second rollout are gone once the watch has seen them go.
    await eventually(async () => {
      assert.equal(pods.size, 3, trace.join('\n'));
    }, 30_000);
    w.stop();

    assert.ok(events > 0);
    assert.ok(seen.size >= 9, `three generations of pods were seen: ${[...seen].join(' ')}`);
    assert.ok(min >= 3, `Ready pods dropped to ${min}:\n${trace.join('\n')}`);
    const image = await s.ok([
      'get',
      'deployment',
      'roll',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);
    assert.equal(image, 'nginx:1.26');
    const history = await s.ok(['rollout', 'history', 'deployment/roll']);
    assert.match(history, /^2\s/m);
    assert.match(history, /^3\s/m);
  });

  test('a StatefulSet creates its pods in order, each after the previous is Ready, with PVCs', async () => {
    const rv = await listRV(s, 'app=web');
    const order: { type: string; name: string; ready: boolean; rv: number }[] = [];
    const w = watchPods(s.kubeconfig, `labelSelector=app%3Dweb&resourceVersion=${rv}`, (e) => {
      order.push({
        type: e.type,
        name: e.object.metadata.name,
        ready: isReady(e.object),
        rv: Number(e.object.metadata.resourceVersion),
      });
    });
    watches.push(w);
    await s.ok(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: nginx:1.27
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`,
    });
    await s.ok(['rollout', 'status', 'statefulset/web', '--timeout=90s']);
    await eventually(async () => {
      assert.ok(order.filter((o) => o.ready).length >= 3);
    });
    w.stop();

    const firstAdded = (name: string) => order.findIndex((o) => o.type === 'ADDED' && o.name === name);
    const firstReady = (name: string) => order.findIndex((o) => o.name === name && o.ready);
    const log = order.map((o) => `${o.type} ${o.name} ready=${o.ready} rv=${o.rv}`).join('\n');
    for (const n of ['web-0', 'web-1', 'web-2']) assert.ok(firstAdded(n) >= 0, `${n} was created:\n${log}`);
    assert.ok(firstReady('web-0') < firstAdded('web-1'), `web-1 created only after web-0 Ready:\n${log}`);
    assert.ok(firstReady('web-1') < firstAdded('web-2'), `web-2 created only after web-1 Ready:\n${log}`);

    const pvcs = await s.ok([
      'get',
      'pvc',
      '-o',
      'custom-columns=NAME:.metadata.name,APP:.metadata.labels.app',
      '--no-headers',
    ]);
    assert.deepEqual(
      pvcs
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)),
      [
        ['data-web-0', 'web'],
        ['data-web-1', 'web'],
        ['data-web-2', 'web'],
      ],
    );
    const claim = await s.ok([
      'get',
      'pod',
      'web-1',
      '-o',
      'jsonpath={.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName}',
    ]);
    assert.equal(claim, 'data-web-1');
    const host = await s.ok(['get', 'pod', 'web-2', '-o', 'jsonpath={.spec.hostname}/{.spec.subdomain}']);
    assert.equal(host, 'web-2/web');
  });

  // Upstream's ValidatePodTemplateSpecForStatefulSet does not validate the pod spec (its volumes
  // come partly from volumeClaimTemplates), so a volumeMount naming a claim template is accepted.
  test('a StatefulSet whose container mounts its volumeClaimTemplate is accepted', async () => {
    await s.ok(['apply', '-f', '-'], {
      input: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: mounted}
spec:
  serviceName: mounted
  replicas: 1
  selector: {matchLabels: {app: mounted}}
  template:
    metadata: {labels: {app: mounted}}
    spec:
      containers:
      - name: c
        image: nginx:1.27
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`,
    });
    await s.ok(['rollout', 'status', 'statefulset/mounted', '--timeout=60s']);
    await s.ok(['get', 'pvc', 'data-mounted-0']);
  });

  test('a DaemonSet runs on every node, including one that joins later', async () => {
    await s.ok(['apply', '-f', '-'], {
      input: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: c, image: busybox}]
`,
    });
    await s.ok(['rollout', 'status', 'daemonset/agent', '--timeout=60s']);
    const nodesOf = async () =>
      (
        await s.ok([
          'get',
          'pods',
          '-l',
          'app=agent',
          '-o',
          'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}',
        ])
      )
        .trim()
        .split('\n')
        .sort();
    assert.deepEqual(await nodesOf(), ['sim-0', 'sim-1']);

    extra = await startSim(s.kubeconfig, ['--nodes', '1', '--name-prefix', 'extra-', '--ready-after', '200']);
    await s.ok(['wait', '--for=condition=Ready', 'node/extra-0', '--timeout=60s']);
    await eventually(async () => {
      const n = await s.ok(['get', 'daemonset', 'agent', '-o', 'jsonpath={.status.numberReady}']);
      assert.equal(n, '3');
    }, 60_000);
    assert.deepEqual(await nodesOf(), ['extra-0', 'sim-0', 'sim-1']);
    await s.ok(['rollout', 'status', 'daemonset/agent', '--timeout=60s']);
    const row = await s.ok(['get', 'daemonset', 'agent', '--no-headers']);
    assert.match(row, /^agent\s+3\s+3\s+3\s+3\s+3\s+<none>\s+/);
  });

  test('a failing Job backs off and ends Failed with BackoffLimitExceeded; a succeeding one Completes', async () => {
    const job = (name: string, code: string, backoffLimit: number) => `
apiVersion: batch/v1
kind: Job
metadata: {name: ${name}}
spec:
  backoffLimit: ${backoffLimit}
  template:
    metadata:
      annotations: {sim.skiff.io/exit-after: "1s", sim.skiff.io/exit-code: "${code}"}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
`;
    await s.ok(['apply', '-f', '-'], { input: `${job('fails', '1', 1)}---${job('works', '0', 0)}` });
    await s.ok(['wait', '--for=condition=Complete', 'job/works', '--timeout=60s']);
    assert.equal(await s.ok(['get', 'job', 'works', '-o', 'jsonpath={.status.succeeded}']), '1');
    assert.match(await s.ok(['get', 'job', 'works', '--no-headers']), /^works\s+Complete\s+1\/1\s/);

    await s.ok(['wait', '--for=condition=Failed', 'job/fails', '--timeout=90s']);
    const reason = await s.ok([
      'get',
      'job',
      'fails',
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Failed")].reason}',
    ]);
    assert.equal(reason, 'BackoffLimitExceeded');
    assert.equal(await s.ok(['get', 'job', 'fails', '-o', 'jsonpath={.status.failed}']), '2');
    const pods = await s.ok([
      'get',
      'pods',
      '-l',
      'job-name=fails',
      '-o',
      'jsonpath={range .items[*]}{.status.phase}{"\\n"}{end}',
    ]);
    assert.deepEqual(pods.trim().split('\n'), ['Failed', 'Failed']);
    assert.match(await s.ok(['get', 'job', 'fails', '--no-headers']), /^fails\s+Failed\s+0\/1\s/);
  });

  test('a CronJob fires within a minute and owns the Job it created', async () => {
    await s.ok(['apply', '-f', '-'], {
      input: `
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations: {sim.skiff.io/exit-after: "1s", sim.skiff.io/exit-code: "0"}
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox}]
`,
    });
    const uid = await s.ok(['get', 'cronjob', 'tick', '-o', 'jsonpath={.metadata.uid}']);
    const job = await eventually(
      async () => {
        const jobs = JSON.parse(await s.ok(['get', 'jobs', '-o', 'json'])).items as {
          metadata: {
            name: string;
            ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
          };
        }[];
        const owned = jobs.filter((j) =>
          j.metadata.ownerReferences?.some((o) => o.kind === 'CronJob' && o.uid === uid && o.controller),
        );
        assert.ok(owned.length > 0, 'no Job owned by the CronJob yet');
        return owned[0]!;
      },
      75_000,
      1000,
    );
    assert.match(job.metadata.name, /^tick-\d+$/);
    await s.ok(['wait', '--for=condition=Complete', `job/${job.metadata.name}`, '--timeout=60s']);
    await eventually(async () => {
      const last = await s.ok(['get', 'cronjob', 'tick', '-o', 'jsonpath={.status.lastSuccessfulTime}']);
      assert.notEqual(last, '');
    }, 30_000);
  });
});
