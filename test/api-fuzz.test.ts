import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RawClient, rawClient } from './helpers/https-client.ts';
import { startServer, type TestServer } from './helpers/server.ts';

/** A small deterministic PRNG, so a failure can be replayed from its seed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const segments = [
  'api',
  'apis',
  'v1',
  'apps',
  'namespaces',
  'default',
  'kube-system',
  'pods',
  'configmaps',
  'deployments',
  'secrets',
  'nodes',
  'status',
  'scale',
  'finalize',
  'watch',
  '..',
  '.',
  '%2F',
  '%00',
  '%ff',
  'x'.repeat(300),
  'Default',
  'nosuch',
  'fuzz',
  'selfsubjectaccessreviews',
  'authorization.k8s.io',
  'v2',
  '',
];
const realPaths = [
  '/api/v1/namespaces/default/configmaps',
  '/api/v1/namespaces/fuzz-1/configmaps',
  '/api/v1/configmaps',
  '/api/v1/namespaces',
  '/api/v1/namespaces/default/pods',
  '/api/v1/namespaces/default/services',
  '/api/v1/nodes',
  '/apis/apps/v1/namespaces/default/deployments',
  '/apis/apps/v1/deployments',
  '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
  '/apis/batch/v1/namespaces/default/jobs',
];
const queries = [
  '',
  '?limit=-1',
  '?limit=abc',
  '?continue=garbage',
  '?continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiIuLi8ifQ',
  '?resourceVersion=abc',
  '?resourceVersion=99999999999',
  '?resourceVersionMatch=Exact',
  '?labelSelector=!!!',
  '?labelSelector=a%20in%20(',
  '?fieldSelector=a==b==c',
  '?fieldSelector=spec.nodeName=x',
  '?watch=true&timeoutSeconds=1',
  '?watch=1&resourceVersion=1&timeoutSeconds=1',
  '?dryRun=All',
  '?propagationPolicy=Sideways',
  '?gracePeriodSeconds=x',
];
const contentTypes = [
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'text/plain',
  '',
  'application/json; charset=utf-8',
  '*/*;;;',
];
const accepts = [
  'application/json',
  'application/json;as=Table;v=v1;g=meta.k8s.io',
  'application/vnd.kubernetes.protobuf',
  'text/html',
  '*/*',
  'application/json;as=Nonsense',
  '',
];

function bodyFor(rand: () => number): Buffer | string | undefined {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const name = pick(['fuzz', 'Fuzz!', '', 'a'.repeat(300), 'ok-name', '..', 'a/b']);
  const objects: unknown[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 5 } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: 'nope' },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { 'bad key!': 'x', ok: ['list'] } } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: 'string' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, finalizers: 'abc' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ownerReferences: [{}, 7] } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas: 'many' } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'other' } },
    { kind: 'Namespace', metadata: { name: `fuzz-${Math.floor(rand() * 5)}` } },
    [{ op: 'replace', path: '/metadata/name', value: 'x' }],
    [{ op: 'test', path: '/nope', value: 1 }],
    [{ op: 'explode' }],
    { metadata: null },
    { metadata: { labels: { a: null } } },
    null,
    42,
    'just a string',
    [],
    { spec: { nested: JSON.parse(`${'['.repeat(2000)}${']'.repeat(2000)}`) } },
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: 5 },
    },
  ];
  const r = rand();
  if (r < 0.55) return JSON.stringify(pick(objects));
  if (r < 0.65) return JSON.stringify(pick(objects)).slice(0, Math.floor(rand() * 40));
  if (r < 0.72)
    return Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)));
  if (r < 0.78)
    return 'a: &a [1,2]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c]\n';
  if (r < 0.8) return Buffer.alloc(3 * 1024 * 1024 + 10, 0x20);
  if (r < 0.85) return `k8s\u0000${'\u0001'.repeat(Math.floor(rand() * 20))}`;
  if (r < 0.9) return '{"metadata":{"name":"dup","name":"dup2"}}';
  return undefined;
}

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

test('thousands of hostile requests each get a well-formed answer, and the server keeps serving', async () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  const rand = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const total = Number(process.env.FUZZ_REQUESTS ?? 3000);
  const counts = new Map<number, number>();
  let sent = 0;
  const worker = async () => {
    while (sent < total) {
      sent++;
      const depth = 1 + Math.floor(rand() * 7);
      const base =
        rand() < 0.75
          ? pick(realPaths) +
            (rand() < 0.5 ? `/${pick(['fuzz', 'fuzz-0', 'Bad!', 'kubernetes', '%ff', 'default'])}` : '') +
            (rand() < 0.2 ? `/${pick(['status', 'scale', 'finalize', 'exec', 'nope'])}` : '')
          : `/${Array.from({ length: depth }, () => pick(segments)).join('/')}`;
      const path = `${base}${pick(queries)}`;
      const method = pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'GET', 'POST']);
      const body = method === 'GET' || method === 'HEAD' ? undefined : bodyFor(rand);
      const ct = pick(contentTypes);
      const headers: Record<string, string> = { Accept: pick(accepts) };
      if (ct) headers['Content-Type'] = ct;
      const where = `seed ${seed}: ${method} ${path.slice(0, 120)} (${ct})`;
      let res: Awaited<ReturnType<RawClient['request']>>;
      try {
        res = await client.request(method, path, {
          ...(body !== undefined ? { body } : {}),
          headers,
          timeoutMs: 15_000,
        });
      } catch (e) {
        assert.fail(`${where}: no answer: ${(e as Error).message}`);
      }
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
      assert.ok(res.status >= 200 && res.status < 600, `${where}: status ${res.status}`);
      assert.notEqual(res.status, 500, `${where}: internal error ${res.body.toString().slice(0, 300)}`);
      const type = String(res.headers['content-type'] ?? '');
      if (res.status >= 400 && method !== 'HEAD') {
        assert.match(
          type,
          /^application\/json/,
          `${where}: error without JSON: ${res.status} ${type} ${res.body.toString().slice(0, 200)}`,
        );
        const status = JSON.parse(res.body.toString());
        assert.equal(status.kind, 'Status', `${where}: ${res.body.toString().slice(0, 200)}`);
        assert.equal(status.apiVersion, 'v1');
        assert.equal(status.status, 'Failure');
        assert.equal(status.code, res.status);
        assert.equal(typeof status.reason, 'string');
        assert.equal(typeof status.message, 'string');
      }
      if (sent % 500 === 0) {
        const health = await client.request('GET', '/readyz');
        assert.equal(health.status, 200, 'server stopped serving');
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const summary = [...counts]
    .sort((a, b) => a[0] - b[0])
    .map(([c, n]) => `${c}:${n}`)
    .join(' ');
  console.log(`# seed ${seed}: ${total} requests, status counts ${summary}`);
  assert.ok(counts.size > 4, 'the requests reached many different outcomes');
  // Still consistent: every stored ConfigMap is a whole, valid object.
  const list = JSON.parse((await client.request('GET', '/api/v1/configmaps')).body.toString());
  for (const cm of list.items) {
    assert.equal(typeof cm.metadata.name, 'string');
    assert.match(cm.metadata.name, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    assert.ok(cm.metadata.uid);
  }
  assert.equal((await client.request('GET', '/readyz')).status, 200);
});
