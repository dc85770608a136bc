import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/object.ts';
import { create, edited, strategyOf } from '../shared/testing.ts';

const strategy = strategyOf('', 'endpoints');
const ep: KubeObject = {
  metadata: { name: 'web' },
  subsets: [{ addresses: [{ ip: '10.42.0.5' }], ports: [{ port: 80 }] }],
};

test('ports default to TCP; PUT creates', () => {
  const { obj, errors } = create(strategy, ep);
  assert.deepEqual(errors, []);
  assert.deepEqual((obj.subsets as { ports: unknown[] }[])[0]!.ports, [{ port: 80, protocol: 'TCP' }]);
  assert.equal(strategy.allowCreateOnUpdate, true);
});

test('addresses must be IPs and not special; subsets need addresses', () => {
  const bad = edited(ep, (e) => {
    e.subsets = [
      { addresses: [{ ip: 'nope' }, { ip: '169.254.1.1' }], ports: [{ port: 80 }, { name: 'b', port: 0 }] },
      { ports: [{ port: 80 }] },
    ];
  });
  assert.deepEqual(create(strategy, bad).errors, [
    'subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    'subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address',
    'subsets[0].addresses[1].ip: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
    'subsets[0].ports[0].name: Required value',
    'subsets[0].ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`',
  ]);
});
