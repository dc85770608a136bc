import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import {
  ContainerConfigError,
  type ContainerFacts,
  containerConfig,
  containerHash,
  etcHostsContent,
} from './container-config.ts';

const facts = (over: Partial<ContainerFacts> = {}): ContainerFacts => ({
  podDir: '/data/agent/pods/u-1',
  memoryCapacity: 4 * 1024 ** 3,
  imageRef: 'sha256:abc',
  env: [{ key: 'GREETING', value: 'hi' }],
  mounts: [{ containerPath: '/data', hostPath: '/data/agent/pods/u-1/volumes/kubernetes.io~empty-dir/d' }],
  expand: (t) => t.replace('$(GREETING)', 'hi'),
  ...over,
});

const pod = (c: V1Container, spec: Partial<NonNullable<V1Pod['spec']>> = {}): V1Pod => ({
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1' },
  spec: { containers: [c], terminationGracePeriodSeconds: 5, ...spec },
});

test('container config: command expansion, labels, annotations, log path, mounts', () => {
  const c: V1Container = {
    name: 'app',
    image: 'busybox',
    command: ['sh', '-c'],
    args: ['echo $(GREETING)'],
    workingDir: '/tmp',
    tty: true,
    securityContext: {
      capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    },
  };
  const cfg = containerConfig(pod(c), c, 3, facts());
  assert.deepEqual(cfg.metadata, { name: 'app', attempt: 3 });
  assert.deepEqual(cfg.image, { image: 'sha256:abc' });
  assert.deepEqual(cfg.args, ['echo hi']);
  assert.equal(cfg.logPath, 'app/3.log');
  assert.equal(cfg.labels['io.kubernetes.container.name'], 'app');
  assert.equal(cfg.labels['io.kubernetes.pod.uid'], 'u-1');
  assert.equal(cfg.annotations['io.kubernetes.container.restartCount'], '3');
  assert.equal(cfg.annotations['io.kubernetes.container.terminationMessagePath'], '/dev/termination-log');
  assert.equal(cfg.annotations['io.kubernetes.pod.terminationGracePeriod'], '5');
  assert.deepEqual(
    cfg.mounts.map((m) => [m.containerPath, m.hostPath]),
    [
      ['/data', '/data/agent/pods/u-1/volumes/kubernetes.io~empty-dir/d'],
      ['/etc/hosts', '/data/agent/pods/u-1/etc-hosts'],
      ['/dev/termination-log', '/data/agent/pods/u-1/containers/app/3'],
    ],
  );
  const sc = cfg.linux.securityContext;
  assert.deepEqual(sc.capabilities, { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'] });
  assert.equal(sc.noNewPrivs, true);
  assert.equal(sc.readonlyRootfs, true);
  assert.equal(sc.namespaceOptions.pid, 'CONTAINER');
  assert.equal(cfg.tty, true);
});

test('host-network pods get no managed /etc/hosts', () => {
  const c: V1Container = { name: 'app', image: 'busybox' };
  const cfg = containerConfig(pod(c, { hostNetwork: true }), c, 0, facts({ mounts: [] }));
  assert.deepEqual(
    cfg.mounts.map((m) => m.containerPath),
    ['/dev/termination-log'],
  );
});

test('runAsNonRoot is checked against the effective user and the image user', () => {
  const c: V1Container = { name: 'app', image: 'busybox', securityContext: { runAsNonRoot: true } };
  assert.throws(
    () => containerConfig(pod(c), c, 0, facts()),
    (e: unknown) =>
      e instanceof ContainerConfigError &&
      e.reason === 'CreateContainerConfigError' &&
      e.message ===
        'container has runAsNonRoot and image will run as root (pod: "web_shop(u-1)", container: app)',
  );
  assert.throws(
    () => containerConfig(pod(c, { securityContext: { runAsUser: 0 } }), c, 0, facts()),
    /runAsUser breaks non-root policy/,
  );
  const ok = containerConfig(
    pod(c, { securityContext: { runAsUser: 1000, runAsGroup: 1000 } }),
    c,
    0,
    facts(),
  );
  assert.deepEqual(ok.linux.securityContext.runAsUser, { value: 1000 });
  assert.deepEqual(ok.linux.securityContext.runAsGroup, { value: 1000 });
  assert.doesNotThrow(() => containerConfig(pod(c), c, 0, facts({ imageUid: 65534 })));
});

test('/etc/hosts content with subdomain and host aliases', () => {
  const text = etcHostsContent(
    {
      metadata: { name: 'db-0', namespace: 'shop' },
      spec: { containers: [], subdomain: 'db', hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo', 'bar'] }] },
    },
    ['10.88.1.5'],
    'cluster.local',
  );
  assert.match(text, /^10\.88\.1\.5\tdb-0\.db\.shop\.svc\.cluster\.local\tdb-0$/m);
  assert.match(text, /# Entries added by HostAliases.\n10\.1\.2\.3\tfoo\tbar\n$/);
});

test('the container hash ignores key order and undefined fields (list vs watch objects)', () => {
  const fromWatch = {
    name: 'c',
    image: 'busybox',
    command: ['sleep', '1'],
    volumeMounts: [{ name: 'v', mountPath: '/v' }],
  };
  const fromList = {
    command: ['sleep', '1'],
    image: 'busybox',
    name: 'c',
    volumeMounts: [{ mountPath: '/v', name: 'v', readOnly: undefined }],
    tty: undefined,
  };
  assert.equal(containerHash(fromWatch as never), containerHash(fromList as never));
  assert.notEqual(
    containerHash(fromWatch as never),
    containerHash({ ...fromWatch, image: 'other' } as never),
  );
});
