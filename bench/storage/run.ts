/**
 * npm run bench:storage — skiff's SQLite backend and a real etcd (Debian's etcd-server, started
 * here on loopback in a temp dir and stopped after) on the same workloads, in one run. Both keep
 * every acknowledged write on disk: skiff commits with SQLite WAL + synchronous=FULL (fsync per
 * commit, concurrent writes grouped into one commit); etcd fsyncs its WAL before it answers.
 * Prints one markdown table for docs/benchmarks.md.
 */
import os from 'node:os';
import { EtcdTarget } from './etcd.ts';
import { startEtcd } from './etcd-process.ts';
import { SkiffTarget } from './skiff.ts';
import type { BenchTarget } from './target.ts';
import { concurrentUpdates, gets, lists, type Result, sequentialCreates, watchLatency } from './workloads.ts';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const n = (x: number) => Math.max(1, Math.round(x * scale));

async function runAll(t: BenchTarget): Promise<Result[]> {
  const results: Result[] = [];
  const step = async (r: Promise<Result>) => {
    const result = await r;
    results.push(result);
    process.stderr.write(`  ${t.name}: ${result.workload} done\n`);
  };
  await step(sequentialCreates(t, n(2000)));
  await step(concurrentUpdates(t, n(8000), 16));
  await step(gets(t, n(10000), n(2000)));
  await step(lists(t, 10_000, n(20)));
  await step(watchLatency(t, n(1000)));
  return results;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function row(s: Result, e: Result): string {
  const stats = (r: Result) => {
    const sorted = [...r.latencies].sort((a, b) => a - b);
    return { rate: r.ops / r.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  };
  const a = stats(s);
  const b = stats(e);
  return `| ${s.workload} | ${fmt(a.rate)} | ${fmt(a.p50)} / ${fmt(a.p99)} | ${fmt(b.rate)} | ${fmt(b.p50)} / ${fmt(b.p99)} | ${(a.rate / b.rate).toFixed(2)}× |`;
}

const etcd = await startEtcd();
const stop = () => {
  void etcd.stop().finally(() => process.exit(130));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
try {
  const skiff = new SkiffTarget();
  const skiffResults = await runAll(skiff);
  await skiff.close();
  const client = await EtcdTarget.connect(etcd.endpoint);
  const etcdResults = await runAll(client);
  await client.close();

  console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}.`);
  console.log('Durability: both sync each acknowledged write to disk before answering.\n');
  console.log(
    '| workload | skiff ops/s | skiff p50 / p99 ms | etcd ops/s | etcd p50 / p99 ms | skiff/etcd |',
  );
  console.log('|---|---|---|---|---|---|');
  skiffResults.forEach((s, i) => {
    console.log(row(s, etcdResults[i]!));
  });
} finally {
  await etcd.stop();
}
