import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RawClient, rawClient } from './helpers/https-client.ts';
import { startServer, type TestServer } from './helpers/server.ts';

let s: TestServer;
let c: RawClient;
before(async () => {
  s = await startServer();
  c = rawClient(s.kubeconfig);
});
after(async () => {
  c?.close();
  await s?.cleanup();
});

const json = { 'Content-Type': 'application/json' };
const pod = (name: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
const binding = (name: string, node: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name },
    target: { apiVersion: 'v1', kind: 'Node', name: node },
  });

test('pods/binding assigns a node once; a second binding is a conflict', async () => {
  assert.equal(
    (await c.request('POST', '/api/v1/namespaces/default/pods', { body: pod('b1'), headers: json })).status,
    201,
  );
  const bound = await c.request('POST', '/api/v1/namespaces/default/pods/b1/binding', {
    body: binding('b1', 'node-a'),
    headers: json,
  });
  assert.equal(bound.status, 201, bound.body.toString());
  const got = JSON.parse((await c.request('GET', '/api/v1/namespaces/default/pods/b1')).body.toString());
  assert.equal(got.spec.nodeName, 'node-a');
  assert.ok(
    got.status.conditions.some(
      (x: { type: string; status: string }) => x.type === 'PodScheduled' && x.status === 'True',
    ),
  );
  const again = await c.request('POST', '/api/v1/namespaces/default/pods/b1/binding', {
    body: binding('b1', 'node-b'),
    headers: json,
  });
  assert.equal(again.status, 409);
  assert.match(JSON.parse(again.body.toString()).message, /already assigned to node "node-a"/);
});

test('the legacy bindings resource binds the pod it names', async () => {
  await c.request('POST', '/api/v1/namespaces/default/pods', { body: pod('b2'), headers: json });
  const bound = await c.request('POST', '/api/v1/namespaces/default/bindings', {
    body: binding('b2', 'node-c'),
    headers: json,
  });
  assert.equal(bound.status, 201, bound.body.toString());
  const got = JSON.parse((await c.request('GET', '/api/v1/namespaces/default/pods/b2')).body.toString());
  assert.equal(got.spec.nodeName, 'node-c');
  const missing = await c.request('POST', '/api/v1/namespaces/default/pods/nosuch/binding', {
    body: binding('nosuch', 'n'),
    headers: json,
  });
  assert.equal(missing.status, 404);
  const noTarget = await c.request('POST', '/api/v1/namespaces/default/pods/b2/binding', {
    body: '{"metadata":{"name":"b2"}}',
    headers: json,
  });
  assert.equal(noTarget.status, 422);
});

test('log, exec, attach and portforward exist and say clearly when no node agent serves the pod', async () => {
  await c.request('POST', '/api/v1/namespaces/default/pods', { body: pod('s1'), headers: json });
  const pending = await c.request('GET', '/api/v1/namespaces/default/pods/s1/log');
  assert.equal(pending.status, 400);
  assert.match(JSON.parse(pending.body.toString()).message, /does not have a host assigned/);
  await c.request('POST', '/api/v1/namespaces/default/pods/s1/binding', {
    body: binding('s1', 'node-x'),
    headers: json,
  });
  for (const sub of ['log', 'exec?command=ls', 'attach', 'portforward?ports=80']) {
    const r = await c.request(sub === 'log' ? 'GET' : 'POST', `/api/v1/namespaces/default/pods/s1/${sub}`);
    assert.equal(r.status, 503, sub);
    assert.match(JSON.parse(r.body.toString()).message, /no node agent is serving node "node-x"/);
  }
  const wrong = await c.request('GET', '/api/v1/namespaces/default/pods/s1/log?container=nope');
  assert.equal(wrong.status, 400);
  assert.equal((await c.request('GET', '/api/v1/namespaces/default/pods/nosuch/log')).status, 404);
});
