import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricsApiGroup, metricsApiResourceList } from './discovery.ts';
import { cpuQuantity, goDuration, memoryQuantity } from './quantity.ts';
import { fakeMetricsApi as api, Mi } from './testing.ts';

describe('metrics quantities', () => {
  it('formats as metrics-server does', () => {
    assert.equal(cpuQuantity(123456), '123456n');
    assert.equal(cpuQuantity(0), '0');
    assert.equal(memoryQuantity(50 * Mi), '51200Ki');
    assert.equal(memoryQuantity(1000), '1000');
    assert.equal(goDuration(15), '15s');
    assert.equal(goDuration(10.5), '10.5s');
    assert.equal(goDuration(0.25), '250ms');
    assert.equal(goDuration(90), '1m30s');
  });
});

describe('MetricsApi handlers', () => {
  const q = (s = '') => new URLSearchParams(s);

  it('serves discovery documents', async () => {
    const group = await api().serve('GET', '/apis/metrics.k8s.io', q());
    assert.deepEqual(group.body, { kind: 'APIGroup', apiVersion: 'v1', ...metricsApiGroup() });
    const list = await api().serve('GET', '/apis/metrics.k8s.io/v1beta1', q());
    assert.deepEqual(list.body, metricsApiResourceList());
  });

  it('NodeMetrics: list skips nodes without a summary; get; NotFound as metrics-server words it', async () => {
    const r = (await api().serve('GET', '/apis/metrics.k8s.io/v1beta1/nodes', q())).body as {
      kind: string;
      items: {
        metadata: { name: string; labels: object };
        usage: object;
        window: string;
        timestamp: string;
      }[];
    };
    assert.equal(r.kind, 'NodeMetricsList');
    assert.deepEqual(
      r.items.map((i) => [i.metadata.name, i.metadata.labels, i.usage, i.window, i.timestamp]),
      [['n1', { zone: 'a' }, { cpu: '250000000n', memory: '1048576Ki' }, '10.5s', '2026-11-23T19:00:00Z']],
    );
    const one = (await api().serve('GET', '/apis/metrics.k8s.io/v1beta1/nodes/n1', q())).body as {
      kind: string;
    };
    assert.equal(one.kind, 'NodeMetrics');
    await assert.rejects(api().serve('GET', '/apis/metrics.k8s.io/v1beta1/nodes/n2', q()), {
      code: 404,
      message: 'nodemetrics.metrics.k8s.io "n2" not found',
    });
    const byLabel = (
      await api().serve('GET', '/apis/metrics.k8s.io/v1beta1/nodes', q('labelSelector=zone=b'))
    ).body as { items: unknown[] };
    assert.deepEqual(byLabel.items, []);
  });

  it('PodMetrics: namespaced, all namespaces, labelSelector, get and NotFound', async () => {
    type List = {
      kind: string;
      items: { metadata: { name: string; namespace: string }; containers: unknown[] }[];
    };
    const ns = (await api().serve('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', q()))
      .body as List;
    assert.equal(ns.kind, 'PodMetricsList');
    assert.deepEqual(
      ns.items.map((i) => [i.metadata.namespace, i.metadata.name, i.containers]),
      [
        [
          'default',
          'web',
          [
            { name: 'app', usage: { cpu: '100000000n', memory: '51200Ki' } },
            { name: 'side', usage: { cpu: '5000000n', memory: '10240Ki' } },
          ],
        ],
      ],
    );
    const all = (await api().serve('GET', '/apis/metrics.k8s.io/v1beta1/pods', q())).body as List;
    assert.deepEqual(
      all.items.map((i) => i.metadata.name),
      ['web'],
    );
    const none = (
      await api().serve('GET', '/apis/metrics.k8s.io/v1beta1/pods', q('labelSelector=app%3Didle'))
    ).body as List;
    assert.deepEqual(none.items, []);
    const one = (await api().serve('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web', q()))
      .body as {
      kind: string;
    };
    assert.equal(one.kind, 'PodMetrics');
    await assert.rejects(
      api().serve('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/idle', q()),
      {
        code: 404,
        message: 'podmetrics.metrics.k8s.io "default/idle" not found',
      },
    );
  });

  it('rejects writes, watches, bad selectors and unknown paths with Status errors', async () => {
    await assert.rejects(api().serve('POST', '/apis/metrics.k8s.io/v1beta1/nodes', q()), { code: 405 });
    await assert.rejects(api().serve('GET', '/apis/metrics.k8s.io/v1beta1/nodes', q('watch=true')), {
      code: 405,
    });
    await assert.rejects(api().serve('GET', '/apis/metrics.k8s.io/v1beta1/pods', q('labelSelector=a%20in')), {
      code: 400,
    });
    await assert.rejects(api().serve('GET', '/apis/metrics.k8s.io/v1beta1/services', q()), { code: 404 });
  });
});
