import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from './helpers/server.ts';

/** Service allocation, endpoints and garbage collection through the real kubectl. */
describe('core controllers against skiff', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s?.cleanup();
  });

  const json = async (args: string[]) => JSON.parse(await s.ok([...args, '-o', 'json']));
  const apply = (obj: unknown) => s.ok(['create', '-f', '-'], { input: JSON.stringify(obj) });
  async function eventually<T>(check: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await check().catch(() => undefined);
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  test('Services get a ClusterIP and NodePorts; a taken NodePort is refused', async () => {
    assert.match(
      await s.ok(['create', 'service', 'clusterip', 'web', '--tcp=80:http']),
      /service\/web created/,
    );
    const web = await json(['get', 'svc', 'web']);
    assert.match(web.spec.clusterIP, /^10\.43\.\d+\.\d+$/);
    assert.deepEqual(web.spec.clusterIPs, [web.spec.clusterIP]);
    await s.ok(['create', 'service', 'nodeport', 'np', '--tcp=80:8080']);
    const np = await json(['get', 'svc', 'np']);
    const port = np.spec.ports[0].nodePort;
    assert.ok(port >= 30000 && port <= 32767, `nodePort ${port}`);
    assert.notEqual(np.spec.clusterIP, web.spec.clusterIP);
    const dup = await s.kubectl([
      'create',
      'service',
      'nodeport',
      'np2',
      '--tcp=80:8080',
      `--node-port=${port}`,
    ]);
    assert.notEqual(dup.code, 0);
    assert.match(
      dup.stderr,
      new RegExp(
        `Service "np2" is invalid: spec\\.ports\\[0\\]\\.nodePort: Invalid value: ${port}: provided port is already allocated`,
      ),
    );
    // As a manifest: kubectl shows the 422 Invalid Status the way it does for every resource.
    const manifest = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'np5' },
      spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80, nodePort: port }] },
    };
    const invalid = await s.kubectl(['create', '-f', '-', '-v=6'], { input: JSON.stringify(manifest) });
    assert.match(invalid.stderr, /422 Unprocessable Entity/);
    assert.match(
      invalid.stderr,
      /The Service "np5" is invalid: spec\.ports\[0\]\.nodePort: Invalid value: \d+: provided port is already allocated/,
    );
    const outside = await s.kubectl([
      'create',
      'service',
      'nodeport',
      'np3',
      '--tcp=80:8080',
      '--node-port=8080',
    ]);
    assert.match(
      outside.stderr,
      /provided port is not in the valid range\. The range of valid ports is 30000-32767/,
    );
    const ip = await s.kubectl([
      'create',
      'service',
      'clusterip',
      'fixed',
      '--tcp=80',
      `--clusterip=${web.spec.clusterIP}`,
    ]);
    assert.match(
      ip.stderr,
      /spec\.clusterIPs: Invalid value: \[\]string\{"10\.43\.[\d.]+"\}: failed to allocate IP [\d.]+: provided IP is already allocated/,
    );
    await s.ok(['create', 'service', 'clusterip', 'headless', '--clusterip=None']);
    assert.equal((await json(['get', 'svc', 'headless'])).spec.clusterIP, 'None');
    // Deleting the NodePort Service frees its port.
    await s.ok(['delete', 'svc', 'np']);
    await eventually(
      async () =>
        (await s.kubectl(['create', 'service', 'nodeport', 'np4', '--tcp=80:8080', `--node-port=${port}`]))
          .code === 0,
    );
  });

  test('Endpoints and EndpointSlices follow ready pods', async () => {
    await apply({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    for (const [name, ip] of [
      ['web-1', '10.42.0.5'],
      ['web-2', '10.42.0.6'],
    ] as const) {
      await apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels: { app: 'web' } },
        spec: {
          nodeName: 'n1',
          containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }],
        },
      });
      const status = {
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [{ type: 'Ready', status: name === 'web-1' ? 'True' : 'False' }],
      };
      await s.ok([
        'patch',
        'pod',
        name,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status }),
      ]);
    }
    const ep = await eventually(async () => {
      const e = await json(['get', 'endpoints', 'web']);
      return e.subsets?.[0]?.addresses && e.subsets[0].notReadyAddresses ? e : undefined;
    });
    assert.deepEqual(
      ep.subsets[0].addresses.map((a: { ip: string }) => a.ip),
      ['10.42.0.5'],
    );
    assert.deepEqual(
      ep.subsets[0].notReadyAddresses.map((a: { ip: string }) => a.ip),
      ['10.42.0.6'],
    );
    assert.deepEqual(ep.subsets[0].ports, [{ name: '80-http', port: 8080, protocol: 'TCP' }]);
    assert.equal(ep.subsets[0].addresses[0].targetRef.name, 'web-1');
    assert.match(await s.ok(['get', 'endpoints', 'web']), /^web\s+10\.42\.0\.5:8080\s+/m);
    const slices = await eventually(async () => {
      const l = await json(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web']);
      return l.items.length === 1 && l.items[0].endpoints?.length === 2 ? l.items[0] : undefined;
    });
    assert.equal(
      slices.metadata.labels['endpointslice.kubernetes.io/managed-by'],
      'endpointslice-controller.k8s.io',
    );
    assert.match(slices.metadata.name, /^web-[a-z0-9]{5}$/);
    const k = await json(['get', 'endpointslice', 'kubernetes']);
    assert.equal(k.endpoints[0].addresses[0], '127.0.0.1');
    // Deleting the Service removes its Endpoints, and its slices through their owner.
    await s.ok(['delete', 'svc', 'web']);
    await eventually(async () => (await s.kubectl(['get', 'endpoints', 'web'])).code !== 0);
    await eventually(
      async () =>
        (await json(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web'])).items.length === 0,
    );
  });

  const ownedConfigMap = (name: string, owner: { metadata: { name: string; uid: string } }, extra = {}) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          name: owner.metadata.name,
          uid: owner.metadata.uid,
          blockOwnerDeletion: true,
        },
      ],
      ...extra,
    },
  });
  const gone = (name: string) => async () => (await s.kubectl(['get', 'cm', name])).code !== 0;

  test('deleting an owner removes its dependents', async () => {
    await s.ok(['create', 'configmap', 'owner']);
    const owner = await json(['get', 'cm', 'owner']);
    await apply(ownedConfigMap('child', owner));
    await s.ok(['delete', 'cm', 'owner']);
    await eventually(gone('child'));
  });

  test('--cascade=orphan keeps dependents, without the owner reference', async () => {
    await s.ok(['create', 'configmap', 'owner2']);
    const owner = await json(['get', 'cm', 'owner2']);
    await apply(ownedConfigMap('child2', owner));
    await s.ok(['delete', 'cm', 'owner2', '--cascade=orphan']);
    await eventually(gone('owner2'));
    const child = await eventually(async () => {
      const c = await json(['get', 'cm', 'child2']);
      return c.metadata.ownerReferences ? undefined : c;
    });
    assert.equal(child.metadata.name, 'child2');
  });

  test('--cascade=foreground deletes dependents first', async () => {
    await s.ok(['create', 'configmap', 'owner3']);
    const owner = await json(['get', 'cm', 'owner3']);
    await apply(ownedConfigMap('child3', owner, { finalizers: ['example.com/hold'] }));
    await s.ok(['delete', 'cm', 'owner3', '--cascade=foreground', '--wait=false']);
    await eventually(async () => (await json(['get', 'cm', 'child3'])).metadata.deletionTimestamp);
    await new Promise((r) => setTimeout(r, 500));
    const waiting = await json(['get', 'cm', 'owner3']);
    assert.deepEqual(waiting.metadata.finalizers, ['foregroundDeletion']);
    assert.ok(waiting.metadata.deletionTimestamp);
    await s.ok(['patch', 'cm', 'child3', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await eventually(gone('child3'));
    await eventually(gone('owner3'));
  });
});
