import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileServerConfig, defaultDataDir } from './config.ts';

test('data dir defaults as k3s users expect', () => {
  assert.equal(defaultDataDir(0, '/root'), '/var/lib/skiff');
  assert.equal(defaultDataDir(1000, '/home/u'), '/home/u/.skiff');
});

test('the datastore lives under the data dir unless an endpoint is given', () => {
  assert.equal(compileServerConfig({ dataDir: '/d' }).datastoreEndpoint, 'sqlite:/d/server/db/state.db');
  assert.equal(
    compileServerConfig({ dataDir: '/d', datastoreEndpoint: 'memory:' }).datastoreEndpoint,
    'memory:',
  );
});
