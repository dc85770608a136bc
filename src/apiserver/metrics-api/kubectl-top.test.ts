import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { UserInfo } from '../context.ts';
import { aggregatedV2, aggregatedV2beta1, aggregatedVersion } from '../discovery.ts';
import { metricsAggregatedGroup, metricsApiGroup } from './discovery.ts';
import { metricsRoutes } from './routes.ts';
import { fakeMetricsApi as api, nodes, pods } from './testing.ts';

const run = promisify(execFile);

/** A loopback server: the metrics routes plus just enough of the core API for `kubectl top`. */
describe('kubectl top against the metrics routes', () => {
  let server: ReturnType<typeof serve>;
  let dir: string;
  let kubeconfig: string;
  let allowed = true;
  let aggregatedServed = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'h6-top-'));
    const app = new Hono<{ Variables: { user: UserInfo } }>();
    app.use('*', async (c, next) => {
      c.set('user', { name: 'admin', groups: ['system:masters'] });
      await next();
    });
    app.route(
      '/',
      metricsRoutes(api(), async () => allowed),
    );
    const json = (body: unknown, type = 'application/json') =>
      new Response(JSON.stringify(body), { headers: { 'Content-Type': type } });
    const aggregated = (accept: string | undefined, items: unknown[]) => {
      const v = aggregatedVersion(accept);
      if (!v) return undefined;
      aggregatedServed++;
      return json(
        { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items },
        v === 'v2' ? aggregatedV2 : aggregatedV2beta1,
      );
    };
    const coreResource = (resource: string, kind: string, scope: string) => ({
      resource,
      responseKind: { group: '', version: 'v1', kind },
      scope,
      singularResource: kind.toLowerCase(),
      verbs: ['get', 'list'],
    });
    app.get('/api', (c) => {
      const core = {
        metadata: {},
        versions: [
          {
            version: 'v1',
            resources: [coreResource('nodes', 'Node', 'Cluster'), coreResource('pods', 'Pod', 'Namespaced')],
            freshness: 'Current',
          },
        ],
      };
      return aggregated(c.req.header('accept'), [core]) ?? json({ kind: 'APIVersions', versions: ['v1'] });
    });
    app.get(
      '/apis',
      (c) =>
        aggregated(c.req.header('accept'), [metricsAggregatedGroup()]) ??
        json({ kind: 'APIGroupList', apiVersion: 'v1', groups: [metricsApiGroup()] }),
    );
    app.get('/api/v1/nodes', () => json({ kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: nodes }));
    app.get('/api/v1/nodes/:name', (c) => {
      const n = nodes.find((x) => x.metadata?.name === c.req.param('name'));
      return n ? json({ kind: 'Node', apiVersion: 'v1', ...n }) : c.notFound();
    });
    app.get('/api/v1/namespaces/:ns/pods', (c) =>
      json({
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: {},
        items: pods.filter(
          (p) =>
            p.metadata?.namespace === c.req.param('ns') &&
            (c.req.query('labelSelector') ?? '')
              .split(',')
              .filter(Boolean)
              .every((kv) => {
                const [k = '', v] = kv.split('=');
                return p.metadata?.labels?.[k] === v;
              }),
        ),
      }),
    );
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]
users: [{name: u, user: {}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: default}}]
current-context: c
`,
    );
  });
  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = async (...args: string[]) => {
    try {
      const r = await run(
        'kubectl',
        ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
        {
          timeout: 30_000,
        },
      );
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: x.stdout, err: x.stderr };
    }
  };
  const rows = (out: string) =>
    out
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/));

  it('kubectl top nodes', async () => {
    const r = await kubectl('top', 'nodes');
    assert.equal(r.code, 0, r.err);
    // n2 has no summary: kubectl lists it as unknown or not at all, never with numbers.
    const table = rows(r.out);
    assert.deepEqual(table[0], ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    assert.deepEqual(table[1], ['n1', '250m', '12%', '1024Mi', '25%']);
    assert.ok(aggregatedServed > 0, 'kubectl found the group through aggregated discovery');
    const one = await kubectl('top', 'node', 'n1', '--no-headers');
    assert.equal(one.code, 0, one.err);
    assert.deepEqual(rows(one.out), [['n1', '250m', '12%', '1024Mi', '25%']]);
  });

  it('kubectl top pods (namespace, --containers, -A, -l) and an empty answer', async () => {
    const r = await kubectl('top', 'pods');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(rows(r.out), [
      ['NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['web', '105m', '60Mi'],
    ]);
    const c = await kubectl('top', 'pod', 'web', '--containers', '--no-headers');
    assert.equal(c.code, 0, c.err);
    assert.deepEqual(rows(c.out), [
      ['web', 'app', '100m', '50Mi'],
      ['web', 'side', '5m', '10Mi'],
    ]);
    const all = await kubectl('top', 'pods', '-A', '--no-headers');
    assert.deepEqual(rows(all.out), [['default', 'web', '105m', '60Mi']]);
    const idle = await kubectl('top', 'pods', '-l', 'app=idle');
    assert.notEqual(idle.code, 0);
    assert.match(idle.err, /Metrics not available for pod default\/idle/);
  });

  it('a forbidden user gets a Status error through kubectl', async () => {
    allowed = false;
    try {
      const r = await kubectl('top', 'pods');
      assert.notEqual(r.code, 0);
      assert.match(
        r.err,
        /forbidden: User "admin" cannot list resource "pods" in API group "metrics.k8s.io"/,
      );
    } finally {
      allowed = true;
    }
  });
});
