import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalIp, classifySans, defaultSans, sameSans } from './sans.ts';

const host = {
  hostname: 'edge-1',
  interfaces: {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '', internal: true, cidr: null }],
    eth0: [
      {
        address: '192.168.1.20',
        netmask: '255.255.255.0',
        family: 'IPv4',
        mac: '',
        internal: false,
        cidr: null,
      },
      {
        address: 'fe80::1',
        netmask: 'ffff:ffff:ffff:ffff::',
        family: 'IPv6',
        mac: '',
        internal: false,
        cidr: null,
        scopeid: 2,
      },
      {
        address: '2001:DB8:0:0::7',
        netmask: 'ffff:ffff:ffff:ffff::',
        family: 'IPv6',
        mac: '',
        internal: false,
        cidr: null,
        scopeid: 0,
      },
    ],
  },
} as const;

test('default SANs hold loopback, host, interfaces, kubernetes names, the service IP and extras', () => {
  const sans = defaultSans(
    ['API.example.com', '203.0.113.9', '[2001:db8::9]', 'localhost', ' '],
    '10.43.0.1',
    {
      hostname: host.hostname,
      interfaces: structuredClone(host.interfaces) as never,
    },
  );
  assert.deepEqual(sans.dns, [
    'localhost',
    'edge-1',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    'api.example.com',
  ]);
  assert.deepEqual(sans.ips, [
    '127.0.0.1',
    '::1',
    '192.168.1.20',
    '2001:db8::7',
    '10.43.0.1',
    '203.0.113.9',
    '2001:db8::9',
  ]);
});

test('the real host gives at least the fixed names', () => {
  const sans = defaultSans([], '10.43.0.1');
  for (const name of ['localhost', 'kubernetes.default.svc.cluster.local'])
    assert.ok(sans.dns.includes(name));
  for (const ip of ['127.0.0.1', '::1', '10.43.0.1']) assert.ok(sans.ips.includes(ip));
});

test('IPs are canonicalized, DNS names lower-cased, duplicates dropped', () => {
  assert.equal(canonicalIp('2001:0DB8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(canonicalIp('[::1]'), '::1');
  assert.equal(canonicalIp('::ffff:1.2.3.4'), '::ffff:102:304');
  assert.equal(canonicalIp('example.com'), undefined);
  assert.deepEqual(classifySans(['A.b', 'a.B', '::1', '0:0:0:0:0:0:0:1']), { dns: ['a.b'], ips: ['::1'] });
});

test('SANs compare as sets', () => {
  assert.ok(
    sameSans(
      { dns: ['a', 'b'], ips: ['::1', '10.0.0.1'] },
      { dns: ['B', 'a', 'a'], ips: ['10.0.0.1', '0::1'] },
    ),
  );
  assert.ok(!sameSans({ dns: ['a'], ips: [] }, { dns: ['a', 'b'], ips: [] }));
  assert.ok(!sameSans({ dns: [], ips: ['10.0.0.1'] }, { dns: [], ips: ['10.0.0.2'] }));
});
