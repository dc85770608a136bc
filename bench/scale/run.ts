/**
 * npm run bench:scale — one `skiff server --disable-agent` (SQLite store in a temp dir), one
 * `skiff sim` with many nodes, then Deployments created at a steady rate from a few concurrent
 * clients. One watch on pods from this process records, per pod, when it was first seen (ADDED),
 * when it got spec.nodeName and when it was Running and Ready. A background probe (GET a
 * ConfigMap, LIST pods limit=50, every 100 ms) measures API latency during the run, and the
 * server's VmRSS/VmHWM is read from /proc every second. Prints markdown for docs/benchmarks.md.
 *
 * BENCH_SCALE (1): 1,000 nodes and 1,000 Deployments × 30 replicas at 1; 0.05 is a quick run.
 * BENCH_RATE (10): Deployments created per second (× 30 pods offered per second).
 * BENCH_TIMEOUT (900): seconds to wait for every pod to be Running before giving up.
 * BENCH_SERVER_NODE_OPTIONS: NODE_OPTIONS for the server only (e.g. --cpu-prof --cpu-prof-dir=/tmp/x);
 * BENCH_SIM_NODE_OPTIONS likewise for the sim.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { rawClient } from '../../test/helpers/https-client.ts';
import { fmt, Latencies, percentile } from '../api/stats.ts';

const root = path.join(import.meta.dirname, '..', '..');
const skiff = path.join(root, 'bin', 'run.js');

const scale = Number(process.env.BENCH_SCALE ?? '1');
const nodeCount = Math.max(1, Math.round(1000 * scale));
const deployments = Math.max(1, Math.round(1000 * scale));
const replicas = 30;
const rate = Number(process.env.BENCH_RATE ?? '10');
const timeoutS = Number(process.env.BENCH_TIMEOUT ?? '900');
const creators = 4;
const namespaces = Math.min(10, deployments);
const totalPods = deployments * replicas;

const log = (msg: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

if (!fs.existsSync(path.join(root, 'dist', 'cli', 'commands', 'sim.js')))
  throw new Error('dist/ is missing: build first (scripts/with-node.sh tsc -p tsconfig.build.json)');

// ---- processes, cleaned up by PID on exit and Ctrl-C ----

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-scale-'));
const children: ChildProcess[] = [];
let cleaning: Promise<void> | undefined;
let interrupted = false;

function killAll(signal: NodeJS.Signals): void {
  for (const c of children)
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(c.pid, signal);
      } catch {}
    }
}

/** Stops the children (the sim first) and removes the temp dir; once, however often called. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of [...children].reverse()) await stopChild(c);
    fs.rmSync(dir, { recursive: true, force: true });
  })();
  return cleaning;
}

function stopChild(c: ChildProcess): Promise<void> {
  if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => {
      try {
        process.kill(c.pid!, 'SIGKILL');
      } catch {}
    }, 10_000);
    c.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    try {
      process.kill(c.pid!, 'SIGTERM');
    } catch {
      clearTimeout(kill);
      resolve();
    }
  });
}

process.once('exit', () => {
  killAll('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    log(`${sig}: cleaning up`);
    interrupted = true;
    void cleanup().finally(() => process.exit(130));
  });

/** Spawns `node bin/run.js <args>`; resolves with the child once `ready` matches its stderr. */
function launch(
  name: string,
  args: string[],
  ready: RegExp,
  waitMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; match: RegExpExecArray; log: () => string }> {
  const child = spawn(process.execPath, [skiff, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
  children.push(child);
  let out = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    // Keep the tail only: a long run logs a lot.
    out = (out + d).slice(-200_000);
    if (process.env.SKIFF_TEST_LOG) process.stderr.write(d);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} not ready within ${waitMs / 1000} s:\n${out.slice(-4000)}`)),
      waitMs,
    );
    const check = () => {
      const m = ready.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stderr!.off('data', check);
      resolve({ child, match: m, log: () => out });
    };
    child.stderr!.on('data', check);
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code ?? sig}:\n${out.slice(-4000)}`));
    });
  });
}

// ---- helpers ----

const json = { 'Content-Type': 'application/json' };

async function expectOk(res: Promise<{ status: number; body: Buffer }>, what: string) {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.body.toString().slice(0, 300)}`);
  return r;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function procStatus(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 'NaN') * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

function procCpuSeconds(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    // utime, stime are fields 14 and 15 (1-based), i.e. 11 and 12 after "state".
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

const deployment = (ns: string, name: string) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { bench: 'scale' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, bench: 'scale' } },
        spec: {
          containers: [
            {
              name: 'c',
              image: 'registry.k8s.io/pause:3.10',
              resources: { requests: { cpu: '10m', memory: '16Mi' } },
            },
          ],
        },
      },
    },
  });

// ---- the pod watch ----

interface Condition {
  type: string;
  status: string;
}
interface WatchedObject {
  metadata: { uid: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: { nodeName?: string };
  status?: { phase?: string; conditions?: Condition[] };
}
const isReady = (o: WatchedObject) =>
  (o.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

interface PodTimes {
  seen: number;
  scheduled?: number;
  running?: number;
}

const pods = new Map<string, PodTimes>();
let scheduledCount = 0;
let runningCount = 0;
let onProgress: () => void = () => {};

function podEvent(type: string, pod: WatchedObject): void {
  if (type !== 'ADDED' && type !== 'MODIFIED') return;
  if (pod.metadata?.labels?.bench !== 'scale') return;
  const now = performance.now();
  const key = pod.metadata.uid;
  let t = pods.get(key);
  if (!t) {
    t = { seen: now };
    pods.set(key, t);
  }
  if (t.scheduled === undefined && pod.spec?.nodeName) {
    t.scheduled = now;
    scheduledCount++;
  }
  if (t.running === undefined && pod.status?.phase === 'Running' && isReady(pod)) {
    t.running = now;
    runningCount++;
    onProgress();
  }
}

/** Watches all pods from `rv`; re-watches from the last seen revision when a watch ends. */
function watchPods(kubeconfig: string, rv: string): { stop: () => void } {
  const kc = parseYaml(fs.readFileSync(kubeconfig, 'utf8'));
  const url = new URL(kc.clusters[0].cluster.server);
  const b64 = (s: string) => Buffer.from(s, 'base64');
  const agent = new https.Agent({
    keepAlive: true,
    ca: b64(kc.clusters[0].cluster['certificate-authority-data']),
    cert: b64(kc.users[0].user['client-certificate-data']),
    key: b64(kc.users[0].user['client-key-data']),
  });
  let last = rv;
  let stopped = false;
  let req: ReturnType<typeof https.request> | undefined;
  const once = () => {
    if (stopped) return;
    req = https.request(
      {
        host: url.hostname,
        port: url.port,
        path: `/api/v1/pods?watch=true&allowWatchBookmarks=true&resourceVersion=${last}`,
        agent,
      },
      (res) => {
        if (res.statusCode !== 200) {
          log(`pod watch: HTTP ${res.statusCode}`);
          res.resume();
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          let nl = buf.indexOf('\n');
          while (nl >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            nl = buf.indexOf('\n');
            if (!line.trim()) continue;
            const ev = JSON.parse(line);
            if (ev.type === 'ERROR') {
              log(`pod watch error: ${JSON.stringify(ev.object).slice(0, 300)}`);
              continue;
            }
            if (ev.object?.metadata?.resourceVersion) last = ev.object.metadata.resourceVersion;
            podEvent(ev.type, ev.object);
          }
        });
        res.on('end', () => setTimeout(once, 0));
        res.on('error', () => setTimeout(once, 100));
      },
    );
    req.on('error', (e) => {
      if (!stopped) {
        log(`pod watch: ${e.message}; again`);
        setTimeout(once, 200);
      }
    });
    req.end();
  };
  once();
  return {
    stop: () => {
      stopped = true;
      req?.destroy();
      agent.destroy();
    },
  };
}

// ---- the run ----

log(
  `scale ${scale}: ${nodeCount} nodes, ${deployments} Deployments × ${replicas} = ${totalPods} pods, ${rate} Deployments/s from ${creators} clients`,
);
const serverEnv = { ...process.env };
delete serverEnv.NODE_OPTIONS;
if (process.env.BENCH_SERVER_NODE_OPTIONS) serverEnv.NODE_OPTIONS = process.env.BENCH_SERVER_NODE_OPTIONS;
const kubeconfig = path.join(dir, 'kubeconfig.yaml');
const server = await launch(
  'server',
  [
    'server',
    '--disable-agent',
    '--data-dir',
    dir,
    '--https-listen-port',
    '0',
    '--bind-address',
    '127.0.0.1',
    '--write-kubeconfig',
    kubeconfig,
  ],
  /"port":(\d+).*"msg":"API server ready"/,
  30_000,
  serverEnv,
);
const serverPid = server.child.pid!;
log(`server ready (pid ${serverPid})`);

const rssSamples: number[] = [];
const rssTimer = setInterval(() => {
  const s = procStatus(serverPid);
  if (s) rssSamples.push(s.rss);
}, 1000);

const admin = rawClient(kubeconfig);
const probeClient = rawClient(kubeconfig);
let probeTimer: NodeJS.Timeout | undefined;
let watch: { stop: () => void } | undefined;
let exitCode = 0;

try {
  // Nodes.
  const tNodes = performance.now();
  const simEnv = { ...process.env };
  delete simEnv.NODE_OPTIONS;
  if (process.env.BENCH_SIM_NODE_OPTIONS) simEnv.NODE_OPTIONS = process.env.BENCH_SIM_NODE_OPTIONS;
  const sim = await launch(
    'sim',
    [
      'sim',
      '--kubeconfig',
      kubeconfig,
      '--nodes',
      String(nodeCount),
      '--cpu',
      '32',
      '--memory',
      '128Gi',
      '--pods',
      '110',
      '--ready-after',
      '0',
    ],
    /"msg":"simulated nodes ready"/,
    Math.max(60_000, nodeCount * 600),
    simEnv,
  );
  const simPid = sim.child.pid!;
  for (;;) {
    const r = await expectOk(admin.request('GET', '/api/v1/nodes', { timeoutMs: 60_000 }), 'list nodes');
    const items = JSON.parse(r.body.toString()).items as WatchedObject[];
    const ready = items.filter(isReady).length;
    if (ready >= nodeCount) break;
    log(`${ready}/${nodeCount} nodes Ready`);
    await sleep(1000);
  }
  const nodesSeconds = (performance.now() - tNodes) / 1000;
  log(`${nodeCount} nodes Ready after ${nodesSeconds.toFixed(1)} s (sim pid ${simPid})`);

  for (let i = 0; i < namespaces; i++)
    await expectOk(
      admin.request('POST', '/api/v1/namespaces', {
        body: JSON.stringify({ metadata: { name: `scale-${i}` } }),
        headers: json,
      }),
      'namespace',
    );
  await expectOk(
    admin.request('POST', '/api/v1/namespaces/default/configmaps', {
      body: JSON.stringify({ metadata: { name: 'probe' }, data: { k: 'v' } }),
      headers: json,
    }),
    'configmap',
  );

  // The watch, from the current revision.
  const listed = await expectOk(admin.request('GET', '/api/v1/pods?limit=1'), 'list pods');
  watch = watchPods(kubeconfig, JSON.parse(listed.body.toString()).metadata.resourceVersion);

  // Background API probe.
  const probeLat = new Latencies();
  const probeAllMs: number[] = [];
  let probeErrors = 0;
  let probing = false;
  probeTimer = setInterval(() => {
    if (probing) return; // a slow probe is one sample, not a pile-up
    probing = true;
    void (async () => {
      try {
        let t = performance.now();
        await expectOk(
          probeClient.request('GET', '/api/v1/namespaces/default/configmaps/probe'),
          'probe get',
        );
        probeLat.add('GET configmap', performance.now() - t);
        probeAllMs.push(performance.now() - t);
        t = performance.now();
        await expectOk(probeClient.request('GET', '/api/v1/namespaces/scale-0/pods?limit=50'), 'probe list');
        probeLat.add('LIST pods limit=50', performance.now() - t);
        probeAllMs.push(performance.now() - t);
      } catch (e) {
        probeErrors++;
        if (probeErrors <= 5) log(`probe: ${(e as Error).message}`);
      } finally {
        probing = false;
      }
    })();
  }, 100);

  // Create Deployments at a steady rate.
  const createLat = new Latencies();
  const cpuBefore = procCpuSeconds(serverPid);
  const simCpuBefore = procCpuSeconds(simPid);
  const benchCpuBefore = process.cpuUsage();
  const tStart = performance.now();
  let next = 0;
  let creationDone = 0;
  await Promise.all(
    Array.from({ length: creators }, async () => {
      for (;;) {
        const i = next++;
        if (i >= deployments) return;
        const due = tStart + (i / rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const ns = `scale-${i % namespaces}`;
        const t = performance.now();
        await expectOk(
          admin.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
            body: deployment(ns, `d${i}`),
            headers: json,
            timeoutMs: 60_000,
          }),
          'create deployment',
        );
        createLat.add('POST deployment', performance.now() - t);
      }
    }),
  );
  creationDone = performance.now();
  log(
    `${deployments} Deployments created in ${((creationDone - tStart) / 1000).toFixed(1)} s; pods seen ${pods.size}, scheduled ${scheduledCount}, running ${runningCount}`,
  );

  // Wait for every pod to be Running.
  const progress = setInterval(() => {
    const s = procStatus(serverPid);
    log(
      `pods seen ${pods.size}, scheduled ${scheduledCount}, running ${runningCount}/${totalPods}; server RSS ${s ? mib(s.rss) : '?'}`,
    );
  }, 5000);
  const allRunning = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutS * 1000);
    onProgress = () => {
      if (runningCount >= totalPods) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    onProgress();
  });
  clearInterval(progress);
  const tEnd = performance.now();
  const cpuAfter = procCpuSeconds(serverPid);
  const simCpu = procCpuSeconds(simPid) - simCpuBefore;
  const benchCpuUsage = process.cpuUsage(benchCpuBefore);
  const benchCpu = (benchCpuUsage.user + benchCpuUsage.system) / 1e6;
  clearInterval(probeTimer);
  probeTimer = undefined;
  while (probing) await sleep(20);
  const status = procStatus(serverPid)!;
  const simStatus = procStatus(simPid);
  if (!allRunning) {
    log(`timed out after ${timeoutS} s: ${runningCount}/${totalPods} running`);
    exitCode = 1;
  }

  // Results.
  const all = [...pods.values()];
  const sched = all.filter((p) => p.scheduled !== undefined).map((p) => p.scheduled!);
  const firstSched = Math.min(...sched);
  const lastSched = Math.max(...sched);
  const schedRate = sched.length > 1 ? sched.length / ((lastSched - firstSched) / 1000) : Number.NaN;
  const startup = all
    .filter((p) => p.running !== undefined)
    .map((p) => p.running! - p.seen)
    .sort((a, b) => a - b);
  const toSched = all
    .filter((p) => p.scheduled !== undefined)
    .map((p) => p.scheduled! - p.seen)
    .sort((a, b) => a - b);
  const schedToRun = all
    .filter((p) => p.running !== undefined && p.scheduled !== undefined)
    .map((p) => p.running! - p.scheduled!)
    .sort((a, b) => a - b);
  const seen = all.map((p) => p.seen);
  const creationSpan = (Math.max(...seen) - Math.min(...seen)) / 1000;
  const runSeconds = (tEnd - tStart) / 1000;
  const probeRows = probeLat.rows();
  const probeAll = percentile(
    probeAllMs.sort((a, b) => a - b),
    99,
  );
  const peakSampled = Math.max(...rssSamples, status.rss);
  const createRows = createLat.rows();

  const ok = (b: boolean) => (b ? '✅' : '❌');
  console.log(
    `\nMachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${mib(os.totalmem())} RAM, Node ${process.version}. ` +
      `Server (SQLite), sim and benchmark in separate processes on the same machine.\n`,
  );
  console.log(
    `BENCH_SCALE=${scale}: ${nodeCount} simulated nodes (32 CPU, 128Gi, 110 pods each; Ready after ${nodesSeconds.toFixed(1)} s), ` +
      `${deployments} Deployments × ${replicas} replicas = ${totalPods} pods, created at ${rate} Deployments/s ` +
      `(${fmt(rate * replicas)} pods/s offered) from ${creators} clients.` +
      `${allRunning ? '' : ` **Timed out after ${timeoutS} s with ${runningCount}/${totalPods} pods Running.**`}\n`,
  );
  console.log('| measurement | result | target |');
  console.log('|---|---|---|');
  console.log(
    `| pods Running | ${runningCount} / ${totalPods} in ${runSeconds.toFixed(1)} s from the first create | all | `,
  );
  console.log(
    `| scheduler throughput | **${fmt(schedRate)} pods/s** (${sched.length} pods between first and last binding, ${((lastSched - firstSched) / 1000).toFixed(1)} s) | ≥ 300 pods/s ${ok(schedRate >= 300)} |`,
  );
  console.log(
    `| pods created (first seen) | ${pods.size} over ${creationSpan.toFixed(1)} s = ${fmt(pods.size / creationSpan)} pods/s | |`,
  );
  console.log(
    `| first seen → scheduled p50 / p99 | ${fmt(percentile(toSched, 50))} / ${fmt(percentile(toSched, 99))} ms | |`,
  );
  console.log(
    `| start-up latency (first seen → Running and Ready) p50 / p99 | ${fmt(percentile(startup, 50))} / **${fmt(percentile(startup, 99))} ms** (max ${fmt(startup[startup.length - 1] ?? Number.NaN)} ms) | p99 ≤ 5000 ms ${ok(percentile(startup, 99) <= 5000)} |`,
  );
  console.log(
    `| scheduled → Running and Ready p50 / p99 | ${fmt(percentile(schedToRun, 50))} / ${fmt(percentile(schedToRun, 99))} ms | |`,
  );
  for (const r of probeRows)
    console.log(
      `| API probe: ${r.label} p50 / p99 | ${fmt(r.p50)} / ${fmt(r.p99)} ms (${r.count} samples) | |`,
    );
  console.log(`| API probe p99 (both) | **${fmt(probeAll)} ms** (${probeErrors} errors) | |`);
  for (const r of createRows) console.log(`| ${r.label} p50 / p99 | ${fmt(r.p50)} / ${fmt(r.p99)} ms | |`);
  console.log(
    `| server peak RSS (VmHWM) | **${mib(status.hwm)}** (sampled peak ${mib(peakSampled)}, at the end ${mib(status.rss)}) | < 1536 MiB ${ok(status.hwm < 1.5 * 2 ** 30)} |`,
  );
  console.log(
    `| server CPU during the run | ${(cpuAfter - cpuBefore).toFixed(0)} s over ${runSeconds.toFixed(0)} s (${(((cpuAfter - cpuBefore) / runSeconds) * 100).toFixed(0)} % of one core) | |`,
  );
  console.log(
    `| sim / benchmark CPU during the run | ${simCpu.toFixed(0)} s (${((simCpu / runSeconds) * 100).toFixed(0)} %) / ${benchCpu.toFixed(0)} s (${((benchCpu / runSeconds) * 100).toFixed(0)} %) | |`,
  );
  if (simStatus) console.log(`| sim peak RSS (VmHWM) | ${mib(simStatus.hwm)} | |`);
} catch (e) {
  if (!interrupted) log(`failed: ${(e as Error).stack ?? e}`);
  exitCode = 1;
} finally {
  clearInterval(rssTimer);
  if (probeTimer) clearInterval(probeTimer);
  watch?.stop();
  admin.close();
  probeClient.close();
  await cleanup();
}
process.exit(interrupted ? 130 : exitCode);
