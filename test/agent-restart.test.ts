/**
 * Restarting `skiff server` (embedded agent, slot 6) leaves running containers alone: same
 * containerID, restartCount 0, same pod IP, and exec still works afterwards. Root only.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from './helpers/server.ts';

const root = process.getuid?.() === 0;
let server: TestServer;

const manifest = `
apiVersion: v1
kind: Pod
metadata: {name: keep}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: busybox, imagePullPolicy: IfNotPresent, command: [sleep, '3600']}
`;

before(async () => {
  if (!root) return;
  server = await startServer([], { agent: { slot: 6 } });
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    if ((await server.kubectl(['get', 'nodes', '-o', 'name'])).stdout.trim()) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await server.ok(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=90s']);
});
after(async () => {
  await server?.cleanup();
});

// biome-ignore lint/suspicious/noExplicitAny: pod JSON
async function pod(name: string): Promise<any> {
  return JSON.parse(await server.ok(['get', 'pod', name, '-o', 'json']));
}

test('a server restart leaves running containers untouched', { skip: !root }, async () => {
  await server.ok(['apply', '-f', '-'], { input: manifest });
  await server.ok(['wait', '--for=condition=Ready', 'pod/keep', '--timeout=90s']);
  const before = await pod('keep');
  await server.restart();
  await server.ok(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=90s']);
  // Give the re-started kubelet time to sync the pod (it would restart it now if it were going to).
  await new Promise((r) => setTimeout(r, 8000));
  await server.ok(['wait', '--for=condition=Ready', 'pod/keep', '--timeout=60s']);
  const now = await pod('keep');
  const [b, n] = [before.status.containerStatuses[0], now.status.containerStatuses[0]];
  assert.equal(n.containerID, b.containerID);
  assert.equal(n.restartCount, 0);
  assert.equal(now.status.podIP, before.status.podIP);
  assert.equal((await server.ok(['exec', 'keep', '--', 'echo', 'alive'])).trim(), 'alive');
});
