/**
 * Service networking end to end on `skiff server` with its embedded agent (root, real
 * containerd and nftables): a pod reaches a Deployment through the Service's names and
 * ClusterIP, scaling moves traffic within a second of the EndpointSlice change, NodePort and
 * ServiceLB LoadBalancer answer from the host, and the cluster DNS serves headless,
 * StatefulSet, ExternalName and SRV records.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { eventually } from './helpers/eventually.ts';
import { rawClient } from './helpers/https-client.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const root = process.getuid?.() === 0;
const slot = 2;
let server: TestServer;

const httpd = (app: string) => `
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: busybox
        imagePullPolicy: IfNotPresent
        command: [sh, -c, 'echo hello from $(POD_NAME) > /tmp/index.html; exec httpd -f -p 8080 -h /tmp']
        env:
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        ports: [{containerPort: 8080, name: http}]
        readinessProbe:
          tcpSocket: {port: 8080}
          periodSeconds: 1
      # ${app}
`;

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:${httpd('web')}
---
apiVersion: v1
kind: Service
metadata: {name: nginx-svc}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-np}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{name: http, port: 18080, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-classed}
spec:
  type: LoadBalancer
  loadBalancerClass: example.com/other
  selector: {app: web}
  ports: [{name: http, port: 18081, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-headless}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: ext}
spec:
  type: ExternalName
  externalName: nginx-svc.default.svc.cluster.local
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{name: http, port: 8080}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:${httpd('db')}
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sleep, '3600']
`;

before(async () => {
  if (!root) return;
  server = await startServer([], { agent: { slot } });
  const node = await waitFor(
    'a node',
    async () => (await server.ok(['get', 'nodes', '-o', 'name'])).trim() || undefined,
  );
  await server.ok(['wait', '--for=condition=Ready', node, '--timeout=90s']);
  await server.ok(['apply', '-f', '-'], { input: manifest });
  await server.ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
  await server.ok(['rollout', 'status', 'statefulset/db', '--timeout=120s']);
  await server.ok(['wait', '--for=condition=Ready', 'pod/client', '--timeout=120s']);
});
after(async () => {
  await server?.cleanup();
});

const waitFor = <T>(what: string, fn: () => Promise<T | undefined>, ms = 90_000) =>
  eventually(what, fn, ms, 500);

interface PodInfo {
  metadata: { name: string };
  status: { podIP: string };
}
const podsOf = async (app: string): Promise<PodInfo[]> =>
  JSON.parse(await server.ok(['get', 'pods', '-l', `app=${app}`, '-o', 'json'])).items;

/** One HTTP/1.0 GET from the host; the pod name that answered. */
function get(host: string, port: number, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    let data = '';
    const timer = setTimeout(() => s.destroy(new Error(`${host}:${port}: timed out`)), timeoutMs);
    s.on('connect', () => s.write('GET /index.html HTTP/1.0\r\n\r\n'));
    s.on('data', (d) => {
      data += d;
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      const m = /hello from (\S+)/.exec(data);
      if (m) resolve(m[1]!);
      else reject(new Error(`${host}:${port}: no answer in ${JSON.stringify(data)}`));
    });
  });
}

/** Names that answer on host:port within `tries` requests. */
async function answering(host: string, port: number, tries = 20): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < tries; i++) seen.add(await get(host, port));
  return seen;
}

const nslookup = async (name: string, type = 'a') =>
  (await server.kubectl(['exec', 'client', '--', 'nslookup', `-type=${type}`, name])).stdout;
const ipsIn = (out: string) =>
  [
    ...out
      .split(/\n\n/)
      .slice(1)
      .join('\n')
      .matchAll(/Address: (\d+\.\d+\.\d+\.\d+)/g),
  ]
    .map((m) => m[1]!)
    .sort();

test('a pod reaches the Deployment through the Service names and its ClusterIP', {
  skip: !root,
}, async () => {
  const names = new Set((await podsOf('web')).map((p) => p.metadata.name));
  const clusterIp = (await server.ok(['get', 'svc', 'nginx-svc', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  assert.match(clusterIp, new RegExp(`^10\\.${200 + slot}\\.`));
  for (const target of ['nginx-svc', 'nginx-svc.default', 'nginx-svc.default.svc.cluster.local', clusterIp]) {
    // Several requests in one exec: the ClusterIP balances over both endpoints.
    const out = await server.ok([
      'exec',
      'client',
      '--',
      'sh',
      '-c',
      `for i in 1 2 3 4 5 6 7 8 9 10 11 12; do printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${target} 80; done`,
    ]);
    const seen = new Set([...out.matchAll(/hello from (\S+)/g)].map((m) => m[1]!));
    assert.deepEqual(seen, names, `${target}: ${out}`);
  }
});

test('scaling changes the answering pods after the EndpointSlice change', {
  skip: !root,
}, async (t) => {
  const clusterIp = (await server.ok(['get', 'svc', 'nginx-svc', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  // Poll the slice every 50 ms over the API: each change of its ready endpoints, stamped.
  const api = rawClient(server.kubeconfig);
  const events: { at: number; ready: Set<string> }[] = [];
  let polling = true;
  const poll = (async () => {
    let last = '';
    while (polling) {
      try {
        const res = await api.request(
          'GET',
          '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dnginx-svc',
        );
        const ready = new Set<string>(
          JSON.parse(res.body.toString())
            .items.flatMap((sl: { endpoints?: unknown[] }) => sl.endpoints ?? [])
            .filter((e: { conditions?: { ready?: boolean } }) => e.conditions?.ready)
            .map((e: { targetRef?: { name?: string } }) => e.targetRef?.name ?? ''),
        );
        const key = [...ready].sort().join(',');
        if (key !== last) events.push({ at: Date.now(), ready });
        last = key;
      } catch {}
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  // From the host, one request every 50 ms: who answered when.
  const answers: { at: number; pod?: string; error?: string }[] = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      try {
        answers.push({ at: Date.now(), pod: await get(clusterIp, 80) });
      } catch (e) {
        answers.push({ at: Date.now(), error: (e as Error).message });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    const before = new Set((await podsOf('web')).map((p) => p.metadata.name));
    await waitFor('the slice poll', async () => (events.length ? true : undefined), 20_000);
    await server.ok(['scale', 'deployment/web', '--replicas=3']);
    const grown = await waitFor(
      'a third ready endpoint',
      async () => events.find((e) => e.ready.size === 3),
      120_000,
    );
    const added = [...grown.ready].find((n) => !before.has(n))!;
    const firstAnswer = await waitFor(
      `an answer from ${added}`,
      async () => answers.find((a) => a.pod === added),
      10_000,
    );
    // How soon is for bench:network to measure (it includes the probe's random pick here).
    t.diagnostic(`the new pod answered ${firstAnswer.at - grown.at} ms after its endpoint turned ready`);

    const mark = events.length;
    await server.ok(['scale', 'deployment/web', '--replicas=1']);
    const shrunk = await waitFor(
      'one ready endpoint',
      async () => events.slice(mark).find((e) => e.ready.size === 1),
      60_000,
    );
    await new Promise((r) => setTimeout(r, 5000));
    const late = answers.filter((a) => a.at > shrunk.at + 3000);
    assert.ok(late.length > 20, 'the probe kept running');
    const [kept] = [...shrunk.ready];
    const wrong = late.filter((a) => a.pod !== kept);
    assert.deepEqual(wrong, [], `only ${kept} answers once the slice shrank`);
  } finally {
    probing = false;
    polling = false;
    await Promise.all([probe, poll]);
    api.close();
  }
  await server.ok(['scale', 'deployment/web', '--replicas=2']);
  await server.ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
});

// The node IP here is 127.0.0.1: DNAT from loopback to a pod behind the bridge needs
// route_localnet, which the agent turns on for a loopback node IP (src/network/host-settings.ts),
// with a drop rule for new connections to 127.0.0.0/8 from other interfaces in the proxy table.
test('NodePort answers from the host on the node IP', { skip: !root }, async () => {
  const nodePort = Number(
    (await server.ok(['get', 'svc', 'web-np', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).trim(),
  );
  assert.ok(nodePort >= 30000 && nodePort <= 32767);
  const names = new Set((await podsOf('web')).map((p) => p.metadata.name));
  await waitFor(
    'the NodePort to answer',
    async () => (await get('127.0.0.1', nodePort)) || undefined,
    10_000,
  );
  assert.deepEqual(await answering('127.0.0.1', nodePort), names);
});

test('ServiceLB publishes the node IP as LoadBalancer ingress, which answers; classed ones are left alone', {
  skip: !root,
}, async () => {
  const ingress = await waitFor('load balancer ingress', async () => {
    const raw = (
      await server.ok(['get', 'svc', 'web-lb', '-o', 'jsonpath={.status.loadBalancer.ingress}'])
    ).trim();
    return raw ? JSON.parse(raw) : undefined;
  });
  assert.deepEqual(ingress, [{ ip: '127.0.0.1', ipMode: 'VIP' }]);
  const names = new Set((await podsOf('web')).map((p) => p.metadata.name));
  assert.deepEqual(await answering('127.0.0.1', 18080), names);
  const classed = await server.ok(['get', 'svc', 'web-classed', '-o', 'jsonpath={.status.loadBalancer}']);
  assert.doesNotMatch(classed, /ingress/);
});

test('cluster DNS: headless Service, StatefulSet pod names, ExternalName CNAME, SRV', {
  skip: !root,
}, async () => {
  const web = (await podsOf('web')).map((p) => p.status.podIP).sort();
  const db = await podsOf('db');
  assert.deepEqual(ipsIn(await nslookup('web-headless.default.svc.cluster.local')), web);
  assert.deepEqual(
    ipsIn(await nslookup('db.default.svc.cluster.local')),
    db.map((p) => p.status.podIP).sort(),
  );
  for (const pod of db) {
    assert.deepEqual(ipsIn(await nslookup(`${pod.metadata.name}.db.default.svc.cluster.local`)), [
      pod.status.podIP,
    ]);
  }
  const ext = await nslookup('ext.default.svc.cluster.local', 'cname');
  assert.match(ext, /canonical name = nginx-svc\.default\.svc\.cluster\.local/, ext);
  const srv = await nslookup('_http._tcp.nginx-svc.default.svc.cluster.local', 'srv');
  assert.match(srv, /\b80 nginx-svc\.default\.svc\.cluster\.local/, srv);
  const podSrv = await nslookup('_http._tcp.db.default.svc.cluster.local', 'srv');
  for (const pod of db)
    assert.match(
      podSrv,
      new RegExp(`\\b8080 ${pod.metadata.name}\\.db\\.default\\.svc\\.cluster\\.local`),
      podSrv,
    );
});
