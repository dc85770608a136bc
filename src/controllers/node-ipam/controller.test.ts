import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, silent, testRegistry } from '../endpoints/testing.ts';
import { CidrSet } from './cidr-set.ts';
import { NodeIpamController } from './controller.ts';

test('cidr set: /24s of a /16 in order, occupy and release', () => {
  const set = new CidrSet('10.42.0.0/16');
  assert.equal(set.size, 256);
  assert.equal(set.allocateNext(), '10.42.0.0/24');
  assert.ok(set.occupy('10.42.1.0/24'));
  assert.equal(set.allocateNext(), '10.42.2.0/24');
  assert.ok(!set.occupy('10.43.0.0/24'));
  assert.ok(!set.occupy('10.42.3.0/25'));
  set.release('10.42.0.0/24');
  assert.equal(set.allocateNext(), '10.42.3.0/24', 'the candidate rotates on');
  const tiny = new CidrSet('10.0.0.0/23');
  assert.equal(tiny.allocateNext(), '10.0.0.0/24');
  assert.equal(tiny.allocateNext(), '10.0.1.0/24');
  assert.equal(tiny.allocateNext(), undefined);
});

test('nodes get unique pod CIDRs, rebuilt at start, released on delete', async () => {
  const registry = await testRegistry([]);
  const nodes = registry.byResource('', 'nodes')!;
  await nodes.create(undefined, {
    metadata: { name: 'pre' },
    spec: { podCIDR: '10.42.0.0/24', podCIDRs: ['10.42.0.0/24'] },
  });
  const controller = new NodeIpamController(registry, silent, { clusterCidr: '10.42.0.0/22' });
  await controller.start();
  for (const name of ['a', 'b', 'c']) await nodes.create(undefined, { metadata: { name } });
  const cidrOf = async (name: string) =>
    (await nodes.get(undefined, name)).spec as { podCIDR?: string; podCIDRs?: string[] } | undefined;
  const got = await eventually(async () => {
    const specs = await Promise.all(['a', 'b', 'c'].map(cidrOf));
    return specs.every((s) => s?.podCIDR) ? specs : undefined;
  });
  assert.deepEqual(got.map((s) => s!.podCIDR).sort(), ['10.42.1.0/24', '10.42.2.0/24', '10.42.3.0/24']);
  for (const s of got) assert.deepEqual(s!.podCIDRs, [s!.podCIDR]);
  // Full: a fourth node waits; deleting one frees its subnet for it.
  await nodes.create(undefined, { metadata: { name: 'd' } });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await cidrOf('d'))?.podCIDR, undefined);
  await nodes.delete(undefined, 'b');
  const freed = got[1]!.podCIDR;
  await eventually(async () => (await cidrOf('d'))?.podCIDR === freed, 5000);
  controller.stop();
  await registry.backend.close();
});
