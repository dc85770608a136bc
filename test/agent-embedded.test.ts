/**
 * `skiff server` with its embedded node agent, as root, against real containerd: the node
 * registers and turns Ready, a busybox httpd Deployment runs and answers on its pod IP, logs and
 * exec go through kubectl, and pods resolve Services through the node's cluster DNS.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from './helpers/eventually.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const root = process.getuid?.() === 0;
let server: TestServer;
let node: string;

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: httpd
        image: busybox
        imagePullPolicy: IfNotPresent
        command: [sh, -c, 'echo hello from $(POD_NAME) > /tmp/index.html; echo started; exec httpd -f -p 8080 -h /tmp']
        env:
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        ports: [{containerPort: 8080, name: http}]
        readinessProbe:
          tcpSocket: {port: 8080}
          periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata: {name: nginx-svc}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`;

before(async () => {
  if (!root) return;
  server = await startServer([], { agent: { slot: 1 } });
  node = (await server.ok(['get', 'nodes', '-o', 'name', '--request-timeout=5s'], {})).trim() || '';
});
after(async () => {
  await server?.cleanup();
});

const waitFor = <T>(what: string, fn: () => Promise<T | undefined>, ms = 90_000) =>
  eventually(what, fn, ms, 500);

test('the embedded agent registers its node, which turns Ready with host capacity', {
  skip: !root,
}, async () => {
  const name = await waitFor(
    'a node',
    async () => (await server.ok(['get', 'nodes', '-o', 'name'])).trim() || undefined,
  );
  node = name.replace(/^node\//, '');
  await server.ok(['wait', '--for=condition=Ready', `node/${node}`, '--timeout=90s']);
  const n = JSON.parse(await server.ok(['get', 'node', node, '-o', 'json']));
  assert.match(n.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\//);
  assert.ok(Number(n.status.capacity.cpu) >= 1);
  assert.ok(n.spec.podCIDR.startsWith('10.101.'));
  assert.equal(n.metadata.labels['node-role.kubernetes.io/control-plane'], 'true');
});

test('a busybox httpd Deployment runs, answers on its pod IP, logs and exec work', {
  skip: !root,
}, async () => {
  await server.ok(['apply', '-f', '-'], { input: manifest });
  await server.ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
  const pods = JSON.parse(await server.ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items;
  assert.equal(pods.length, 2);
  for (const pod of pods) {
    assert.equal(pod.status.phase, 'Running');
    assert.match(pod.status.podIP, /^10\.101\./);
    const res = await fetch(`http://${pod.status.podIP}:8080/index.html`);
    assert.equal((await res.text()).trim(), `hello from ${pod.metadata.name}`);
    assert.match(pod.status.containerStatuses[0].containerID, /^containerd:\/\//);
  }
  const logs = await server.ok(['logs', pods[0].metadata.name]);
  assert.match(logs, /started/);
  const out = await server.ok(['exec', pods[0].metadata.name, '--', 'cat', '/tmp/index.html']);
  assert.equal(out.trim(), `hello from ${pods[0].metadata.name}`);
  const failed = await server.kubectl(['exec', pods[0].metadata.name, '--', 'sh', '-c', 'exit 3']);
  assert.equal(failed.code, 3);
  const slices = JSON.parse(
    await server.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=nginx-svc', '-o', 'json']),
  );
  const ready = slices.items.flatMap(
    (s: { endpoints?: { conditions: { ready: boolean } }[] }) => s.endpoints ?? [],
  );
  assert.equal(ready.filter((e: { conditions: { ready: boolean } }) => e.conditions.ready).length, 2);
});

test('pods resolve Services through the node-local cluster DNS', { skip: !root }, async () => {
  const pod = JSON.parse(await server.ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items[0].metadata
    .name;
  const svcIp = (await server.ok(['get', 'svc', 'nginx-svc', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  // busybox nslookup applies no search list to names with a dot (the resolver in nc below
  // does), and exits 1 when any of its queries fails: the answer is what counts.
  for (const name of ['nginx-svc', 'nginx-svc.default.svc.cluster.local']) {
    const { stdout } = await server.kubectl(['exec', pod, '--', 'nslookup', '-type=a', name]);
    assert.match(stdout, new RegExp(`Address: ${svcIp.replaceAll('.', '\\.')}`), `${name}: ${stdout}`);
  }
  const resolv = await server.ok(['exec', pod, '--', 'cat', '/etc/resolv.conf']);
  assert.match(resolv, /nameserver 10\.201\.0\.10/);
  assert.match(resolv, /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
});

test('a pod reaches the Deployment through the Service name and ClusterIP (nftables proxy)', {
  skip: !root,
}, async () => {
  const pods = JSON.parse(await server.ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items;
  const names = new Set(pods.map((p: { metadata: { name: string } }) => p.metadata.name));
  const seen = new Set<string>();
  for (let i = 0; i < 16 && seen.size < names.size; i++) {
    const target = ['nginx-svc', 'nginx-svc.default', 'nginx-svc.default.svc.cluster.local'][i % 3];
    const out = await server.ok([
      'exec',
      pods[0].metadata.name,
      '--',
      'sh',
      '-c',
      `printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${target} 80`,
    ]);
    const m = /hello from (\S+)/.exec(out);
    assert.ok(m, out);
    seen.add(m[1]!);
  }
  assert.deepEqual(seen, names, 'both endpoints answered through the ClusterIP');
});

test('kubectl top reports CPU and memory of the node and its pods', { skip: !root }, async () => {
  const nodes = await waitFor('node metrics', async () => {
    const r = await server.kubectl(['top', 'nodes', '--no-headers']);
    return r.code === 0 && r.stdout.trim() ? r.stdout : undefined;
  });
  assert.match(nodes, new RegExp(`^${node}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`, 'm'));
  const pods = await server.ok(['top', 'pods', '--no-headers']);
  assert.match(pods, /^web-\S+\s+\d+m\s+\d+Mi/m);
});
