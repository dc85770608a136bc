/**
 * npm run bench:network (root) — the node's Service networking at scale, in one run:
 * 1. the nftables service proxy: 1,000 Services × 10 endpoints fully synced into a private
 *    network namespace, then one endpoint changed (targets < 1 s and < 100 ms);
 * 2. the cluster DNS holding the same 1,000 Services: A queries paced at 1,000 q/s (p99 target
 *    < 2 ms), then as many as 64 in flight allow; the server runs in a child process so the load
 *    generator does not share its event loop.
 * 3. the same DNS load against a UDP echo server in a child process: the latency floor of the
 *    machine at that moment (loopback, two event loops, the scheduler), to read 2. against.
 * Prints a markdown table and returns the results (benchNetwork()).
 */
import { execFileSync } from 'node:child_process';
import { benchDns, type DnsBenchResult } from './dns.ts';
import { benchProxy, type ProxyBenchResult } from './proxy.ts';

export interface NetworkBenchResult {
  readonly uptimeBefore: string;
  readonly uptimeAfter: string;
  readonly proxy: ProxyBenchResult;
  readonly dns: DnsBenchResult;
  /** The same load against a UDP echo server: the latency floor of this machine right now. */
  readonly echo: DnsBenchResult;
}

const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

export async function benchNetwork(opts: { dnsSeconds?: number } = {}): Promise<NetworkBenchResult> {
  const uptimeBefore = uptime();
  const proxy = await benchProxy(1000, 10);
  const dns = await benchDns({
    services: 1000,
    rate: 1000,
    seconds: opts.dnsSeconds ?? 5,
    serverInChild: true,
  });
  const echo = await benchDns({ services: 1000, rate: 1000, seconds: opts.dnsSeconds ?? 5, echo: true });
  return { uptimeBefore, uptimeAfter: uptime(), proxy, dns, echo };
}

const ok = (value: number, target: number) => (value < target ? 'yes' : 'NO');

export function formatNetwork(r: NetworkBenchResult): string {
  const lines = [
    `Service proxy: ${r.proxy.services} Services × ${r.proxy.endpointsPerService} endpoints, ${r.proxy.rules} rules`,
    '',
    '| step | wall ms | CPU ms (node + nft) | target | met |',
    '|---|---:|---:|---:|---|',
  ];
  for (const row of r.proxy.rows) {
    lines.push(
      `| ${row.step} | ${row.ms.toFixed(0)} | ${row.cpuMs.toFixed(0)} | ${row.target ? `< ${row.target} ms` : ''} | ${row.target ? ok(row.ms, row.target) : ''} |`,
    );
  }
  const d = r.dns;
  lines.push(
    '',
    `Cluster DNS: ${d.services} Services, UDP A queries on loopback, server in ${d.serverInChild ? 'a child process' : 'this process'}`,
    '',
    '| load | q/s | p50 ms | p99 ms | target | met | lost |',
    '|---|---:|---:|---:|---:|---|---:|',
    `| paced | ${d.pacedRate} | ${d.pacedP50Ms.toFixed(2)} | ${d.pacedP99Ms.toFixed(2)} | p99 < 2 ms | ${ok(d.pacedP99Ms, 2)} | ${d.lost} |`,
    `| 64 in flight | ${d.maxQps} | | ${d.maxP99Ms.toFixed(2)} | | | |`,
    `| UDP echo floor, paced | ${r.echo.pacedRate} | ${r.echo.pacedP50Ms.toFixed(2)} | ${r.echo.pacedP99Ms.toFixed(2)} | | | ${r.echo.lost} |`,
    `| UDP echo floor, 64 in flight | ${r.echo.maxQps} | | ${r.echo.maxP99Ms.toFixed(2)} | | | |`,
    '',
    `uptime before: ${r.uptimeBefore}`,
    `uptime after:  ${r.uptimeAfter}`,
  );
  return lines.join('\n');
}

if (import.meta.main) {
  if (process.getuid?.() !== 0) {
    console.error('bench:network needs root (the proxy bench creates a network namespace)');
    process.exit(1);
  }
  console.log(formatNetwork(await benchNetwork()));
}
