import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desiredRoutes, planRoutes, routeFacts } from './routes.ts';

const node = (name: string, podCIDR?: string, ip?: string) =>
  routeFacts({
    metadata: { name },
    spec: podCIDR ? { podCIDR } : {},
    status: {
      addresses: ip
        ? [
            { type: 'Hostname', address: name },
            { type: 'InternalIP', address: ip },
          ]
        : [],
    },
  });

test('a route to every other node with a podCIDR and an InternalIP', () => {
  const d = desiredRoutes(
    [
      node('self', '10.42.0.0/24', '192.168.1.1'),
      node('b', '10.42.1.0/24', '192.168.1.2'),
      node('no-cidr', undefined, '192.168.1.3'),
      node('no-ip', '10.42.3.0/24'),
      node('v6', 'fd00::/64', '192.168.1.5'),
      node('bad', '10.42.9.0/99', '192.168.1.6'),
    ],
    'self',
  );
  assert.deepEqual([...d], [['10.42.1.0/24', '192.168.1.2']]);
});

test('plan replaces changed or missing routes and deletes only routes no node wants', () => {
  const plan = planRoutes(
    [
      { dst: '10.42.1.0/24', gateway: '192.168.1.2' },
      { dst: '10.42.2.0/24', gateway: '192.168.1.9' },
      { dst: '10.42.7.0/24', gateway: '192.168.1.7' },
    ],
    new Map([
      ['10.42.1.0/24', '192.168.1.2'],
      ['10.42.2.0/24', '192.168.1.3'],
      ['10.42.4.0/24', '192.168.1.4'],
    ]),
  );
  assert.deepEqual(plan.replace, [
    ['10.42.2.0/24', '192.168.1.3'],
    ['10.42.4.0/24', '192.168.1.4'],
  ]);
  assert.deepEqual(plan.remove, ['10.42.7.0/24']);
});
