import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, type Loose, strategyOf } from '../shared/testing.ts';

const strategy = strategyOf('networking.k8s.io', 'networkpolicies');
const np = (spec: Record<string, unknown>) => ({
  metadata: { name: 'deny' },
  spec: { podSelector: {}, ...spec },
});

test('policyTypes: Ingress, plus Egress when there are egress rules; ports default to TCP', () => {
  const ingressOnly = create(strategy, np({})).obj.spec as Record<string, unknown>;
  assert.deepEqual(ingressOnly.policyTypes, ['Ingress']);
  const both = create(strategy, np({ egress: [{ ports: [{ port: 53 }] }] })).obj.spec as Loose;
  assert.deepEqual(both.policyTypes, ['Ingress', 'Egress']);
  assert.equal(both.egress[0].ports[0].protocol, 'TCP');
});

test('peers, ipBlocks and port ranges', () => {
  const spec = {
    ingress: [
      {
        from: [{}, { ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] }, podSelector: {} }],
        ports: [{ port: 'http', endPort: 90 }],
      },
    ],
    policyTypes: ['Ingress', 'Sideways'],
  };
  assert.deepEqual(create(strategy, np(spec)).errors, [
    'spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
    'spec.ingress[0].from[0]: Required value: must specify a peer',
    'spec.ingress[0].from[1].ipBlock.except[0]: Invalid value: "192.168.0.0/16": must be a strict subset of `cidr`',
    'spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer',
    'spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
  ]);
});
