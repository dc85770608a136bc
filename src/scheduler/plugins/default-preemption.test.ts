import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickOneNodeForPreemption } from '../preemption.ts';
import { makePod, podInfo } from '../testing.ts';
import { moreImportant, splitByPDBViolation } from './default-preemption.ts';

const victim = (name: string, priority: number, startTime?: string, labels: Record<string, string> = {}) => {
  const p = makePod(name, { priority, labels });
  if (startTime) p.status = { ...(p.status as object), startTime };
  return podInfo(p);
};
const candidate = (name: string, pods: ReturnType<typeof victim>[], numPDBViolations = 0) => ({
  name,
  victims: { pods, numPDBViolations, status: undefined },
});

test('victims: higher priority first, then the one that started earlier', () => {
  const pods = [
    victim('new', 1, '2024-01-02T00:00:00Z'),
    victim('top', 9),
    victim('old', 1, '2024-01-01T00:00:00Z'),
  ];
  assert.deepEqual(
    pods.sort(moreImportant).map((p) => p.name),
    ['top', 'old', 'new'],
  );
});

test('node choice: fewest PDB violations, lowest top victim, smallest sum, fewest victims, latest start', () => {
  assert.equal(
    pickOneNodeForPreemption([candidate('a', [victim('x', 1)], 1), candidate('b', [victim('y', 5)])])?.name,
    'b',
  );
  assert.equal(
    pickOneNodeForPreemption([
      candidate('a', [victim('x', 5)]),
      candidate('b', [victim('y', 3), victim('z', 3)]),
    ])?.name,
    'b',
  );
  assert.equal(
    pickOneNodeForPreemption([
      candidate('a', [victim('x', 3), victim('w', 2)]),
      candidate('b', [victim('y', 3), victim('z', 1)]),
    ])?.name,
    'b',
  );
  assert.equal(
    pickOneNodeForPreemption([
      candidate('a', [victim('x', 3), victim('w', 0)]),
      candidate('b', [victim('y', 3)]),
    ])?.name,
    'b',
  );
  assert.equal(
    pickOneNodeForPreemption([
      candidate('a', [victim('x', 3, '2024-01-01T00:00:00Z')]),
      candidate('b', [victim('y', 3, '2024-06-01T00:00:00Z')]),
    ])?.name,
    'b',
  );
});

test('PDBs: victims beyond disruptionsAllowed count as violations', () => {
  const pdb = {
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } } },
    status: { disruptionsAllowed: 1 },
  };
  const pods = [
    victim('w1', 0, undefined, { app: 'web' }),
    victim('w2', 0, undefined, { app: 'web' }),
    victim('db', 0, undefined, { app: 'db' }),
  ];
  const [violating, ok] = splitByPDBViolation(pods, [pdb]);
  assert.deepEqual(
    violating.map((p) => p.name),
    ['w2'],
  );
  assert.deepEqual(
    ok.map((p) => p.name),
    ['w1', 'db'],
  );
});
