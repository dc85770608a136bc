import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AllocationRange, staticBand } from './range.ts';
import { type AllocatorError, NodePortRange, ServiceIPRange } from './ranges.ts';

test('static band sizes follow upstream', () => {
  assert.equal(staticBand(65534, 16, 256, 16), 256);
  assert.equal(staticBand(14, 16, 256, 16), 0);
  assert.equal(staticBand(2768, 16, 128, 32), 86);
  assert.equal(staticBand(100, 16, 128, 32), 16);
});

test('random allocation fills the upper band before the lower one', () => {
  const r = new AllocationRange({ size: 20, offset: 4, random: () => 0 });
  const got = Array.from({ length: 20 }, (_, i) => r.next(`o${i}`));
  assert.deepEqual(
    got.slice(0, 16),
    Array.from({ length: 16 }, (_, i) => i + 4),
  );
  assert.deepEqual(got.slice(16), [0, 1, 2, 3]);
  assert.equal(r.next('b'), undefined);
});

test('claims belong to an owner and expire; stored holdings replace them', () => {
  let now = 0;
  const r = new AllocationRange({ size: 10, offset: 0, claimTtlMs: 100, now: () => now });
  assert.ok(r.claim(3, 'ns/a'));
  assert.ok(r.claim(3, 'ns/a'), 'the same owner may claim again (dry run, then the write)');
  assert.ok(!r.claim(3, 'ns/b'));
  now = 200;
  assert.ok(r.claim(3, 'ns/b'), 'an expired claim is free');
  r.setHeld('ns/b', [3]);
  now = 10_000;
  assert.ok(!r.isFree(3, 'ns/c'), 'held values never expire');
  r.setHeld('ns/b', []);
  assert.ok(r.isFree(3, 'ns/c'));
});

test('service IPs: network and broadcast excluded, reserved skipped, explicit allowed', () => {
  const ips = new ServiceIPRange('10.43.0.0/16', ['10.43.0.1', '10.43.0.10']);
  assert.equal(ips.range.size, 65534);
  assert.equal(ips.offsetOf('10.43.0.0'), undefined);
  assert.equal(ips.offsetOf('10.43.255.255'), undefined);
  assert.equal(ips.offsetOf('10.43.0.1'), 0);
  ips.allocate('10.43.0.10', 'kube-system/kube-dns');
  assert.throws(
    () => ips.allocate('10.43.0.10', 'default/x'),
    (e: AllocatorError) => e.message === 'provided IP is already allocated',
  );
  assert.throws(
    () => ips.allocate('10.44.0.1', 'default/x'),
    /provided IP is not in the valid range. The range of valid IPs is 10.43.0.0\/16/,
  );
  const small = new ServiceIPRange('192.168.0.0/29', ['192.168.0.1']);
  const handed = new Set(Array.from({ length: 5 }, (_, i) => small.allocateNext(`ns/s${i}`)));
  assert.equal(handed.size, 5);
  assert.ok(!handed.has('192.168.0.1'));
  assert.throws(() => small.allocateNext('ns/full'), /range is full/);
});

test('node ports: range text and errors', () => {
  const ports = new NodePortRange();
  assert.equal(ports.text, '30000-32767');
  ports.allocate(30080, 'default/a');
  assert.throws(() => ports.allocate(30080, 'default/b'), /provided port is already allocated/);
  assert.throws(
    () => ports.allocate(8080, 'default/b'),
    /provided port is not in the valid range. The range of valid ports is 30000-32767/,
  );
  const p = ports.allocateNext('default/c');
  assert.ok(p >= 30086 && p <= 32767, `${p} is in the upper band`);
});
