import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { cpuPercent, cpuSeconds, findPids, rssMiB } from './procs.ts';

test('cpuSeconds and rssMiB read this process from /proc', () => {
  const before = cpuSeconds(process.pid);
  const until = performance.now() + 200;
  while (performance.now() < until) {} // burn 200 ms of CPU
  const after = cpuSeconds(process.pid);
  assert.ok(after - before >= 0.1, `${after} - ${before}`);
  const rss = rssMiB(process.pid);
  assert.ok(rss > 10 && rss < 4096, String(rss));
});

test('findPids finds a child by its command line; an idle child uses ~no CPU', async () => {
  const marker = `bench-pods-${process.pid}`;
  const child = spawn('sh', ['-c', 'sleep 30; true', marker], {
    stdio: 'ignore',
    detached: true, // its own process group: the sleep below sh goes with it
  });
  try {
    await new Promise((r) => setTimeout(r, 100));
    const pids = findPids((argv) => argv.includes(marker));
    assert.deepEqual(pids, [child.pid]);
    const [pct] = await cpuPercent(pids, 300);
    assert.ok(pct! >= 0 && pct! < 5, String(pct));
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
  }
});
