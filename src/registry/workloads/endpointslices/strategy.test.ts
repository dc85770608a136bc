import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/object.ts';
import { create, edited, strategyOf, update } from '../shared/testing.ts';

const strategy = strategyOf('discovery.k8s.io', 'endpointslices');
const slice: KubeObject = {
  metadata: { name: 'web-abc' },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.42.0.5'] }],
  ports: [{ port: 80 }],
};

test('ports default to an empty name and TCP', () => {
  const { obj, errors } = create(strategy, slice);
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
});

test('addressType is an enum; addresses match it; ports are unique by name', () => {
  assert.deepEqual(create(strategy, { ...slice, addressType: 'IPX' }).errors, [
    'addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"',
  ]);
  const bad = edited(slice, (s) => {
    s.endpoints = [{ addresses: ['fd00::1'] }, { addresses: [] }];
    s.ports = [{ port: 80 }, { port: 81 }];
  });
  assert.deepEqual(create(strategy, bad).errors, [
    'endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address',
    'endpoints[1].addresses: Required value: must contain at least 1 address',
    'ports[1].name: Duplicate value: ""',
  ]);
});

test('addressType is immutable', () => {
  const old = create(strategy, slice).obj;
  const next = { ...old, addressType: 'IPv6', endpoints: [{ addresses: ['fd00::1'] }] };
  assert.deepEqual(update(strategy, old, next).errors, [
    'addressType: Invalid value: "IPv6": field is immutable',
  ]);
});
