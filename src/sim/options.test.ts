import assert from 'node:assert/strict';
import { test } from 'node:test';
import { microTime } from '../agent/node/lease.ts';
import { fallbackPodCIDR, nodeIP, PodIPs } from './addresses.ts';
import { podBehaviour } from './annotations.ts';
import { mergeTaints } from './node-object.ts';
import { parseDuration, parseLabels, parseTaints } from './options.ts';

test('labels and taints from flags', () => {
  assert.deepEqual(parseLabels('a=1, b=x=y,,c='), { a: '1', b: 'x=y', c: '' });
  assert.deepEqual(parseLabels(undefined), {});
  assert.throws(() => parseLabels('novalue'), /invalid label "novalue"/);
  assert.deepEqual(parseTaints('dedicated=sim:NoSchedule,gpu:NoExecute'), [
    { key: 'dedicated', value: 'sim', effect: 'NoSchedule' },
    { key: 'gpu', effect: 'NoExecute' },
  ]);
  assert.throws(() => parseTaints('a=b'), /invalid taint "a=b"/);
  assert.throws(() => parseTaints('a=b:Sometimes'), /invalid taint/);
});

test('Go-style durations', () => {
  assert.equal(parseDuration('3s'), 3000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('2'), 2000);
  assert.equal(parseDuration('soon'), undefined);
  assert.equal(parseDuration(''), undefined);
});

test('pod behaviour from annotations', () => {
  assert.deepEqual(podBehaviour(undefined), { exitCode: 0, neverReady: false });
  assert.deepEqual(
    podBehaviour({
      'sim.skiff.io/exit-after': '3s',
      'sim.skiff.io/exit-code': '2',
      'sim.skiff.io/never-ready': 'true',
    }),
    { exitAfterMs: 3000, exitCode: 2, neverReady: true },
  );
  assert.equal(podBehaviour({ 'sim.skiff.io/exit-code': 'x' }).exitCode, 0);
});

test('fake addresses', () => {
  assert.equal(nodeIP(0), '127.0.0.2');
  assert.equal(nodeIP(300), '127.0.1.46');
  assert.equal(fallbackPodCIDR(257), '10.201.1.0/24');
  const ips = new PodIPs('10.42.3.0/24');
  assert.equal(ips.allocate(), '10.42.3.2');
  ips.claim('10.42.3.3');
  assert.equal(ips.allocate(), '10.42.3.4');
  ips.release('10.42.3.2');
  const small = new PodIPs('10.0.0.0/30');
  assert.equal(small.allocate(), '10.0.0.2');
  assert.equal(small.allocate(), '10.0.0.2', 'a full range reuses addresses');
});

test('MicroTime and taint merging', () => {
  assert.equal(microTime(Date.UTC(2026, 10, 23, 16, 4, 5, 123) + 0.456), '2026-11-23T16:04:05.123456Z');
  assert.match(microTime(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  const merged = mergeTaints(
    [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: new Date(0) }],
    [{ key: 'dedicated', value: 'sim', effect: 'NoSchedule' }],
  );
  assert.deepEqual(merged, [
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '1970-01-01T00:00:00Z' },
    { key: 'dedicated', value: 'sim', effect: 'NoSchedule' },
  ]);
});
