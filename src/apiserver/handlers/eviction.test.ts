import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { isStatusError } from '../../api/status.ts';
import { DisruptionController } from '../../controllers/disruption/controller.ts';
import { eventually, markPodReady, testRegistry } from '../../controllers/util/testing.ts';
import type { Registry } from '../../registry/registry.ts';
import type { Backend } from '../../storage/types.ts';
import { evictPod } from './eviction.ts';

let registry: Registry;
let backend: Backend;
let controller: DisruptionController;

before(async () => {
  ({ registry, backend } = await testRegistry());
  controller = new DisruptionController(registry, pino({ level: 'silent' }));
  await controller.start();
});
after(async () => {
  controller.stop();
  await backend.close();
});

const pods = () => registry.byResource('', 'pods')!;
const pdbs = () => registry.byResource('policy', 'poddisruptionbudgets')!;

async function readyPod(name: string, labels: Record<string, string>) {
  const pod = await pods().create('default', {
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'i' }] },
  });
  await markPodReady(registry, pod);
}

const allowed = (name: string, n: number) =>
  eventually(async () => {
    const s = (await pdbs().get('default', name)).status as {
      disruptionsAllowed?: number;
      observedGeneration?: number;
    };
    return s?.observedGeneration !== undefined && s.disruptionsAllowed === n;
  });

test('an eviction that would break the budget is refused with 429, then allowed once the budget permits', async () => {
  await readyPod('a-0', { app: 'a' });
  await readyPod('a-1', { app: 'a' });
  await pdbs().create('default', {
    metadata: { name: 'a' },
    spec: { minAvailable: 2, selector: { matchLabels: { app: 'a' } } },
  });
  await allowed('a', 0);
  await assert.rejects(evictPod(registry, 'default', 'a-0', {}), (e: unknown) => {
    assert.ok(isStatusError(e));
    assert.equal(e.code, 429);
    assert.equal(e.reason, 'TooManyRequests');
    assert.equal(e.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(e.details?.causes, [
      {
        reason: 'DisruptionBudget',
        message: 'The disruption budget a needs 2 healthy pods and has 2 currently',
      },
    ]);
    return true;
  });
  await pods().get('default', 'a-0');
  await pdbs().guaranteedUpdate('default', 'a', (cur) => ({
    ...cur!,
    spec: { ...(cur!.spec as object), minAvailable: 1 },
  }));
  await allowed('a', 1);
  await evictPod(registry, 'default', 'a-0', {});
  await assert.rejects(pods().get('default', 'a-0'), (e: unknown) => isStatusError(e) && e.code === 404);
  // The second eviction finds no disruption left.
  await assert.rejects(
    evictPod(registry, 'default', 'a-1', {}),
    (e: unknown) => isStatusError(e) && e.code === 429,
  );
  const status = (await pdbs().get('default', 'a')).status as { disruptedPods?: Record<string, string> };
  assert.ok(!status.disruptedPods || !('a-1' in status.disruptedPods));
});

test('a finished pod is evicted regardless of its budget; a pod without a budget just goes', async () => {
  await readyPod('b-0', { app: 'b' });
  await pdbs().create('default', {
    metadata: { name: 'b' },
    spec: { minAvailable: 5, selector: { matchLabels: { app: 'b' } } },
  });
  await allowed('b', 0);
  await pods().guaranteedUpdate('default', 'b-0', (cur) => ({ ...cur!, status: { phase: 'Succeeded' } }), {
    subresource: 'status',
  });
  await evictPod(registry, 'default', 'b-0', {});
  await assert.rejects(pods().get('default', 'b-0'), (e: unknown) => isStatusError(e) && e.code === 404);
  await readyPod('free', { app: 'free' });
  await evictPod(registry, 'default', 'free', {});
  await assert.rejects(pods().get('default', 'free'), (e: unknown) => isStatusError(e) && e.code === 404);
});

test('deleteOptions are honoured: a dry run leaves the pod and the budget', async () => {
  await readyPod('c-0', { app: 'c' });
  await readyPod('c-1', { app: 'c' });
  await pdbs().create('default', {
    metadata: { name: 'c' },
    spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'c' } } },
  });
  await eventually(
    async () =>
      ((await pdbs().get('default', 'c')).status as { observedGeneration?: number })?.observedGeneration ===
      1,
  );
  // maxUnavailable needs the pods' controllers: these have none, so nothing is allowed.
  await assert.rejects(
    evictPod(registry, 'default', 'c-0', { dryRun: true }),
    (e: unknown) => isStatusError(e) && e.code === 429,
  );
  await pdbs().guaranteedUpdate('default', 'c', (cur) => ({
    ...cur!,
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'c' } } },
  }));
  await allowed('c', 1);
  await evictPod(registry, 'default', 'c-0', { dryRun: true });
  await pods().get('default', 'c-0');
  assert.equal(
    ((await pdbs().get('default', 'c')).status as { disruptionsAllowed: number }).disruptionsAllowed,
    1,
  );
});
