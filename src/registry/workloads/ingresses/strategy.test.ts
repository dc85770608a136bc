import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, strategyOf } from '../shared/testing.ts';

const strategy = strategyOf('networking.k8s.io', 'ingresses');
const backend = { service: { name: 'web', port: { number: 80 } } };
const ing = (spec: Record<string, unknown>) => ({ metadata: { name: 'web' }, spec });

test('a rule with a typed path is valid; the generation starts at 1', () => {
  const { obj, errors } = create(
    strategy,
    ing({
      rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }],
    }),
  );
  assert.deepEqual(errors, []);
  assert.equal(obj.metadata.generation, 1);
});

test('rules or a default backend; pathType is required and an enum', () => {
  assert.deepEqual(create(strategy, ing({})).errors, [
    'spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
  ]);
  const paths = [
    { path: '/a', backend },
    { path: 'b', pathType: 'Exact', backend },
    { path: '/c', pathType: 'Regex', backend },
    { path: '/d', pathType: 'Prefix', backend: { service: { name: 'web' } } },
  ];
  assert.deepEqual(create(strategy, ing({ rules: [{ host: '10.0.0.1', http: { paths } }] })).errors, [
    'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
    'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    'spec.rules[0].http.paths[1].path: Invalid value: "b": must be an absolute path',
    'spec.rules[0].http.paths[2].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    'spec.rules[0].http.paths[3].backend: Required value: port name or number is required',
  ]);
});
