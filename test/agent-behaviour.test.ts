/**
 * Node-agent behaviours through `skiff server`'s embedded agent and real kubectl (root only):
 * init containers run in order before the main container, a failing container goes into
 * CrashLoopBackOff with a growing restartCount, and a missing command reports the runtime's
 * error. One server for the whole file (slot 3).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { eventually } from './helpers/eventually.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const root = process.getuid?.() === 0;
let server: TestServer;

before(async () => {
  if (!root) return;
  server = await startServer([], { agent: { slot: 3 } });
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    if ((await server.kubectl(['get', 'nodes', '-o', 'name'])).stdout.trim()) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await server.ok(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=90s']);
  await server.ok(['apply', '-f', '-'], { input: manifests });
});
after(async () => {
  await server?.cleanup();
});

const manifests = `
apiVersion: v1
kind: Pod
metadata: {name: inits}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: w, emptyDir: {}}]
  initContainers:
  - {name: one, image: busybox, imagePullPolicy: IfNotPresent, command: [sh, -c, 'echo one >> /w/order'], volumeMounts: [{name: w, mountPath: /w}]}
  - {name: two, image: busybox, imagePullPolicy: IfNotPresent, command: [sh, -c, 'echo two >> /w/order'], volumeMounts: [{name: w, mountPath: /w}]}
  containers:
  - {name: main, image: busybox, imagePullPolicy: IfNotPresent, command: [sh, -c, 'echo main >> /w/order; exec sleep 3600'], volumeMounts: [{name: w, mountPath: /w}]}
---
apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: busybox, imagePullPolicy: IfNotPresent, command: [sh, -c, 'exit 3']}
---
apiVersion: v1
kind: Pod
metadata: {name: nocmd}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: busybox, imagePullPolicy: IfNotPresent, command: [/no/such/binary]}
---
apiVersion: v1
kind: Pod
metadata: {name: limited}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sleep, '3600']
    resources: {limits: {memory: 32Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: oom}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [dd, 'if=/dev/zero', 'of=/dev/null', 'bs=128M', 'count=4']
    resources: {limits: {memory: 32Mi}}
`;

// biome-ignore lint/suspicious/noExplicitAny: pod JSON
async function pod(name: string): Promise<any> {
  return JSON.parse(await server.ok(['get', 'pod', name, '-o', 'json']));
}

const waitFor = <T>(what: string, fn: () => Promise<T | undefined>, ms = 90_000) =>
  eventually(what, fn, ms, 500);

test('init containers run in order before the main container', { skip: !root }, async () => {
  await server.ok(['wait', '--for=condition=Ready', 'pod/inits', '--timeout=90s']);
  const out = await server.ok(['exec', 'inits', '-c', 'main', '--', 'cat', '/w/order']);
  assert.equal(out, 'one\ntwo\nmain\n');
  const p = await pod('inits');
  for (const s of p.status.initContainerStatuses) {
    assert.equal(s.state.terminated?.reason, 'Completed', JSON.stringify(s));
    assert.equal(s.state.terminated?.exitCode, 0);
  }
});

test('a failing container goes into CrashLoopBackOff with a growing restartCount', {
  skip: !root,
}, async () => {
  const s = await waitFor('CrashLoopBackOff after two restarts', async () => {
    const c = (await pod('crash')).status.containerStatuses?.[0];
    return c?.restartCount >= 2 && c.state.waiting?.reason === 'CrashLoopBackOff' ? c : undefined;
  });
  assert.equal(s.lastState.terminated.exitCode, 3);
  assert.match(s.state.waiting.message, /back-off (10|20|40)s restarting failed container/);
});

test('a missing command reports the runtime error', { skip: !root }, async () => {
  const s = await waitFor('a run error on nocmd', async () => {
    const c = (await pod('nocmd')).status.containerStatuses?.[0];
    const r = c?.state.waiting?.reason ?? c?.lastState?.terminated?.reason;
    return r && /RunContainerError|CrashLoopBackOff|StartError/.test(r) ? c : undefined;
  });
  const text = JSON.stringify(s);
  assert.match(text, /no such file or directory|not found/, text);
});

test('a memory limit lands in the container cgroup and an over-limit container is OOMKilled', {
  skip: !root,
}, async () => {
  await server.ok(['wait', '--for=condition=Ready', 'pod/limited', '--timeout=90s']);
  const p = await pod('limited');
  const id = String(p.status.containerStatuses[0].containerID).replace(/^\w+:\/\//, '');
  const rel = `skiff/${p.spec.nodeName}/pod${p.metadata.uid}/${id}`;
  const v1 = `/sys/fs/cgroup/memory/${rel}/memory.limit_in_bytes`;
  const file = existsSync('/sys/fs/cgroup/memory') ? v1 : `/sys/fs/cgroup/${rel}/memory.max`;
  assert.equal(readFileSync(file, 'utf8').trim(), String(32 * 1024 * 1024), file);
  const t = await waitFor('oom to terminate', async () => {
    const c = (await pod('oom')).status.containerStatuses?.[0];
    return c?.state.terminated ?? undefined;
  });
  assert.equal(t.reason, 'OOMKilled', JSON.stringify(t));
  assert.equal(t.exitCode, 137);
});
