/**
 * Cluster DNS speed: a server holding 1,000 Services (10 endpoints each, every tenth headless)
 * answering A queries for random service names over UDP on loopback, paced at a target rate
 * (latency percentiles at that rate) and then as fast as 64 queries in flight allow.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import * as dns from 'dns-packet';
import pino from 'pino';
import { Upstream } from '../../src/network/dns/forward.ts';
import { buildIndex } from '../../src/network/dns/records.ts';
import { startDnsServer } from '../../src/network/dns/server.ts';

export interface DnsBenchResult {
  readonly services: number;
  readonly pacedRate: number;
  readonly pacedP50Ms: number;
  readonly pacedP99Ms: number;
  readonly maxQps: number;
  readonly maxP99Ms: number;
  /** The server ran in its own process. */
  readonly serverInChild: boolean;
  /** Measured against a UDP echo server (the floor of the machine), not the cluster DNS. */
  readonly echo: boolean;
  /** Queries without an answer within 2 s. */
  readonly lost: number;
}

function cluster(n: number): { services: V1Service[]; slices: V1EndpointSlice[] } {
  const services: V1Service[] = [];
  const slices: V1EndpointSlice[] = [];
  for (let i = 0; i < n; i++) {
    const headless = i % 10 === 0;
    const name = `svc-${i}`;
    services.push({
      metadata: { name, namespace: 'bench' },
      spec: {
        clusterIP: headless ? 'None' : `10.43.${(i >> 8) & 255}.${i & 255}`,
        ports: [{ name: 'http', port: 80 }],
      },
    });
    slices.push({
      addressType: 'IPv4',
      metadata: { name: `${name}-x`, namespace: 'bench', labels: { 'kubernetes.io/service-name': name } },
      ports: [{ name: 'http', port: 8080 }],
      endpoints: Array.from({ length: 10 }, (_, j) => ({
        addresses: [`10.42.${i & 255}.${j + 1}`],
        conditions: { ready: true },
      })),
    });
  }
  return { services, slices };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

/** Starts a DNS server holding `n` Services on 127.0.0.1 (a free port). */
export async function serveCluster(n: number): Promise<{ port: number; close(): Promise<void> }> {
  const { services, slices } = cluster(n);
  const index = buildIndex('cluster.local', services, slices);
  return startDnsServer({
    host: '127.0.0.1',
    port: 0,
    index: () => index,
    upstream: new Upstream([]),
    log: pino({ level: 'silent' }),
  });
}

/** A UDP server that sends every datagram back as it came: what loopback and scheduling cost. */
async function serveEcho(): Promise<{ port: number; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (m, from) => socket.send(m, from.port, from.address));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return {
    port: socket.address().port,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

/** The same server in a child process (the load generator does not share its event loop). */
async function serveInChild(n: number, echo = false): Promise<{ port: number; close(): Promise<void> }> {
  const args = [import.meta.filename, '--serve', String(n), ...(echo ? ['--echo'] : [])];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^port (\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`DNS server child exited ${code}`)));
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

export async function benchDns(
  opts: {
    services?: number;
    rate?: number;
    seconds?: number;
    serverInChild?: boolean;
    /** The machine's floor instead: a UDP echo server in a child process, same load. */
    echo?: boolean;
  } = {},
): Promise<DnsBenchResult> {
  const n = opts.services ?? 1000;
  const rate = opts.rate ?? 1000;
  const seconds = opts.seconds ?? 5;
  const server = opts.echo
    ? await serveInChild(n, true)
    : opts.serverInChild
      ? await serveInChild(n)
      : await serveCluster(n);
  const socket = dgram.createSocket('udp4');
  const pending = new Map<number, { at: number; done: (ms: number) => void }>();
  socket.on('message', (m) => {
    const id = m.readUInt16BE(0);
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    p.done(performance.now() - p.at);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  let nextId = 0;
  let lost = 0;
  const query = () =>
    new Promise<number>((resolve) => {
      nextId = (nextId + 1) & 0xffff;
      const id = nextId;
      const name = `svc-${Math.floor(Math.random() * n)}.bench.svc.cluster.local`;
      const raw = dns.encode({
        type: 'query',
        id,
        flags: dns.RECURSION_DESIRED,
        questions: [{ type: 'A', name }],
      });
      pending.set(id, { at: performance.now(), done: resolve });
      socket.send(raw, server.port, '127.0.0.1');
      // A lost datagram counts as a 2 s answer (and is counted), not a hang.
      setTimeout(() => {
        if (pending.get(id)?.done !== resolve) return;
        pending.delete(id);
        lost++;
        resolve(2000);
      }, 2000).unref();
    });

  // Paced: one query every 1/rate s, latencies of each.
  const paced: Promise<number>[] = [];
  const start = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    paced.push(query());
  }
  const pacedMs = (await Promise.all(paced)).sort((a, b) => a - b);

  // Closed loop: 64 in flight for `seconds`.
  const maxMs: number[] = [];
  const until = performance.now() + seconds * 1000;
  const loop = async () => {
    while (performance.now() < until) maxMs.push(await query());
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 64 }, loop));
  const elapsed = (performance.now() - t0) / 1000;
  maxMs.sort((a, b) => a - b);
  socket.close();
  await server.close();
  return {
    services: n,
    pacedRate: rate,
    pacedP50Ms: pct(pacedMs, 0.5),
    pacedP99Ms: pct(pacedMs, 0.99),
    maxQps: Math.round(maxMs.length / elapsed),
    maxP99Ms: pct(maxMs, 0.99),
    serverInChild: !!opts.serverInChild || !!opts.echo,
    echo: !!opts.echo,
    lost,
  };
}

if (import.meta.main) {
  const serve = process.argv.indexOf('--serve');
  if (serve >= 0) {
    const server = process.argv.includes('--echo')
      ? await serveEcho()
      : await serveCluster(Number(process.argv[serve + 1] ?? 1000));
    process.stdout.write(`port ${server.port}\n`);
    process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
  } else {
    const r = await benchDns({ serverInChild: process.argv.includes('--child') });
    console.log(JSON.stringify(r, null, 2));
  }
}
