import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DesiredGroup, type EndpointSlice, reconcileSlices, type SliceEndpoint } from './slices.ts';

const ports = [{ name: 'http', port: 8080, protocol: 'TCP' }];
const ep = (i: number, ready = true): SliceEndpoint => ({
  addresses: [`10.42.${Math.floor(i / 250)}.${(i % 250) + 1}`],
  conditions: { ready, serving: ready, terminating: false },
  targetRef: { kind: 'Pod', namespace: 'default', name: `p${i}`, uid: `u${i}` },
});
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => ep(from + i));
const options = {
  newSlice: (g: DesiredGroup): EndpointSlice => ({
    metadata: { generateName: 'web-', labels: { l: '1' } },
    addressType: g.addressType,
    endpoints: [],
    ports: g.ports,
  }),
  labelsFor: () => ({ l: '1' }),
  placeholder: (addressType: string): EndpointSlice => ({
    metadata: { generateName: 'web-', labels: { l: '1' } },
    addressType,
    endpoints: [],
  }),
};
const existing = (name: string, endpoints: SliceEndpoint[], p = ports): EndpointSlice => ({
  metadata: { name, uid: `uid-${name}`, labels: { l: '1' } },
  addressType: 'IPv4',
  endpoints,
  ports: p,
});

test('250 endpoints make three slices of at most 100', () => {
  const out = reconcileSlices(
    [],
    [{ addressType: 'IPv4', ports, endpoints: range(0, 250) }],
    ['IPv4'],
    options,
  );
  assert.deepEqual(
    out.create.map((s) => s.endpoints.length),
    [100, 100, 50],
  );
  assert.equal(out.update.length + out.delete.length, 0);
});

test('unchanged slices stay; changed ones update in place; empty ones go', () => {
  const a = existing('a', range(0, 100));
  const b = existing('b', range(100, 30));
  const desired = [...range(0, 100), ...range(100, 20), ep(500)];
  desired[5] = ep(5, false);
  const out = reconcileSlices(
    [a, b],
    [{ addressType: 'IPv4', ports, endpoints: desired }],
    ['IPv4'],
    options,
  );
  assert.equal(out.create.length, 0);
  assert.deepEqual(out.update.map((s) => [s.metadata.name, s.endpoints.length]).sort(), [
    ['a', 100],
    ['b', 21],
  ]);
  assert.equal(out.update.find((s) => s.metadata.name === 'a')!.endpoints[5]!.conditions.ready, false);
  const gone = reconcileSlices(
    [a, b],
    [{ addressType: 'IPv4', ports, endpoints: range(0, 100) }],
    ['IPv4'],
    options,
  );
  assert.deepEqual(
    gone.delete.map((s) => s.metadata.name),
    ['b'],
  );
  assert.equal(gone.update.length, 0);
});

test('leftovers go into the unchanged slice closest to full that fits them', () => {
  const a = existing('a', range(0, 60));
  const b = existing('b', range(60, 90));
  const out = reconcileSlices(
    [a, b],
    [{ addressType: 'IPv4', ports, endpoints: [...range(0, 150), ...range(200, 10)] }],
    ['IPv4'],
    options,
  );
  assert.deepEqual(
    out.update.map((s) => [s.metadata.name, s.endpoints.length]),
    [['b', 100]],
  );
  assert.equal(out.create.length, 0);
});

test('no endpoints: one placeholder, kept across syncs; a new port mapping reuses its name', () => {
  const out = reconcileSlices([], [], ['IPv4'], options);
  assert.equal(out.create.length, 1);
  assert.deepEqual(out.create[0]!.endpoints, []);
  const holder: EndpointSlice = { metadata: { name: 'web-x', uid: 'u' }, addressType: 'IPv4', endpoints: [] };
  const again = reconcileSlices([holder], [{ addressType: 'IPv4', ports, endpoints: [] }], ['IPv4'], options);
  assert.deepEqual(again, { create: [], update: [], delete: [] });
  const filled = reconcileSlices(
    [holder],
    [{ addressType: 'IPv4', ports, endpoints: range(0, 2) }],
    ['IPv4'],
    options,
  );
  assert.equal(filled.create.length, 0);
  assert.equal(filled.delete.length, 0);
  assert.equal(filled.update[0]!.metadata.name, 'web-x');
  assert.equal(filled.update[0]!.endpoints.length, 2);
});

test('a label change alone updates the slice', () => {
  const a = existing('a', range(0, 3));
  const out = reconcileSlices([a], [{ addressType: 'IPv4', ports, endpoints: range(0, 3) }], ['IPv4'], {
    ...options,
    labelsFor: () => ({ l: '2' }),
  });
  assert.deepEqual(out.update[0]!.metadata.labels, { l: '2' });
});
