import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { KubeObject } from '../../api/object.ts';
import type { Registry } from '../../registry/registry.ts';
import type { Backend } from '../../storage/types.ts';
import { eventually, testRegistry } from '../util/testing.ts';
import { JobController } from './controller.ts';
import { finishPod, jobObject } from './testing.ts';
import type { Job } from './types.ts';

let registry: Registry;
let backend: Backend;
let controller: JobController;

before(async () => {
  ({ registry, backend } = await testRegistry());
  controller = new JobController(registry, pino({ level: 'silent' }), { podFailureBackoffMs: 20 });
  await controller.start();
});
after(async () => {
  controller.stop();
  await backend.close();
});

const pods = () => registry.byResource('', 'pods')!;
const jobs = () => registry.byResource('batch', 'jobs')!;
const getJob = async (name: string) => (await jobs().get('default', name)) as Job;

async function runningPodsOf(job: string): Promise<KubeObject[]> {
  const { items } = await pods().list('default');
  return items.filter(
    (p) =>
      p.metadata.ownerReferences?.some((r) => r.name === job) &&
      !p.metadata.deletionTimestamp &&
      !['Succeeded', 'Failed'].includes((p.status as { phase?: string } | undefined)?.phase ?? ''),
  );
}

async function events(reason: string): Promise<string[]> {
  const { items } = await registry.byResource('', 'events')!.list('default');
  return items.filter((e) => e.reason === reason).map((e) => e.message as string);
}

test('a Job with completions 3 and parallelism 2 completes', async () => {
  await jobs().create('default', jobObject('pi', { completions: 3, parallelism: 2 }));
  let done = 0;
  while (done < 3) {
    const running = await eventually(async () => {
      const p = await runningPodsOf('pi');
      return p.length > 0 && p;
    });
    assert.ok(running.length <= 2);
    assert.deepEqual(running[0]!.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
    await finishPod(registry, running[0]!, 'Succeeded');
    done++;
  }
  const job = await eventually(async () => {
    const j = await getJob('pi');
    return j.status?.conditions?.some((c) => c.type === 'Complete') && j;
  });
  assert.equal(job.status?.succeeded, 3);
  assert.equal(job.status?.active, undefined);
  assert.ok(job.status?.completionTime);
  assert.deepEqual(
    job.status?.conditions?.map((c) => [c.type, c.status, c.reason]),
    [
      ['SuccessCriteriaMet', 'True', 'CompletionsReached'],
      ['Complete', 'True', 'CompletionsReached'],
    ],
  );
  // Every counted pod lost its finalizer.
  const { items } = await pods().list('default');
  for (const p of items.filter((p) => p.metadata.ownerReferences?.[0]?.name === 'pi'))
    assert.equal(p.metadata.finalizers, undefined);
  assert.ok((await events('Completed')).includes('Job completed'));
  assert.ok((await events('SuccessfulCreate')).some((m) => m.startsWith('Created pod: pi-')));
});

test('a failing Job backs off and ends BackoffLimitExceeded', async () => {
  await jobs().create('default', jobObject('fail', { backoffLimit: 2 }));
  const seen = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const [pod] = await eventually(async () => {
      const p = (await runningPodsOf('fail')).filter((x) => !seen.has(x.metadata.uid!));
      return p.length > 0 && p;
    });
    seen.add(pod!.metadata.uid!);
    await finishPod(registry, pod!, 'Failed');
  }
  const job = await eventually(async () => {
    const j = await getJob('fail');
    return j.status?.conditions?.some((c) => c.type === 'Failed') && j;
  });
  assert.equal(job.status?.failed, 3);
  assert.deepEqual(
    job.status?.conditions?.map((c) => [c.type, c.reason]),
    [
      ['FailureTarget', 'BackoffLimitExceeded'],
      ['Failed', 'BackoffLimitExceeded'],
    ],
  );
  assert.ok((await events('BackoffLimitExceeded')).includes('Job has reached the specified backoff limit'));
});

test('an Indexed Job runs one pod per index', async () => {
  await jobs().create(
    'default',
    jobObject('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }),
  );
  const running = await eventually(async () => {
    const p = await runningPodsOf('idx');
    return p.length === 3 && p;
  });
  const indexes = running
    .map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'])
    .sort();
  assert.deepEqual(indexes, ['0', '1', '2']);
  for (const p of running) {
    const ix = p.metadata.labels?.['batch.kubernetes.io/job-completion-index'];
    assert.equal((p.spec as { hostname?: string }).hostname, `idx-${ix}`);
    assert.ok(p.metadata.name!.startsWith(`idx-${ix}-`));
  }
  for (const p of running) await finishPod(registry, p, 'Succeeded');
  const job = await eventually(async () => {
    const j = await getJob('idx');
    return j.status?.conditions?.some((c) => c.type === 'Complete') && j;
  });
  assert.equal(job.status?.completedIndexes, '0-2');
  assert.equal(job.status?.succeeded, 3);
});

test('activeDeadlineSeconds fails the Job with DeadlineExceeded', async () => {
  await jobs().create('default', jobObject('slow', { activeDeadlineSeconds: 1 }));
  const job = await eventually(async () => {
    const j = await getJob('slow');
    return j.status?.conditions?.some((c) => c.type === 'Failed') && j;
  }, 5000);
  assert.equal(job.status?.conditions?.find((c) => c.type === 'Failed')?.reason, 'DeadlineExceeded');
  assert.equal((await runningPodsOf('slow')).length, 0);
});

test('suspending a Job deletes its pods and sets Suspended', async () => {
  await jobs().create('default', jobObject('nap', { parallelism: 2, completions: 4 }));
  await eventually(async () => (await runningPodsOf('nap')).length === 2);
  await jobs().guaranteedUpdate('default', 'nap', (cur) => ({
    ...cur!,
    spec: { ...(cur!.spec as object), suspend: true },
  }));
  const job = await eventually(async () => {
    const j = await getJob('nap');
    return j.status?.conditions?.some((c) => c.type === 'Suspended' && c.status === 'True') && j;
  });
  await eventually(async () => (await runningPodsOf('nap')).length === 0);
  assert.equal(job.status?.failed, undefined);
});
