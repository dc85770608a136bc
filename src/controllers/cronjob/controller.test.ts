import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { type KubeObject, timestamp } from '../../api/object.ts';
import type { Registry } from '../../registry/registry.ts';
import type { Backend } from '../../storage/types.ts';
import { eventually, testRegistry } from '../util/testing.ts';
import { CronJobController } from './controller.ts';
import type { CronJob } from './times.ts';

let registry: Registry;
let backend: Backend;
let controller: CronJobController;
let clock = Date.now();

before(async () => {
  ({ registry, backend } = await testRegistry());
  controller = new CronJobController(registry, pino({ level: process.env.LOG ?? 'silent' }), {
    now: () => clock,
  });
  await controller.start();
});
after(async () => {
  controller.stop();
  await backend.close();
});

const jobs = () => registry.byResource('batch', 'jobs')!;
const cronJobs = () => registry.byResource('batch', 'cronjobs')!;

function cronJob(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: '* * * * *',
      timeZone: 'UTC',
      ...spec,
      jobTemplate: {
        metadata: { labels: { team: 'a' } },
        spec: {
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      },
    },
  };
}

async function jobsOf(cj: string): Promise<KubeObject[]> {
  const { items } = await jobs().list('default');
  return items.filter((j) => j.metadata.ownerReferences?.some((r) => r.name === cj && r.controller));
}

/** Moves the fake clock to `seconds` past the next minute and syncs the CronJob. */
function tickToNextMinute(name: string, seconds = 1): number {
  const minute = Math.floor(clock / 60_000) * 60_000 + 60_000;
  clock = minute + seconds * 1000;
  controller.queue.add(`default/${name}`);
  return minute;
}

async function complete(job: KubeObject): Promise<void> {
  const now = timestamp(new Date(clock));
  await jobs().guaranteedUpdate(
    'default',
    job.metadata.name!,
    (cur) => ({
      ...cur!,
      status: {
        startTime: now,
        completionTime: now,
        succeeded: 1,
        conditions: [
          {
            type: 'SuccessCriteriaMet',
            status: 'True',
            lastProbeTime: now,
            lastTransitionTime: now,
            reason: 'CompletionsReached',
            message: 'm',
          },
          {
            type: 'Complete',
            status: 'True',
            lastProbeTime: now,
            lastTransitionTime: now,
            reason: 'CompletionsReached',
            message: 'm',
          },
        ],
      },
    }),
    { subresource: 'status' },
  );
}

test('creates a Job at the scheduled minute, then honours Forbid and the history limit', async () => {
  clock = Date.now();
  const created = await cronJobs().create(
    'default',
    cronJob('tick', { concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 1 }),
  );
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await jobsOf('tick')).length, 0);

  const minute = tickToNextMinute('tick');
  const [first] = await eventually(async () => {
    const j = await jobsOf('tick');
    return j.length === 1 && j;
  });
  assert.equal(first!.metadata.name, `tick-${minute / 60_000}`);
  assert.equal(
    first!.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'],
    new Date(minute).toISOString().replace('.000Z', 'Z'),
  );
  assert.deepEqual(first!.metadata.labels?.team, 'a');
  assert.equal(first!.metadata.ownerReferences?.[0]?.uid, created.metadata.uid);
  const cj = await eventually(async () => {
    const c = (await cronJobs().get('default', 'tick')) as CronJob;
    return c.status?.active?.length === 1 && c;
  });
  assert.equal(cj.status?.lastScheduleTime, new Date(minute).toISOString().replace('.000Z', 'Z'));

  // Forbid: the first Job still runs, so the next minute starts nothing.
  const blocked = tickToNextMinute('tick');
  await eventually(async () => {
    const { items } = await registry.byResource('', 'events')!.list('default');
    return items.some((e) => e.reason === 'JobAlreadyActive');
  });
  assert.equal((await jobsOf('tick')).length, 1);

  // Once it completes, the missed time still starts late (no startingDeadlineSeconds).
  await complete(first!);
  const second = await eventually(async () => {
    const j = await jobsOf('tick');
    return j.find((x) => x.metadata.name === `tick-${blocked / 60_000}`);
  });
  await eventually(
    async () => ((await cronJobs().get('default', 'tick')) as CronJob).status?.lastSuccessfulTime,
  );
  await complete(second);
  // Only one successful Job is kept: the older one goes.
  await eventually(async () => {
    const j = await jobsOf('tick');
    return j.length === 1 && j[0]!.metadata.name === second.metadata.name;
  });
  const { items } = await registry.byResource('', 'events')!.list('default');
  const messages = items.map((e) => `${e.reason}: ${e.message}`);
  assert.ok(messages.includes(`SuccessfulCreate: Created job ${first!.metadata.name}`));
  assert.ok(
    messages.includes(`SawCompletedJob: Saw completed job: ${first!.metadata.name}, condition: Complete`),
  );
  assert.ok(messages.includes(`SuccessfulDelete: Deleted job ${first!.metadata.name}`));
});

test('a start missed by more than startingDeadlineSeconds, or while suspended, is skipped', async () => {
  clock = Date.now();
  await cronJobs().create('default', cronJob('late', { startingDeadlineSeconds: 10 }));
  tickToNextMinute('late', 30);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await jobsOf('late')).length, 0);

  clock = Date.now();
  await cronJobs().create('default', cronJob('off', { suspend: true }));
  tickToNextMinute('off');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await jobsOf('off')).length, 0);
});
