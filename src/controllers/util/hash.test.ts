import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spew } from './go-spew.ts';
import { computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from './hash.ts';
import type { PodTemplate } from './types.ts';

/** `kubectl create deployment nginx --image=nginx` as the apiserver defaults its template. */
const nginx: PodTemplate = {
  metadata: { creationTimestamp: null, labels: { app: 'nginx' } },
  spec: {
    containers: [
      {
        name: 'nginx',
        image: 'nginx',
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'Always',
      },
    ],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    securityContext: {},
    schedulerName: 'default-scheduler',
  },
};

test('FNV-32a and SafeEncodeString as Go computes them', () => {
  assert.equal(fnv32a(new TextEncoder().encode('')), 0x811c9dc5);
  assert.equal(fnv32a(new TextEncoder().encode('a')), 0xe40c292c);
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
});

test('the hash of a kubectl-created nginx Deployment is the one Kubernetes 1.32 names its ReplicaSet by', () => {
  // The same renderer over the 1.28, 1.29, 1.30 and 1.31 struct layouts gives 7854ff8877,
  // 7854ff8877, bf5d5cf98 and 676b6c5bbc: the names those releases give `nginx-<hash>`.
  assert.equal(computeHash(nginx), '5869d7778c');
  assert.notEqual(computeHash(nginx, 1), computeHash(nginx));
  assert.equal(computeHash(nginx, 0), computeHash(nginx, 0));
  assert.notEqual(computeHash(nginx, 0), computeHash(nginx));
});

test('an empty list or map hashes as a missing one (protobuf decodes both to nil)', () => {
  const withEmpty = structuredClone(nginx);
  withEmpty.spec!.volumes = [];
  withEmpty.metadata!.annotations = {};
  assert.equal(computeHash(withEmpty), computeHash(nginx));
  const pointerFalse = structuredClone(nginx);
  pointerFalse.spec!.automountServiceAccountToken = false;
  assert.notEqual(computeHash(pointerFalse), computeHash(nginx));
});

test('go-spew renders pointers, maps, int-or-string and quantities as %#v does', () => {
  assert.equal(spew('*int64', 30), '(*int64)30');
  assert.equal(spew('*int64', undefined), '(*int64)<nil>');
  assert.equal(spew('map[string]string', { b: '2', a: '1' }), '(map[string]string)map[a:1 b:2]');
  assert.equal(
    spew('intstr.IntOrString', 8080),
    '(intstr.IntOrString){Type:(intstr.Type)0 IntVal:(int32)8080 StrVal:(string)}',
  );
  assert.equal(
    spew('intstr.IntOrString', 'http'),
    '(intstr.IntOrString){Type:(intstr.Type)1 IntVal:(int32)0 StrVal:(string)http}',
  );
  const q = (value: string, scale: number, cached: string, format: string) =>
    `(resource.Quantity){i:(resource.int64Amount){value:(int64)${value} scale:(resource.Scale)${scale}} ` +
    `d:(resource.infDecAmount){Dec:(*inf.Dec)<nil>} s:(string)${cached} Format:(resource.Format)${format}}`;
  assert.equal(spew('resource.Quantity', '100m'), q('100', -3, '100m', 'DecimalSI'));
  assert.equal(spew('resource.Quantity', '0.5'), q('500', -3, '500m', 'DecimalSI'));
  assert.equal(spew('resource.Quantity', '1Gi'), q('1073741824', 0, '1Gi', 'BinarySI'));
  assert.equal(spew('resource.Quantity', '512Mi'), q('536870912', 0, '', 'BinarySI'));
  assert.equal(spew('resource.Quantity', '0'), q('0', 0, '0', 'DecimalSI'));
  assert.equal(
    spew('v1.ResourceList', { memory: '1Gi', cpu: '1' }),
    '(v1.ResourceList)map[cpu:{i:(resource.int64Amount){value:(int64)1 scale:(resource.Scale)0} ' +
      'd:(resource.infDecAmount){Dec:(*inf.Dec)<nil>} s:(string)1 Format:(resource.Format)DecimalSI} ' +
      'memory:{i:(resource.int64Amount){value:(int64)1073741824 scale:(resource.Scale)0} ' +
      'd:(resource.infDecAmount){Dec:(*inf.Dec)<nil>} s:(string)1Gi Format:(resource.Format)BinarySI}]',
  );
});

test('templates compare equal ignoring the pod-template-hash label', () => {
  const labelled = structuredClone(nginx);
  labelled.metadata!.labels = { ...labelled.metadata!.labels, 'pod-template-hash': 'abc' };
  assert.ok(equalIgnoreHash(labelled, nginx));
  const other = structuredClone(nginx);
  (other.spec!.containers as { image: string }[])[0]!.image = 'nginx:2';
  assert.ok(!equalIgnoreHash(other, nginx));
});

test('what spew cannot show exactly still hashes stably', () => {
  const timed = structuredClone(nginx);
  timed.metadata!.creationTimestamp = '2024-01-01T00:00:00Z';
  assert.match(computeHash(timed), /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
  assert.equal(computeHash(timed), computeHash(structuredClone(timed)));
});
