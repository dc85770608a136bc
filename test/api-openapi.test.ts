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

test('OpenAPI v3: an index of group-versions, each document cached under its hash', async () => {
  const index = JSON.parse((await c.request('GET', '/openapi/v3')).body.toString());
  const apps = index.paths['apis/apps/v1'].serverRelativeURL as string;
  assert.match(apps, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
  const doc = await c.request('GET', apps);
  assert.equal(doc.headers['cache-control'], 'public, immutable');
  const body = JSON.parse(doc.body.toString());
  assert.deepEqual(
    body.components.schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'],
    [{ group: 'apps', kind: 'Deployment', version: 'v1' }],
  );
});

test('OpenAPI v2 as JSON for clients that ask for it; not as protobuf', async () => {
  const res = await c.request('GET', '/openapi/v2', { headers: { Accept: 'application/json' } });
  assert.equal(res.status, 200);
  const text = res.body.toString();
  assert.doesNotMatch(text, /#\/components\/schemas/);
  const doc = JSON.parse(text);
  assert.equal(doc.swagger, '2.0');
  assert.ok(doc.definitions['io.k8s.api.core.v1.Pod']);
  const create = doc.paths['/api/v1/namespaces/{namespace}/pods'].post;
  assert.ok(create.parameters.some((p: { in: string }) => p.in === 'body'));
  const proto = await c.request('GET', '/openapi/v2', {
    headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' },
  });
  assert.equal(proto.status, 404);
});
