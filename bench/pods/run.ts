/**
 * npm run bench:pods (root) — pod start-up: the raw CRI floor against skiff, in one run.
 *
 * 1. A private containerd (images imported): busybox pods started by calling RunPodSandbox →
 *    CreateContainer → StartContainer directly, for 1, 10 and 30 pods one after another, and
 *    for 10 and 30 all at once.
 * 2. `skiff server` with its embedded agent (slot 7): the same pods created through the API
 *    (scheduled, no nodeName), each timed from create-request-sent to Running-seen-on-a-watch,
 *    in the same sequential and concurrent rounds; deleted (and gone) between rounds.
 * 3. Idle, with 30 pods running: the server process's CPU over 30 s and RSS; containerd's RSS.
 * Prints a markdown table and the skiff/raw ratios of the medians; writes nothing else.
 */
import { execFileSync } from 'node:child_process';
import { CriClient } from '../../src/agent/cri/client.ts';
import { privateNode } from '../../test/helpers/containerd.ts';
import { type RawClient, rawClient } from '../../test/helpers/https-client.ts';
import { startServer, type TestServer } from '../../test/helpers/server.ts';
import { breakdown, describe } from './breakdown.ts';
import { cpuPercent, findPids, rssMiB } from './procs.ts';
import { rawCriConcurrent, rawCriFloor, summary } from './raw.ts';
import { deleteAll, ensureNamespace, retrying, skiffPods } from './skiff.ts';

if (process.getuid?.() !== 0) {
  console.error('bench:pods needs root (containerd, runc, CNI)');
  process.exit(1);
}

const sizes = [1, 10, 30];
const idleMs = Number(process.env.BENCH_IDLE_MS ?? 30_000);
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const loadBefore = uptime();

interface Round {
  label: string;
  raw: number[];
  skiff: number[];
}
const rounds = new Map<string, Round>();
const round = (label: string) => {
  let r = rounds.get(label);
  if (!r) {
    r = { label, raw: [], skiff: [] };
    rounds.set(label, r);
  }
  return r;
};
const steps: string[] = [];

// 1. The raw floor.
const node = await privateNode('bench-pods-raw');
try {
  const opts = { logRoot: node.logRoot, cgroupParent: node.cgroupParent };
  await rawCriFloor(node.cri, 1, opts); // warm-up: first sandbox, first CNI call, page cache
  for (const n of sizes) {
    const r = await rawCriFloor(node.cri, n, opts);
    round(`${n} sequential`).raw = r.total;
    const med = (k: 'runPodSandbox' | 'createContainer' | 'startContainer') => summary(r[k]).median;
    steps.push(
      `raw ${n} sequential, median ms: RunPodSandbox ${med('runPodSandbox')}, CreateContainer ${med('createContainer')}, StartContainer ${med('startContainer')}`,
    );
    if (n > 1) round(`${n} concurrent`).raw = await rawCriConcurrent(node.cri, n, opts);
  }
} finally {
  const report = await node.cleanup();
  if (report.errors.length) console.error('raw node cleanup errors:', report.errors);
}

// 2. skiff.
async function waitNodeReady(c: RawClient, ms = 120_000): Promise<string> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const r = await c.request('GET', '/api/v1/nodes');
    const ready = JSON.parse(r.body.toString()).items?.find(
      (n: { status?: { conditions?: { type: string; status: string }[] } }) =>
        n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'),
    );
    if (ready) return ready.metadata.name;
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error('no node turned Ready');
}

/** The first pod may race the ServiceAccount controller making `default`: retry it. */
async function warmUp(c: RawClient, kubeconfig: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await skiffPods(c, kubeconfig, 'warm', 1, false);
      return;
    } catch (e) {
      if (i >= 20 || !/serviceaccount|service account/i.test(String(e))) throw e;
      await new Promise((res) => setTimeout(res, 500));
    }
  }
}

let server: TestServer | undefined;
let c: RawClient | undefined;
let agentCri: CriClient | undefined;
const idle: string[] = [];
try {
  server = await startServer([], { agent: { slot: 7 } });
  c = retrying(rawClient(server.kubeconfig));
  await waitNodeReady(c);
  await ensureNamespace(c);
  await warmUp(c, server.kubeconfig);
  await deleteAll(c);
  const measure = async (label: string, prefix: string, n: number, concurrent: boolean) => {
    const r = await skiffPods(c!, server!.kubeconfig, prefix, n, concurrent);
    round(label).skiff = r.total;
    agentCri ??= await CriClient.connect(`${server!.dir}/agent/containerd/containerd.sock`);
    steps.push(
      `skiff ${label}, median ms: create → bound (scheduler) ${summary(r.scheduled).median}; ${await breakdown(agentCri, r.times).then(describe, (e) => `no breakdown: ${e}`)}`,
    );
  };
  for (const n of sizes) {
    await measure(`${n} sequential`, `s${n}`, n, false);
    await deleteAll(c);
    if (n === 1) continue;
    await measure(`${n} concurrent`, `c${n}`, n, true);
    if (n !== 30) await deleteAll(c);
  }

  // 3. Idle with 30 pods running.
  const dir = server.dir;
  await new Promise((res) => setTimeout(res, 10_000)); // status posts and probes settle
  const [serverPid] = findPids((a) => a.includes('server') && a.includes('--data-dir') && a.includes(dir));
  const [containerdPid] = findPids((a) => /(^|\/)containerd$/.test(a[0] ?? '') && a.join(' ').includes(dir));
  const shims = findPids((a) => /containerd-shim/.test(a[0] ?? '') && a.join(' ').includes(dir));
  if (!serverPid || !containerdPid) throw new Error('server or containerd process not found');
  const [serverCpu, containerdCpu] = await cpuPercent([serverPid, containerdPid], idleMs);
  const shimRss = shims.reduce((sum, pid) => sum + rssMiB(pid), 0);
  idle.push(
    `| skiff server (API + controllers + agent) | ${serverCpu!.toFixed(2)} % | ${rssMiB(serverPid).toFixed(0)} MiB |`,
    `| containerd | ${containerdCpu!.toFixed(2)} % | ${rssMiB(containerdPid).toFixed(0)} MiB |`,
    `| ${shims.length} containerd-shim-runc-v2 (sum) | — | ${shimRss.toFixed(0)} MiB |`,
  );
  await deleteAll(c);
} finally {
  c?.close();
  agentCri?.close();
  await server?.cleanup();
}

// 4. The table.
const ms = (xs: number[]) => {
  const s = summary(xs);
  return `${s.median.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
};
console.log(`load before: ${loadBefore}`);
console.log(`load after:  ${uptime()}\n`);
console.log('| pods | raw CRI ms, median (min–max) | skiff ms, median (min–max) | skiff/raw (medians) |');
console.log('| ---- | ---------------------------- | -------------------------- | ------------------- |');
for (const r of rounds.values()) {
  const ratio = summary(r.skiff).median / summary(r.raw).median;
  console.log(`| ${r.label} | ${ms(r.raw)} | ${ms(r.skiff)} | ${ratio.toFixed(2)}× |`);
}
console.log('');
for (const s of steps) console.log(s);
console.log(`\nIdle, 30 pods running, CPU over ${idleMs / 1000} s (% of one core):\n`);
console.log('| process | CPU | RSS |');
console.log('| ------- | --- | --- |');
for (const line of idle) console.log(line);
