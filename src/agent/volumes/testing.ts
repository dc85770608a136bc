/** Shared set-up for the PodVolumes unit tests: a temp root, a fake source and a recording mounter. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import { FakeObjectSource } from './fake-source.ts';
import { PodVolumes, VolumeSetUpError } from './index.ts';
import { RecordingMounter } from './mounter.ts';

export const root = await mkdtemp(join(tmpdir(), 'skiff-podvol-'));
after(() => rm(root, { recursive: true, force: true }));
let seq = 0;
export const nextPodDir = () => join(root, `pod-${++seq}`);

export function makePod(volumes: V1Volume[], containers: V1Container[] = [{ name: 'c' }]): V1Pod {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'uid-1', labels: { app: 'web' }, annotations: { v: '1' } },
    spec: { containers, volumes, serviceAccountName: 'robot' },
  };
}

export function setup(volumes: V1Volume[], containers?: V1Container[], now?: () => number) {
  const source = new FakeObjectSource();
  const mounter = new RecordingMounter();
  const podDir = nextPodDir();
  const pod = makePod(volumes, containers);
  const vols = new PodVolumes({
    podDir,
    pod,
    source,
    mounter,
    nodeName: 'n1',
    allocatable: { cpu: '4' },
    now,
  });
  return { source, mounter, podDir, pod, vols };
}

export async function failures(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof VolumeSetUpError, String(err));
    return err.failures.map((f) => f.message);
  }
  assert.fail('expected a VolumeSetUpError');
}
