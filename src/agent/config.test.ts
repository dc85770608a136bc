import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileAgentConfig, parseLabels, parseTaints } from './config.ts';

test('defaults as k3s has them; per-node cgroup parent', () => {
  const c = compileAgentConfig({ dataDir: '/tmp/x', nodeName: 'N1', nodeIp: '10.0.0.5' });
  assert.equal(c.agentDir, '/tmp/x/agent');
  assert.equal(c.nodeName, 'n1');
  assert.deepEqual(c.clusterDns, ['10.43.0.10']);
  assert.equal(c.clusterDomain, 'cluster.local');
  assert.equal(c.kubeletPort, 10250);
  assert.equal(c.cgroupParent, '/skiff/n1');
  assert.match(c.pauseImageTarball, /build\/images\/pause\.tar$/);
});

test('labels and taints from flags, with clear refusals', () => {
  assert.deepEqual(parseLabels(['a=b', 'c=']), { a: 'b', c: '' });
  assert.throws(() => parseLabels(['nokey']), /--node-label "nokey": expected key=value/);
  assert.deepEqual(parseTaints(['k=v:NoSchedule', 'x:NoExecute']), [
    { key: 'k', value: 'v', effect: 'NoSchedule' },
    { key: 'x', effect: 'NoExecute' },
  ]);
  assert.throws(() => parseTaints(['k=v:Sometimes']), /expected key\[=value\]:NoSchedule/);
});
