import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { V1PodSpec } from '@kubernetes/client-node';
import type { KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { testRegistry } from '../../controllers/util/testing.ts';
import type { Backend } from '../../storage/types.ts';
import type { Registry } from '../registry.ts';
import { apiAccessVolume, apiTokenMountPath, randomSuffix, serviceAccountAdmission } from './admission.ts';

let registry: Registry;
let backend: Backend;
before(async () => {
  ({ registry, backend } = await testRegistry());
  const pods = registry.byResource('', 'pods')!;
  pods.admit = serviceAccountAdmission(registry.byResource('', 'serviceaccounts')!, pods.admit, {
    suffix: () => 'abcde',
  });
  const sas = registry.byResource('', 'serviceaccounts')!;
  await sas.create('default', { metadata: { name: 'default' } });
  await sas.create('default', { metadata: { name: 'quiet' }, automountServiceAccountToken: false });
});
after(() => backend.close());

const create = (pod: Record<string, unknown>) =>
  registry.byResource('', 'pods')!.create('default', { metadata: { name: 'p' }, ...pod } as never);
const spec = (o: KubeObject) => o.spec as V1PodSpec;
const mount = { name: 'kube-api-access-abcde', readOnly: true, mountPath: apiTokenMountPath };

test('default service account, projected volume and a mount in every container', async () => {
  const pod = await create({
    metadata: { name: 'web' },
    spec: {
      initContainers: [{ name: 'init', image: 'i' }],
      containers: [
        { name: 'a', image: 'i', volumeMounts: [{ name: 'data', mountPath: '/data' }] },
        { name: 'b', image: 'i' },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
    },
  });
  const s = spec(pod);
  assert.equal(s.serviceAccountName, 'default');
  assert.equal(s.serviceAccount, 'default');
  assert.deepEqual(s.initContainers![0]!.volumeMounts, [mount]);
  assert.deepEqual(s.containers[0]!.volumeMounts, [{ name: 'data', mountPath: '/data' }, mount]);
  assert.deepEqual(s.containers[1]!.volumeMounts, [mount]);
  assert.deepEqual(s.volumes![1], {
    name: 'kube-api-access-abcde',
    projected: {
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
      defaultMode: 420,
    },
  });
  assert.deepEqual(s.volumes![1], apiAccessVolume('kube-api-access-abcde'));
});

test('automount turned off by the pod or by the service account', async () => {
  const off = await create({
    metadata: { name: 'off' },
    spec: { automountServiceAccountToken: false, containers: [{ name: 'a', image: 'i' }] },
  });
  assert.equal(spec(off).volumes, undefined);
  assert.equal(spec(off).containers[0]!.volumeMounts, undefined);
  const quiet = await create({
    metadata: { name: 'quiet' },
    spec: { serviceAccountName: 'quiet', containers: [{ name: 'a', image: 'i' }] },
  });
  assert.equal(spec(quiet).volumes, undefined);
  const overridden = await create({
    metadata: { name: 'loud' },
    spec: {
      serviceAccountName: 'quiet',
      automountServiceAccountToken: true,
      containers: [{ name: 'a', image: 'i' }],
    },
  });
  assert.equal(spec(overridden).volumes![0]!.name, 'kube-api-access-abcde');
});

test('a container mounting something at the token path keeps it', async () => {
  const pod = await create({
    metadata: { name: 'own' },
    spec: {
      containers: [{ name: 'a', image: 'i', volumeMounts: [{ name: 'mine', mountPath: apiTokenMountPath }] }],
      volumes: [{ name: 'mine', emptyDir: {} }],
    },
  });
  assert.deepEqual(spec(pod).containers[0]!.volumeMounts, [{ name: 'mine', mountPath: apiTokenMountPath }]);
  assert.equal(spec(pod).volumes!.length, 1, 'no volume when no container needs it');
});

test('a missing service account is refused; mirror pods are left alone', async () => {
  await assert.rejects(
    create({
      metadata: { name: 'ghost' },
      spec: { serviceAccountName: 'ghost', containers: [{ name: 'a', image: 'i' }] },
    }),
    (e: unknown) => {
      assert.ok(isStatusError(e));
      assert.equal(e.code, 403);
      assert.equal(
        e.message,
        'pods "ghost" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found',
      );
      return true;
    },
  );
  const mirror = await create({
    metadata: { name: 'mirror', annotations: { 'kubernetes.io/config.mirror': 'x' } },
    spec: { nodeName: 'n1', serviceAccountName: 'ghost', containers: [{ name: 'a', image: 'i' }] },
  });
  assert.equal(spec(mirror).volumes, undefined);
});

test('random suffixes use the upstream alphabet', () => {
  for (let i = 0; i < 50; i++) assert.match(randomSuffix(), /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});
