import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { desiredSubsets, repackSubsets, truncateSubsets } from './subsets.ts';

const svc = (spec: Record<string, unknown>): KubeObject => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { clusterIP: '10.43.0.20', ipFamilies: ['IPv4'], selector: { app: 'web' }, ...spec },
});

function pod(
  name: string,
  ip: string,
  opts: { ready?: boolean; named?: number; extra?: Record<string, unknown> } = {},
) {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' } },
    spec: {
      nodeName: 'n1',
      containers: [
        {
          name: 'c',
          ports: opts.named ? [{ name: 'http', containerPort: opts.named, protocol: 'TCP' }] : [],
        },
      ],
      ...opts.extra,
    },
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  } as KubeObject;
}

test('ready and not-ready pods, ports resolved by name', () => {
  const s = svc({ ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
  const subsets = desiredSubsets(s, [
    pod('a', '10.42.0.5', { named: 8080 }),
    pod('b', '10.42.0.6', { named: 8080, ready: false }),
    pod('c', '10.42.0.7', { named: 9090 }),
    pod('no-port', '10.42.0.8'),
  ]);
  assert.deepEqual(subsets, [
    {
      addresses: [
        {
          ip: '10.42.0.5',
          nodeName: 'n1',
          targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' },
        },
      ],
      notReadyAddresses: [
        {
          ip: '10.42.0.6',
          nodeName: 'n1',
          targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' },
        },
      ],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
    {
      addresses: [
        {
          ip: '10.42.0.7',
          nodeName: 'n1',
          targetRef: { kind: 'Pod', namespace: 'default', name: 'c', uid: 'uid-c' },
        },
      ],
      ports: [{ name: 'http', port: 9090, protocol: 'TCP' }],
    },
  ]);
});

test('pods without an IP, terminating or finished are left out; publishNotReadyAddresses', () => {
  const s = svc({ ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] });
  const noIP = pod('x', '');
  (noIP.status as Record<string, unknown>).podIPs = [];
  const terminating = pod('t', '10.42.0.9');
  terminating.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  const done = pod('d', '10.42.0.10', { extra: { restartPolicy: 'Never' } });
  (done.status as Record<string, unknown>).phase = 'Succeeded';
  const notReady = pod('n', '10.42.0.11', { ready: false });
  assert.deepEqual(
    desiredSubsets(s, [noIP, terminating, done, notReady]).map((x) => [
      x.addresses?.map((a) => a.ip),
      x.notReadyAddresses?.map((a) => a.ip),
    ]),
    [[undefined, ['10.42.0.11']]],
  );
  const publish = svc({
    ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }],
    publishNotReadyAddresses: true,
  });
  assert.deepEqual(
    desiredSubsets(publish, [terminating, notReady]).flatMap((x) => x.addresses?.map((a) => a.ip)),
    ['10.42.0.11', '10.42.0.9'],
  );
});

test('headless Service without ports: addresses with no ports; hostname under its subdomain', () => {
  const s = svc({ clusterIP: 'None' });
  const p = pod('h', '10.42.0.12', { extra: { hostname: 'h0', subdomain: 'web' } });
  assert.deepEqual(desiredSubsets(s, [p]), [
    {
      addresses: [
        {
          ip: '10.42.0.12',
          hostname: 'h0',
          nodeName: 'n1',
          targetRef: { kind: 'Pod', namespace: 'default', name: 'h', uid: 'uid-h' },
        },
      ],
    },
  ]);
  assert.deepEqual(desiredSubsets(svc({}), [p]), [], 'a Service with an IP and no ports has none');
});

test('repack merges ports offered by the same addresses; truncation keeps ready first', () => {
  const a = { ip: '10.0.0.1' };
  const b = { ip: '10.0.0.2' };
  const repacked = repackSubsets([
    { addresses: [a], ports: [{ name: 'x', port: 1, protocol: 'TCP' }] },
    { addresses: [a], ports: [{ name: 'y', port: 2, protocol: 'TCP' }] },
    { notReadyAddresses: [a], ports: [{ name: 'x', port: 1, protocol: 'TCP' }] },
    { notReadyAddresses: [b], ports: [{ name: 'x', port: 1, protocol: 'TCP' }] },
  ]);
  assert.deepEqual(repacked, [
    { addresses: [a], notReadyAddresses: [b], ports: [{ name: 'x', port: 1, protocol: 'TCP' }] },
    { addresses: [a], ports: [{ name: 'y', port: 2, protocol: 'TCP' }] },
  ]);
  assert.deepEqual(truncateSubsets(repacked, 2), [
    { addresses: [a], ports: [{ name: 'x', port: 1, protocol: 'TCP' }] },
    { addresses: [a], ports: [{ name: 'y', port: 2, protocol: 'TCP' }] },
  ]);
});
