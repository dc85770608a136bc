/**
 * npm run bench:api — `skiff server --disable-agent` in its own process, driven over HTTPS with
 * keep-alive (as client-go does) from this one: 20 concurrent clients doing mixed
 * create/get/list/update/delete on ConfigMaps and Pods, a list of 10,000 Pods (JSON and
 * kubectl's Table), and one write fanned out to 100 watchers. Prints markdown for
 * docs/benchmarks.md.
 */
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { parse as parseYaml } from 'yaml';
import { type RawClient, rawClient } from '../../test/helpers/https-client.ts';
import { startServer } from '../../test/helpers/server.ts';
import { fmt, Latencies } from './stats.ts';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const clients = 20;
const opsPerClient = Math.round(300 * scale);
const listSize = Math.round(10_000 * Math.min(1, scale * 2));
const watchers = 100;

const cm = (ns: string, name: string, i: number) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, labels: { i: String(i % 10) } },
    data: { v: `value-${i}`.padEnd(200, '.') },
  });
const pod = (ns: string, name: string, i: number) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: 'bench', i: String(i % 10) } },
    // Another scheduler's pods: the default scheduler leaves them alone, so the benchmark
    // measures the API, not the scheduler's status writes racing the clients' updates.
    spec: {
      schedulerName: 'bench-scheduler',
      containers: [
        { name: 'c', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '10m' } } },
      ],
    },
  });

const json = { 'Content-Type': 'application/json' };

async function expectOk(res: Promise<{ status: number; body: Buffer }>, what: string) {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.body.toString().slice(0, 200)}`);
  return r;
}

async function mixedLoad(c: RawClient, lat: Latencies): Promise<{ requests: number; seconds: number }> {
  let requests = 0;
  const timed = async (label: string, fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    lat.add(label, performance.now() - t);
    requests++;
  };
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, id) => {
      const ns = `load-${id % 4}`;
      for (let i = 0; i < opsPerClient; i++) {
        const kind = i % 2 === 0 ? 'configmaps' : 'pods';
        const name = `c${id}-${i}`;
        const base = `/api/v1/namespaces/${ns}/${kind}`;
        const body = kind === 'configmaps' ? cm(ns, name, i) : pod(ns, name, i);
        await timed('create', () => expectOk(c.request('POST', base, { body, headers: json }), 'create'));
        const got = await (async () => {
          let r: { body: Buffer } | undefined;
          await timed('get', async () => {
            r = await expectOk(c.request('GET', `${base}/${name}`), 'get');
          });
          return JSON.parse(r!.body.toString());
        })();
        got.metadata.labels.touched = 'yes';
        await timed('update', () =>
          expectOk(
            c.request('PUT', `${base}/${name}`, { body: JSON.stringify(got), headers: json }),
            'update',
          ),
        );
        if (i % 5 === 0)
          await timed('list', () =>
            expectOk(c.request('GET', `${base}?labelSelector=i%3D${i % 10}&limit=100`), 'list'),
          );
        if (i % 3 !== 2)
          await timed('delete', () => expectOk(c.request('DELETE', `${base}/${name}`), 'delete'));
      }
    }),
  );
  return { requests, seconds: (performance.now() - start) / 1000 };
}

async function bigList(c: RawClient, lat: Latencies): Promise<void> {
  for (let i = 0; i < listSize; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, listSize - i) }, (_, j) =>
        expectOk(
          c.request('POST', '/api/v1/namespaces/big/pods', {
            body: pod('big', `p${i + j}`, i + j),
            headers: json,
          }),
          'create',
        ),
      ),
    );
  }
  const table = { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' };
  for (let r = 0; r < 10; r++) {
    let t = performance.now();
    const res = await expectOk(
      c.request('GET', '/api/v1/namespaces/big/pods', { timeoutMs: 60_000 }),
      'list',
    );
    lat.add(`list ${listSize} pods (JSON)`, performance.now() - t);
    if (JSON.parse(res.body.toString()).items.length !== listSize) throw new Error('short list');
    t = performance.now();
    await expectOk(
      c.request('GET', '/api/v1/namespaces/big/pods', { headers: table, timeoutMs: 60_000 }),
      'table',
    );
    lat.add(`list ${listSize} pods (Table, as kubectl get)`, performance.now() - t);
  }
}

/** 100 watchers on one namespace; each write's delay until every watcher has it. */
async function fanOut(kubeconfig: string, c: RawClient, lat: Latencies): Promise<void> {
  await expectOk(
    c.request('POST', '/api/v1/namespaces', {
      body: JSON.stringify({ metadata: { name: 'fan' } }),
      headers: json,
    }),
    'ns',
  );
  const created = await expectOk(
    c.request('POST', '/api/v1/namespaces/fan/configmaps', { body: cm('fan', 'x', 0), headers: json }),
    'cm',
  );
  const rv = JSON.parse(created.body.toString()).metadata.resourceVersion;
  const waiting = new Map<string, { t: number; left: number; done: () => void }>();
  const streams: http.ClientRequest[] = [];
  const agent = rawAgent(kubeconfig);
  await Promise.all(
    Array.from(
      { length: watchers },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = https.request(
            {
              ...agent.target,
              path: `/api/v1/namespaces/fan/configmaps?watch=true&resourceVersion=${rv}`,
              agent: agent.agent,
            },
            (res) => {
              resolve();
              let buf = '';
              res.setEncoding('utf8');
              res.on('data', (d: string) => {
                buf += d;
                let nl = buf.indexOf('\n');
                while (nl >= 0) {
                  const ev = JSON.parse(buf.slice(0, nl));
                  buf = buf.slice(nl + 1);
                  nl = buf.indexOf('\n');
                  const w = waiting.get(ev.object.data?.v);
                  if (w) {
                    lat.add(`write → event at ${watchers} watchers (each)`, performance.now() - w.t);
                    if (--w.left === 0) w.done();
                  }
                }
              });
            },
          );
          req.on('error', reject);
          req.end();
          streams.push(req);
        }),
    ),
  );
  let current = JSON.parse(created.body.toString());
  for (let i = 1; i <= 100; i++) {
    const value = `fan-${i}`;
    current.data.v = value;
    const t = performance.now();
    const all = new Promise<void>((done) => waiting.set(value, { t, left: watchers, done }));
    const res = await expectOk(
      c.request('PUT', '/api/v1/namespaces/fan/configmaps/x', {
        body: JSON.stringify(current),
        headers: json,
      }),
      'put',
    );
    current = JSON.parse(res.body.toString());
    await all;
    lat.add(`write → event at all ${watchers} watchers`, performance.now() - t);
  }
  for (const s of streams) s.destroy();
  agent.agent.destroy();
}

/** A pool of its own for the long-lived watches, so they do not starve the other requests. */
function rawAgent(path: string) {
  const kc = parseYaml(fs.readFileSync(path, 'utf8'));
  const url = new URL(kc.clusters[0].cluster.server);
  const b64 = (s: string) => Buffer.from(s, 'base64');
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: watchers + 10,
    ca: b64(kc.clusters[0].cluster['certificate-authority-data']),
    cert: b64(kc.users[0].user['client-certificate-data']),
    key: b64(kc.users[0].user['client-key-data']),
  });
  return { agent, target: { host: url.hostname, port: url.port } };
}

/** CPU seconds (user + system) a process has used, from /proc; NaN when unreadable. */
function procCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 (1-based), 11 and 12 after "state".
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** The server this process started: its child whose command line runs `server`. */
function serverPid(): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (ppid === process.pid && argv.includes('server')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

const server = await startServer();
const pid = serverPid();
const c = rawClient(server.kubeconfig);
try {
  for (const ns of ['load-0', 'load-1', 'load-2', 'load-3', 'big']) {
    await expectOk(
      c.request('POST', '/api/v1/namespaces', {
        body: JSON.stringify({ metadata: { name: ns } }),
        headers: json,
      }),
      'ns',
    );
  }
  const lat = new Latencies();
  const cpuBefore = procCpuSeconds(pid);
  const load = await mixedLoad(c, lat);
  const loadCpu = procCpuSeconds(pid) - cpuBefore;
  process.stderr.write('mixed load done\n');
  const listLat = new Latencies();
  await bigList(c, listLat);
  process.stderr.write('list done\n');
  const fanLat = new Latencies();
  await fanOut(server.kubeconfig, c, fanLat);
  process.stderr.write('fan-out done\n');

  console.log(
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; server and clients in separate processes.\n`,
  );
  console.log(
    `Mixed load: ${clients} concurrent clients, ${load.requests} requests in ${load.seconds.toFixed(1)} s = **${fmt(load.requests / load.seconds)} requests/s**.\n`,
  );
  // Less sensitive than latency to other work on the machine: the server's own CPU time.
  console.log(
    `Server CPU during the mixed load: ${loadCpu.toFixed(1)} s = ${fmt((loadCpu * 1000) / load.requests)} ms per request.\n`,
  );
  console.log('| verb | requests | p50 ms | p99 ms |');
  console.log('|---|---|---|---|');
  for (const r of lat.rows()) console.log(`| ${r.label} | ${r.count} | ${fmt(r.p50)} | ${fmt(r.p99)} |`);
  console.log('\n| measurement | samples | p50 ms | p99 ms |');
  console.log('|---|---|---|---|');
  for (const r of [...listLat.rows(), ...fanLat.rows()])
    console.log(`| ${r.label} | ${r.count} | ${fmt(r.p50)} | ${fmt(r.p99)} |`);
} finally {
  c.close();
  await server.cleanup();
}
