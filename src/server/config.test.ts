import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileServerConfig, defaultDataDir, defaultKubeconfig, firstAddress } from './config.ts';

test('data dir and kubeconfig default as k3s users expect', () => {
  assert.equal(defaultDataDir(0, '/root'), '/var/lib/skiff');
  assert.equal(defaultDataDir(1000, '/home/u'), '/home/u/.skiff');
  assert.equal(defaultKubeconfig(0, '/root'), '/etc/skiff/skiff.yaml');
  assert.equal(defaultKubeconfig(1000, '/home/u'), '/home/u/.kube/skiff.yaml');
});

test('the datastore lives under the data dir unless an endpoint is given', () => {
  assert.equal(compileServerConfig({ dataDir: '/d' }).datastoreEndpoint, 'sqlite:/d/server/db/state.db');
  assert.equal(
    compileServerConfig({ dataDir: '/d', datastoreEndpoint: 'memory:' }).datastoreEndpoint,
    'memory:',
  );
});

test('k3s defaults for ports and networks', () => {
  const c = compileServerConfig({ dataDir: '/d' });
  assert.equal(c.httpsListenPort, 6443);
  assert.equal(c.clusterCidr, '10.42.0.0/16');
  assert.equal(c.serviceCidr, '10.43.0.0/16');
  assert.equal(c.apiServiceIp, '10.43.0.1');
  assert.equal(c.clusterDns, '10.43.0.10');
});

test('first address of a CIDR', () => {
  assert.equal(firstAddress('10.43.0.0/16'), '10.43.0.1');
  assert.equal(firstAddress('192.168.7.128/25'), '192.168.7.129');
  assert.throws(() => firstAddress('10.0.0.0/31'));
  assert.throws(() => firstAddress('nonsense'));
});
