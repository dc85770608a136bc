import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { startServer, type TestServer } from './helpers/server.ts';

const run = promisify(execFile);

let s: TestServer;
before(async () => {
  s = await startServer();
});
after(async () => {
  await s?.cleanup();
});

const until = async (cond: () => boolean, what: string, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test('python3-kubernetes: list, create, patch, watch, delete', async () => {
  const { stdout } = await run(
    '/usr/bin/python3',
    [path.join(import.meta.dirname, 'fixtures', 'python-client.py'), s.kubeconfig],
    {
      timeout: 60_000,
    },
  );
  assert.match(stdout, /list ok/);
  assert.match(stdout, /watch ok MODIFIED,DELETED/);
  assert.match(stdout, /delete ok/);
});

test('@kubernetes/client-node: typed calls, and an informer that survives a server restart', async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(s.kubeconfig);
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const namespaces = await api.listNamespace();
  assert.ok(namespaces.items.some((n) => n.metadata?.name === 'kube-public'));

  const seen = new Map<string, string>();
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () =>
    api.listNamespacedConfigMap({ namespace: 'default' }),
  );
  let errors = 0;
  let stopped = false;
  informer.on('add', (o) => seen.set(o.metadata!.name!, o.data?.v ?? ''));
  informer.on('update', (o) => seen.set(o.metadata!.name!, o.data?.v ?? ''));
  informer.on('delete', (o) => seen.delete(o.metadata!.name!));
  informer.on('error', () => {
    // As client-node's documentation recommends: start again after a pause.
    errors++;
    setTimeout(() => {
      if (!stopped) void informer.start().catch(() => {});
    }, 500);
  });
  await informer.start();
  try {
    await api.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'a' }, data: { v: '1' } },
    });
    await until(() => seen.get('a') === '1', 'add of a');
    await api.patchNamespacedConfigMap(
      { name: 'a', namespace: 'default', body: { data: { v: '2' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await until(() => seen.get('a') === '2', 'update of a');

    await s.restart();
    const kc2 = new k8s.KubeConfig();
    kc2.loadFromFile(s.kubeconfig);
    const api2 = kc2.makeApiClient(k8s.CoreV1Api);
    await api2.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'b' }, data: { v: '3' } },
    });
    await api2.deleteNamespacedConfigMap({ name: 'a', namespace: 'default' });
    await until(() => seen.get('b') === '3' && !seen.has('a'), 'events after the restart', 30_000);
    assert.ok(errors >= 1, 'the informer noticed the restart');
  } finally {
    stopped = true;
    await informer.stop();
  }
});
