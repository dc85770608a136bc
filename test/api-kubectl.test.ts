import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from './helpers/server.ts';

/** The real kubectl against `skiff server --disable-agent`. */
describe('kubectl against skiff', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s?.cleanup();
  });

  test('version and the system namespaces', async () => {
    const version = JSON.parse(await s.ok(['version', '-o', 'json']));
    assert.equal(version.serverVersion.major, '1');
    assert.equal(version.serverVersion.minor, '32');
    const out = await s.ok(['get', 'namespaces']);
    assert.match(out, /^NAME\s+STATUS\s+AGE/m);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      assert.match(out, new RegExp(`^${ns}\\s+Active\\s+\\d+s`, 'm'));
    }
    assert.match(
      await s.ok(['get', 'svc', 'kubernetes']),
      /kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443\/TCP/,
    );
  });

  test('create, get in every output, and delete a ConfigMap', async () => {
    const manifest = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'demo', labels: { app: 'web' } },
      data: { a: '1', b: '2' },
    });
    assert.match(await s.ok(['create', '-f', '-'], { input: manifest }), /configmap\/demo created/);
    assert.match(await s.ok(['get', 'cm', 'demo']), /^demo\s+2\s+\d+s$/m);
    const obj = JSON.parse(await s.ok(['get', 'configmap', 'demo', '-o', 'json']));
    assert.equal(obj.data.b, '2');
    assert.match(obj.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(obj.metadata.resourceVersion, /^\d+$/);
    assert.match(await s.ok(['get', 'cm', 'demo', '-o', 'yaml']), /^ {2}a: "1"$/m);
    assert.equal(await s.ok(['get', 'cm', 'demo', '-o', 'jsonpath={.data.a}']), '1');
    assert.match(await s.ok(['get', 'cm', '-l', 'app=web', '--show-labels']), /demo\s+2\s+\S+\s+app=web/);
    assert.doesNotMatch(await s.ok(['get', 'cm', '-l', 'app=other']), /demo/);
    const dup = await s.kubectl(['create', '-f', '-'], { input: manifest });
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /Error from server \(AlreadyExists\).*configmaps "demo" already exists/);
    assert.match(await s.ok(['delete', 'cm', 'demo']), /configmap "demo" deleted/);
    const gone = await s.kubectl(['get', 'cm', 'demo']);
    assert.match(gone.stderr, /Error from server \(NotFound\): configmaps "demo" not found/);
  });

  test('invalid objects are refused with 422 and field causes', async () => {
    const bad = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid' } });
    const r = await s.kubectl(['create', '-f', '-'], { input: bad });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The ConfigMap "Not_Valid" is invalid/);
    assert.match(r.stderr, /metadata\.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain/);
  });

  test('-A lists every namespace with its column', async () => {
    const out = await s.ok(['get', 'configmaps', '-A']);
    assert.match(out, /^NAMESPACE\s+NAME\s+DATA\s+AGE/m);
    assert.match(out, /^kube-system\s+kube-root-ca\.crt\s+1\s+/m);
  });

  test('a new namespace gets its defaults; deleting it removes what it holds', async () => {
    assert.match(await s.ok(['create', 'namespace', 'team']), /namespace\/team created/);
    for (let i = 0; i < 50; i++) {
      const r = await s.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', 'team']);
      if (r.code === 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.match(await s.ok(['get', 'sa', '-n', 'team']), /^default\s/m);
    await s.ok(['create', '-n', 'team', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inside' } }),
    });
    assert.match(await s.ok(['delete', 'namespace', 'team', '--timeout=30s']), /namespace "team" deleted/);
    const after = await s.kubectl(['get', 'namespace', 'team']);
    assert.match(after.stderr, /namespaces "team" not found/);
    const refused = await s.kubectl(['get', 'cm', 'inside', '-n', 'team']);
    assert.match(refused.stderr, /not found/);
  });

  test('scale a Deployment through its scale subresource', async () => {
    await s.ok(['create', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'c', image: 'busybox' }] },
          },
        },
      }),
    });
    assert.match(await s.ok(['scale', 'deployment', 'web', '--replicas=3']), /deployment.apps\/web scaled/);
    assert.equal(await s.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '3');
    const scale = JSON.parse(
      await s.ok(['get', '--raw', '/apis/apps/v1/namespaces/default/deployments/web/scale']),
    );
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.status.selector, 'app=web');
    const stale = await s.kubectl(['scale', 'deployment', 'web', '--replicas=5', '--current-replicas=2']);
    assert.notEqual(stale.code, 0, '--current-replicas is a precondition');
    assert.equal(await s.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '3');
  });

  test('metrics in Prometheus format', async () => {
    const out = await s.ok(['get', '--raw', '/metrics']);
    assert.match(out, /^# TYPE apiserver_request_total counter$/m);
    assert.match(
      out,
      /apiserver_request_total\{verb="LIST",group="",version="v1",resource="namespaces",subresource="",code="200"\} \d+/,
    );
  });

  test('kubectl create subcommands send protobuf, which is decoded', async () => {
    assert.match(
      await s.ok(['create', 'configmap', 'lit', '--from-literal=a=1', '--from-literal=b=two']),
      /configmap\/lit created/,
    );
    assert.equal(await s.ok(['get', 'cm', 'lit', '-o', 'jsonpath={.data.b}']), 'two');
    assert.match(
      await s.ok(['create', 'secret', 'generic', 'sec', '--from-literal=pw=hunter2']),
      /secret\/sec created/,
    );
    assert.equal(
      Buffer.from(await s.ok(['get', 'secret', 'sec', '-o', 'jsonpath={.data.pw}']), 'base64').toString(),
      'hunter2',
    );
    assert.match(
      await s.ok(['create', 'deployment', 'nginx', '--image=nginx:1.27', '--replicas=2']),
      /deployment.apps\/nginx created/,
    );
    assert.equal(
      await s.ok(['get', 'deploy', 'nginx', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']),
      'nginx:1.27',
    );
    assert.match(
      await s.ok([
        'create',
        'service',
        'clusterip',
        'nginx',
        '--tcp=80:8080',
        '--dry-run=server',
        '-o',
        'name',
      ]),
      /service\/nginx/,
    );
  });

  test('kubectl auth can-i', async () => {
    assert.equal((await s.ok(['auth', 'can-i', 'create', 'pods'])).trim(), 'yes');
    assert.match(await s.ok(['auth', 'can-i', '--list']), /\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/);
  });

  test('client-side apply, then a re-apply that changes and removes fields', async () => {
    const manifest = (
      image: string,
      env: { name: string; value: string }[],
      labels: Record<string, string>,
    ) =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'applied', labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'applied' } },
          template: {
            metadata: { labels: { app: 'applied' } },
            spec: {
              containers: [
                { name: 'main', image, env },
                { name: 'side', image: 'busybox' },
              ],
            },
          },
        },
      });
    await s.ok(['apply', '-f', '-'], {
      input: manifest(
        'nginx:1',
        [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        { team: 'x', tier: 'web' },
      ),
    });
    assert.match(
      await s.ok(['apply', '-f', '-'], {
        input: manifest('nginx:2', [{ name: 'A', value: '1' }], { team: 'x' }),
      }),
      /deployment.apps\/applied configured/,
    );
    const d = JSON.parse(await s.ok(['get', 'deploy', 'applied', '-o', 'json']));
    const [main, side] = d.spec.template.spec.containers;
    assert.equal(main.image, 'nginx:2');
    assert.deepEqual(main.env, [{ name: 'A', value: '1' }]);
    assert.equal(side.name, 'side', 'the other container is merged by name, not replaced');
    assert.deepEqual(d.metadata.labels, { team: 'x' });
  });

  test('unknown fields: Strict refuses, Warn warns; explain reads the schemas', async () => {
    const typo = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'typo' },
      dataa: { x: '1' },
    });
    const strict = await s.kubectl(['create', '-f', '-'], { input: typo });
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /strict decoding error: unknown field "dataa"/);
    const warn = await s.kubectl(['create', '--validate=warn', '-f', '-'], { input: typo });
    assert.equal(warn.code, 0, warn.stderr);
    assert.match(warn.stderr, /Warning: unknown field "dataa"/);
    assert.match(await s.ok(['explain', 'deployment.spec.replicas']), /FIELD:\s+replicas <integer>/);
  });

  test('server-side apply: create, re-apply removing fields, conflicts, force', async () => {
    const manifest = (replicas: number, labels: Record<string, string>) =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'ssa', labels },
        spec: {
          replicas,
          selector: { matchLabels: { app: 'ssa' } },
          template: {
            metadata: { labels: { app: 'ssa' } },
            spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
          },
        },
      });
    assert.match(
      await s.ok(['apply', '--server-side', '-f', '-'], { input: manifest(1, { a: '1', b: '2' }) }),
      /deployment.apps\/ssa serverside-applied/,
    );
    await s.ok(['apply', '--server-side', '-f', '-'], { input: manifest(1, { a: '1' }) });
    const d = JSON.parse(await s.ok(['get', 'deploy', 'ssa', '-o', 'json', '--show-managed-fields']));
    assert.deepEqual(d.metadata.labels, { a: '1' }, 'a label dropped from the applied config is removed');
    const mine = d.metadata.managedFields.find((m: { manager: string }) => m.manager === 'kubectl');
    assert.equal(mine.operation, 'Apply');
    assert.ok(mine.fieldsV1['f:spec']['f:replicas']);
    const conflict = await s.kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], {
      input: manifest(3, { a: '1' }),
    });
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas/);
    await s.ok(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], {
      input: manifest(3, { a: '1' }),
    });
    assert.equal(await s.ok(['get', 'deploy', 'ssa', '-o', 'jsonpath={.spec.replicas}']), '3');
  });
});
