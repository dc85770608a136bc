import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import {
  fieldRefValue,
  findContainer,
  formatMap,
  goQuote,
  resourceFieldValue,
  withDefaultLimits,
} from './fieldpath.ts';

const pod: V1Pod = {
  metadata: {
    name: 'p',
    namespace: 'ns',
    uid: 'u-1',
    labels: { b: '2', a: 'x"y' },
    annotations: { note: 'line1\nline2' },
  },
  spec: {
    nodeName: 'n1',
    serviceAccountName: 'sa',
    containers: [{ name: 'c' }],
    initContainers: [{ name: 'i' }],
  },
  status: { podIP: '10.42.0.5', podIPs: [{ ip: '10.42.0.5' }, { ip: 'fd00::5' }], hostIP: '192.168.1.2' },
};

test('metadata and spec field paths', () => {
  const v = (fieldPath: string) => fieldRefValue({ fieldPath }, pod);
  assert.equal(v('metadata.name'), 'p');
  assert.equal(v('metadata.namespace'), 'ns');
  assert.equal(v('metadata.uid'), 'u-1');
  assert.equal(v("metadata.labels['b']"), '2');
  assert.equal(v("metadata.labels['missing']"), '');
  assert.equal(v("metadata.annotations['note']"), 'line1\nline2');
  assert.equal(v('metadata.labels'), 'a="x\\"y"\nb="2"');
  assert.equal(v('metadata.annotations'), 'note="line1\\nline2"');
  assert.equal(v('spec.nodeName'), 'n1');
  assert.equal(v('spec.serviceAccountName'), 'sa');
  assert.throws(() => v('spec.hostname'), /unsupported fieldPath: spec.hostname/);
});

test('status addresses come from the kubelet first, then the pod', () => {
  const v = (fieldPath: string, addrs = {}) => fieldRefValue({ fieldPath }, pod, addrs);
  assert.equal(v('status.podIP'), '10.42.0.5');
  assert.equal(v('status.podIPs'), '10.42.0.5,fd00::5');
  assert.equal(v('status.hostIP'), '192.168.1.2');
  assert.equal(v('status.podIP', { podIp: '10.42.0.9' }), '10.42.0.9');
  assert.equal(v('status.podIPs', { podIps: ['10.42.0.9', 'fd00::9'] }), '10.42.0.9,fd00::9');
  assert.equal(v('status.hostIPs', { hostIps: ['1.1.1.1', '::1'] }), '1.1.1.1,::1');
  assert.equal(v('status.hostIP', { hostIps: ['1.1.1.1'] }), '1.1.1.1');
});

test('goQuote and formatMap follow Go %q', () => {
  assert.equal(goQuote('a\tb\\c\u0001'), '"a\\tb\\\\c\\x01"');
  assert.equal(goQuote('é'), '"é"');
  assert.equal(formatMap(undefined), '');
});

test('resource values are rounded up by the divisor', () => {
  const c: V1Container = {
    name: 'c',
    resources: { limits: { cpu: '1500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '100M' } },
  };
  const r = (resource: string, divisor?: string) => resourceFieldValue({ resource, divisor }, c);
  assert.equal(r('limits.cpu'), '2');
  assert.equal(r('limits.cpu', '1m'), '1500');
  assert.equal(r('requests.cpu'), '1');
  assert.equal(r('requests.cpu', '100m'), '3');
  assert.equal(r('limits.memory'), String(128 * 1024 * 1024));
  assert.equal(r('limits.memory', '1Mi'), '128');
  assert.equal(r('requests.memory', '1Mi'), '96');
  assert.equal(r('requests.ephemeral-storage'), '0');
  assert.equal(r('limits.hugepages-2Mi'), '0');
  assert.throws(() => r('limits.gpu'), /unsupported container resource : limits.gpu/);
});

test('limits default to node allocatable', () => {
  const c = withDefaultLimits(
    { name: 'c', resources: { limits: { cpu: '0' } } },
    { cpu: '2', memory: '4Gi' },
  );
  assert.equal(resourceFieldValue({ resource: 'limits.cpu' }, c), '2');
  assert.equal(resourceFieldValue({ resource: 'limits.memory', divisor: '1Gi' }, c), '4');
  const kept = withDefaultLimits({ name: 'c', resources: { limits: { cpu: '500m' } } }, { cpu: '2' });
  assert.equal(resourceFieldValue({ resource: 'limits.cpu', divisor: '1m' }, kept), '500');
});

test('findContainer looks at init containers too', () => {
  assert.equal(findContainer(pod, 'i')?.name, 'i');
  assert.equal(findContainer(pod, 'zz'), undefined);
});
