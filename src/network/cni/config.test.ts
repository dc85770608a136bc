import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bridgeNameFor, CniConfigError, cniConflist, parseIpv4Cidr, writeCniConfig } from './config.ts';

const base = {
  confDir: '/var/lib/skiff/agent/cni',
  podCidr: '10.42.3.0/24',
  bridge: 'skiff0',
  ipamDataDir: '/var/lib/skiff/agent/cni/ipam',
  clusterCidr: '10.42.0.0/16',
};

test('conflist has the verified shape: bridge + host-local → portmap → loopback', () => {
  const c = cniConflist(base) as { cniVersion: string; name: string; plugins: Record<string, unknown>[] };
  assert.equal(c.name, 'skiff');
  assert.deepEqual(
    c.plugins.map((p) => p.type),
    ['bridge', 'portmap', 'loopback'],
  );
  assert.deepEqual(c.plugins[0], {
    type: 'bridge',
    bridge: 'skiff0',
    isGateway: true,
    hairpinMode: true,
    ipMasq: false,
    ipam: {
      type: 'host-local',
      ranges: [[{ subnet: '10.42.3.0/24', gateway: '10.42.3.1' }]],
      routes: [{ dst: '0.0.0.0/0' }],
      dataDir: '/var/lib/skiff/agent/cni/ipam',
    },
  });
  assert.deepEqual(c.plugins[1], { type: 'portmap', capabilities: { portMappings: true } });
});

test('bridge names are unique per node and fit IFNAMSIZ', () => {
  const a = bridgeNameFor('edge-1');
  assert.match(a, /^sk[0-9a-f]{8}$/);
  assert.equal(a, bridgeNameFor('edge-1'));
  assert.notEqual(a, bridgeNameFor('edge-2'));
  assert.ok(bridgeNameFor('a'.repeat(300)).length <= 15);
  assert.throws(() => cniConflist({ ...base, bridge: 'a-very-long-bridge' }), /1-15 characters/);
  assert.throws(() => cniConflist({ ...base, bridge: 'bad name' }), /1-15 characters/);
});

test('bad CIDRs give clear errors', () => {
  assert.throws(
    () => cniConflist({ ...base, podCidr: '10.42.3.0' }),
    /podCidr "10.42.3.0" is not an IPv4 CIDR/,
  );
  assert.throws(
    () => cniConflist({ ...base, podCidr: '10.42.3.7/24' }),
    /host bits set \(did you mean 10.42.3.0\/24\?\)/,
  );
  assert.throws(
    () => cniConflist({ ...base, podCidr: '10.99.0.0/24' }),
    /not inside clusterCidr 10.42.0.0\/16/,
  );
  assert.throws(() => cniConflist({ ...base, podCidr: '10.42.3.0/31' }), /too small/);
  assert.throws(() => cniConflist({ ...base, clusterCidr: '300.1.0.0/16' }), CniConfigError);
  assert.deepEqual(parseIpv4Cidr('x', '0.0.0.0/0'), { base: 0, bits: 0 });
  assert.equal(parseIpv4Cidr('x', '255.255.255.0/24').base, 0xffffff00);
});

test('writeCniConfig writes atomically and leaves no temp file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sk-cni-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const opts = { ...base, confDir: join(dir, 'net.d'), ipamDataDir: join(dir, 'ipam') };
  const path = writeCniConfig(opts);
  assert.equal(path, join(dir, 'net.d', '10-skiff.conflist'));
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).plugins[0].bridge, 'skiff0');
  writeCniConfig({ ...opts, podCidr: '10.42.9.0/24' });
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).plugins[0].ipam.ranges[0][0].gateway, '10.42.9.1');
  assert.deepEqual(readdirSync(join(dir, 'net.d')), ['10-skiff.conflist']);
  assert.throws(() => writeCniConfig({ ...opts, podCidr: 'nope' }), CniConfigError);
  assert.deepEqual(readdirSync(join(dir, 'net.d')), ['10-skiff.conflist']);
});
