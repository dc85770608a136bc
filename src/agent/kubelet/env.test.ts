import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Container, V1Pod, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { FakeObjectSource } from '../volumes/fake-source.ts';
import { containerEnv, EnvError, expandVars, serviceEnvironment, serviceVariables } from './env.ts';

function podWith(container: V1Container, spec: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'uid-1', labels: { app: 'web' }, annotations: { a: 'b' } },
    spec: { containers: [container], serviceAccountName: 'default', ...spec },
  };
}

const asMap = (env: { key: string; value: string }[]) => Object.fromEntries(env.map((e) => [e.key, e.value]));

function svc(ns: string, name: string, clusterIP: string, ports: V1ServicePort[]): V1Service {
  return { metadata: { namespace: ns, name }, spec: { clusterIP, ports } };
}

test('plain values, expansion in order, fieldRef and resourceFieldRef', async () => {
  const c: V1Container = {
    name: 'c',
    resources: { requests: { memory: '64Mi' } },
    env: [
      { name: 'A', value: 'one' },
      { name: 'B', value: '$(A)-two' },
      { name: 'C', value: '$(D)' },
      { name: 'D', value: 'later' },
      { name: 'ESC', value: '$$(A)' },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'ANN', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['a']" } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } },
      { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'HOSTS', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } },
      { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
      { name: 'MEM_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: '1Mi' } } },
      { name: 'EMPTY' },
    ],
  };
  const { env, warnings } = await containerEnv(podWith(c), c, new FakeObjectSource(), {
    podIp: '10.42.0.7',
    podIps: ['10.42.0.7', 'fd00::7'],
    hostIp: '192.168.0.2',
    hostIps: ['192.168.0.2', 'fe80::2'],
    nodeName: 'node-a',
    allocatable: { cpu: '2', memory: '2Gi' },
  });
  assert.deepEqual(warnings, []);
  assert.deepEqual(asMap(env), {
    A: 'one',
    B: 'one-two',
    C: '$(D)',
    D: 'later',
    ESC: '$(A)',
    POD: 'web',
    NS: 'ns',
    UID: 'uid-1',
    APP: 'web',
    ANN: 'b',
    NODE: 'node-a',
    SA: 'default',
    IP: '10.42.0.7',
    IPS: '10.42.0.7,fd00::7',
    HOST: '192.168.0.2',
    HOSTS: '192.168.0.2,fe80::2',
    CPU_LIMIT: '2000',
    MEM_REQ: '64',
    EMPTY: '',
  });
  assert.deepEqual(env.map((e) => e.key).slice(0, 4), ['A', 'B', 'C', 'D'], 'declaration order is kept');
});

test('configMapKeyRef and secretKeyRef, optional and required', async () => {
  const src = new FakeObjectSource();
  src.addConfigMap('ns', 'cfg', { mode: 'fast', 'dotted.key': 'v' });
  src.addSecret('ns', 'creds', { password: 's3cret' });
  const c: V1Container = {
    name: 'c',
    env: [
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
      { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
      { name: 'URL', value: 'http://u:$(PASS)@h/$(MODE)' },
      { name: 'OPT1', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k', optional: true } } },
      { name: 'OPT2', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey', optional: true } } },
      { name: 'OPT3', valueFrom: { secretKeyRef: { name: 'missing', key: 'k', optional: true } } },
      { name: 'OPT4', valueFrom: { secretKeyRef: { name: 'creds', key: 'nokey', optional: true } } },
    ],
  };
  const { env } = await containerEnv(podWith(c), c, src);
  assert.deepEqual(asMap(env), { MODE: 'fast', PASS: 's3cret', URL: 'http://u:s3cret@h/fast' });

  const fails = async (entry: NonNullable<V1Container['env']>[number], message: string) => {
    const bad: V1Container = { name: 'c', env: [entry] };
    await assert.rejects(containerEnv(podWith(bad), bad, src), (err: Error) => {
      assert.ok(err instanceof EnvError);
      assert.equal(err.message, message);
      return true;
    });
  };
  await fails(
    { name: 'X', valueFrom: { configMapKeyRef: { name: 'x', key: 'k' } } },
    'configmap "x" not found',
  );
  await fails(
    { name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } },
    "couldn't find key k in ConfigMap ns/cfg",
  );
  await fails({ name: 'X', valueFrom: { secretKeyRef: { name: 'x', key: 'k' } } }, 'secret "x" not found');
  await fails(
    { name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } },
    "couldn't find key k in Secret ns/creds",
  );
  await fails(
    { name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } },
    'unsupported fieldPath: spec.bogus',
  );
});

test('envFrom with prefixes, env overriding it, invalid keys skipped', async () => {
  const src = new FakeObjectSource();
  src.addConfigMap('ns', 'cfg', { A: '1', B: '2', 'bad=key': 'x' });
  src.addSecret('ns', 'sec', { TOKEN: 't' });
  const c: V1Container = {
    name: 'c',
    envFrom: [
      { configMapRef: { name: 'cfg' } },
      { prefix: 'S_', secretRef: { name: 'sec' } },
      { configMapRef: { name: 'gone', optional: true } },
      { secretRef: { name: 'gone', optional: true } },
    ],
    env: [
      { name: 'B', value: 'override' },
      { name: 'C', value: '$(A)$(S_TOKEN)' },
    ],
  };
  const { env, warnings } = await containerEnv(podWith(c), c, src);
  assert.deepEqual(asMap(env), { A: '1', B: 'override', S_TOKEN: 't', C: '1t' });
  assert.deepEqual(warnings, [
    'Keys [bad=key] from the EnvFrom configMap ns/cfg were skipped since they are considered invalid environment variable names.',
  ]);
  const missing: V1Container = { name: 'c', envFrom: [{ secretRef: { name: 'gone' } }] };
  await assert.rejects(containerEnv(podWith(missing), missing, src), /^EnvError: secret "gone" not found$/);
  const missingCm: V1Container = { name: 'c', envFrom: [{ configMapRef: { name: 'gone' } }] };
  await assert.rejects(containerEnv(podWith(missingCm), missingCm, src), /configmap "gone" not found/);
});

const services: V1Service[] = [
  svc('default', 'kubernetes', '10.43.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
  svc('ns', 'redis-master', '10.43.0.20', [{ port: 6379 }, { name: 'metrics', port: 9121, protocol: 'UDP' }]),
  svc('ns', 'headless', 'None', [{ port: 80 }]),
  svc('other', 'elsewhere', '10.43.0.30', [{ port: 80 }]),
  svc('ns', 'v6', 'fd00::10', [{ port: 80 }]),
];

test('service variables as upstream names them', () => {
  assert.deepEqual(asMap(serviceVariables(services[1]!)), {
    REDIS_MASTER_SERVICE_HOST: '10.43.0.20',
    REDIS_MASTER_SERVICE_PORT: '6379',
    REDIS_MASTER_SERVICE_PORT_METRICS: '9121',
    REDIS_MASTER_PORT: 'tcp://10.43.0.20:6379',
    REDIS_MASTER_PORT_6379_TCP: 'tcp://10.43.0.20:6379',
    REDIS_MASTER_PORT_6379_TCP_PROTO: 'tcp',
    REDIS_MASTER_PORT_6379_TCP_PORT: '6379',
    REDIS_MASTER_PORT_6379_TCP_ADDR: '10.43.0.20',
    REDIS_MASTER_PORT_9121_UDP: 'udp://10.43.0.20:9121',
    REDIS_MASTER_PORT_9121_UDP_PROTO: 'udp',
    REDIS_MASTER_PORT_9121_UDP_PORT: '9121',
    REDIS_MASTER_PORT_9121_UDP_ADDR: '10.43.0.20',
  });
  assert.equal(asMap(serviceVariables(services[4]!)).V6_PORT, 'tcp://[fd00::10]:80');
  assert.deepEqual(serviceVariables(services[2]!), []);
});

test('service links: own namespace when enabled, default/kubernetes always', async () => {
  const linked = serviceEnvironment(services, 'ns', true);
  assert.equal(linked.get('KUBERNETES_SERVICE_HOST'), '10.43.0.1');
  assert.equal(linked.get('KUBERNETES_SERVICE_PORT_HTTPS'), '443');
  assert.equal(linked.get('REDIS_MASTER_SERVICE_HOST'), '10.43.0.20');
  assert.equal(linked.has('ELSEWHERE_SERVICE_HOST'), false);
  assert.equal(linked.has('HEADLESS_SERVICE_HOST'), false);
  const unlinked = serviceEnvironment(services, 'ns', false);
  assert.deepEqual(
    [...unlinked.keys()].filter((k) => !k.startsWith('KUBERNETES_')),
    [],
  );
  assert.equal(unlinked.get('KUBERNETES_PORT'), 'tcp://10.43.0.1:443');

  const c: V1Container = {
    name: 'c',
    env: [
      { name: 'REDIS_MASTER_SERVICE_HOST', value: 'mine' },
      { name: 'ADDR', value: '$(REDIS_MASTER_PORT_6379_TCP_ADDR):$(KUBERNETES_SERVICE_PORT)' },
    ],
  };
  const on = await containerEnv(podWith(c), c, new FakeObjectSource(), { services });
  const m = asMap(on.env);
  assert.equal(m.REDIS_MASTER_SERVICE_HOST, 'mine', 'env wins over service variables');
  assert.equal(m.ADDR, '10.43.0.20:443');
  assert.equal(on.env.filter((e) => e.key === 'REDIS_MASTER_SERVICE_HOST').length, 1);
  const off = await containerEnv(podWith(c, { enableServiceLinks: false }), c, new FakeObjectSource(), {
    services,
  });
  assert.equal(asMap(off.env).ADDR, '$(REDIS_MASTER_PORT_6379_TCP_ADDR):443');
  assert.equal(asMap(off.env).REDIS_MASTER_SERVICE_PORT, undefined);
});

test('expandVars for command and args', () => {
  const env = [
    { key: 'NAME', value: 'world' },
    { key: 'EMPTY', value: '' },
  ];
  assert.equal(expandVars('hello $(NAME)', env), 'hello world');
  assert.equal(expandVars('$$(NAME) $(UNKNOWN) [$(EMPTY)]', env), '$(NAME) $(UNKNOWN) []');
});
