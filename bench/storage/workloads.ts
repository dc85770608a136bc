import type { BenchTarget } from './target.ts';

export interface Result {
  readonly workload: string;
  readonly ops: number;
  readonly seconds: number;
  /** Latency of each operation, ms. */
  readonly latencies: number[];
}

const value = (i: number, bytes = 1024) => `${i}:`.padEnd(bytes, 'v');
const now = () => performance.now();

async function timed(fn: () => Promise<unknown>, latencies: number[]): Promise<void> {
  const t = now();
  await fn();
  latencies.push(now() - t);
}

export async function sequentialCreates(t: BenchTarget, n: number): Promise<Result> {
  const latencies: number[] = [];
  const start = now();
  for (let i = 0; i < n; i++) await timed(() => t.create(`/bench/seq/${i}`, value(i)), latencies);
  return {
    workload: `sequential creates (${n} × 1 KiB)`,
    ops: n,
    seconds: (now() - start) / 1000,
    latencies,
  };
}

export async function concurrentUpdates(t: BenchTarget, n: number, workers: number): Promise<Result> {
  const revs: number[] = [];
  for (let w = 0; w < workers; w++) {
    await t.create(`/bench/upd/${w}`, value(0));
    revs.push((await t.get(`/bench/upd/${w}`))!.modRevision);
  }
  const latencies: number[] = [];
  const start = now();
  await Promise.all(
    revs.map(async (_, w) => {
      for (let i = 0; i < n / workers; i++) {
        const t0 = now();
        revs[w] = await t.update(`/bench/upd/${w}`, value(i), revs[w]!);
        latencies.push(now() - t0);
      }
    }),
  );
  return {
    workload: `${workers}-way concurrent updates (${n}, compare-and-swap)`,
    ops: n,
    seconds: (now() - start) / 1000,
    latencies,
  };
}

export async function gets(t: BenchTarget, n: number, keys: number): Promise<Result> {
  const latencies: number[] = [];
  const start = now();
  for (let i = 0; i < n; i++) await timed(() => t.get(`/bench/seq/${(i * 7919) % keys}`), latencies);
  return { workload: `gets (${n}, sequential)`, ops: n, seconds: (now() - start) / 1000, latencies };
}

export async function lists(t: BenchTarget, keys: number, rounds: number): Promise<Result> {
  for (let i = 0; i < keys; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, keys - i) }, (_, j) =>
        t.create(`/bench/list/${i + j}`, value(i + j)),
      ),
    );
  }
  const latencies: number[] = [];
  const start = now();
  for (let r = 0; r < rounds; r++) {
    const t0 = now();
    const n = await t.list('/bench/list/');
    latencies.push(now() - t0);
    if (n !== keys) throw new Error(`${t.name}: listed ${n} keys, expected ${keys}`);
  }
  return { workload: `list ${keys} keys × 1 KiB`, ops: rounds, seconds: (now() - start) / 1000, latencies };
}

/** From the call that writes to the watcher receiving the event, one write at a time. */
export async function watchLatency(t: BenchTarget, n: number): Promise<Result> {
  await t.create('/bench/watch/k', value(0));
  let rev = (await t.get('/bench/watch/k'))!.modRevision;
  let waiting: ((v: string) => void) | undefined;
  const cancel = await t.watch('/bench/watch/', (_k, v) => waiting?.(v));
  const latencies: number[] = [];
  const start = now();
  for (let i = 1; i <= n; i++) {
    const expected = value(i);
    const t0 = now();
    const seen = new Promise<void>((resolve) => {
      waiting = (v) => v === expected && resolve();
    });
    rev = await t.update('/bench/watch/k', expected, rev);
    await seen;
    latencies.push(now() - t0);
  }
  cancel();
  return { workload: `write → watch event (${n})`, ops: n, seconds: (now() - start) / 1000, latencies };
}
