import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { eventually, silent, testRegistry } from '../endpoints/testing.ts';
import { expiresAt, TtlAfterFinishedController } from './controller.ts';

const job = (name: string, ttl?: number): KubeObject => ({
  metadata: { name },
  spec: {
    ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}),
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
  },
});
const at = (msAgo: number) => `${new Date(Date.now() - msAgo).toISOString().slice(0, 19)}Z`;

test('expiry time: finish time plus ttl, only for finished Jobs with a ttl', () => {
  const finished = (type: string, ttl?: number) => ({
    ...job('j', ttl),
    status: { conditions: [{ type, status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] },
  });
  assert.equal(expiresAt(finished('Complete', 10)), Date.parse('2024-01-01T00:00:10Z'));
  assert.equal(expiresAt(finished('Failed', 0)), Date.parse('2024-01-01T00:00:00Z'));
  assert.equal(expiresAt(finished('Complete')), undefined);
  assert.equal(expiresAt(finished('SuccessCriteriaMet', 10)), undefined);
  assert.equal(expiresAt(job('j', 10)), undefined);
});

test('finished Jobs are deleted after their ttl, with their pods first', async () => {
  const registry = await testRegistry();
  const jobs = registry.byResource('batch', 'jobs')!;
  const finish = async (name: string, msAgo: number) =>
    jobs.guaranteedUpdate(
      'default',
      name,
      (cur) => ({
        ...cur!,
        status: {
          startTime: at(msAgo + 1000),
          completionTime: at(msAgo),
          succeeded: 1,
          conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: at(msAgo) }],
        },
      }),
      { subresource: 'status' },
    );
  const expired = await jobs.create('default', job('expired', 5));
  await jobs.create('default', job('soon', 2));
  await jobs.create('default', job('keep', 3600));
  await jobs.create('default', job('no-ttl'));
  await jobs.create('default', job('running', 0));
  const pod = await registry.byResource('', 'pods')!.create('default', {
    metadata: {
      name: 'expired-pod',
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: 'expired',
          uid: expired.metadata.uid!,
          blockOwnerDeletion: true,
          controller: true,
        },
      ],
    },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  assert.ok(pod);
  for (const [name, ago] of [
    ['expired', 60_000],
    ['soon', 0],
    ['keep', 60_000],
    ['no-ttl', 60_000],
  ] as const)
    await finish(name, ago);
  const controller = new TtlAfterFinishedController(registry, silent);
  await controller.start();
  const names = async () =>
    (await jobs.list('default')).items
      .filter((j) => !j.metadata.deletionTimestamp)
      .map((j) => j.metadata.name)
      .sort();
  const marked = await eventually(async () => {
    const j = await jobs.get('default', 'expired').catch(() => undefined);
    return j?.metadata.deletionTimestamp ? j : undefined;
  });
  assert.deepEqual(marked.metadata.finalizers, ['foregroundDeletion']);
  await eventually(async () => !(await names()).includes('soon'), 5000);
  assert.deepEqual(await names(), ['keep', 'no-ttl', 'running']);
  controller.stop();
  await registry.backend.close();
});
