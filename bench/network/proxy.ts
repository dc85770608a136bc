/**
 * Service proxy programming time at scale: 1,000 Services × 10 endpoints, fully synced into a
 * private network namespace (build + one nft transaction), then one endpoint changed (the
 * partial path: a few chains and map elements), then a forced full replace at that size.
 * Targets: full sync < 1 s, an endpoint change < 100 ms. Needs root (netns); prints a table.
 *
 *   scripts/with-node.sh node bench/network/proxy.ts
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { listTable } from '../../src/network/nftables/index.ts';
import { Proxier } from '../../src/network/proxy/index.ts';

export interface ProxyBenchResult {
  services: number;
  endpointsPerService: number;
  /** Wall time, and CPU time of this process plus its reaped children (nft), which is what the
   * step costs on an idle machine; on a loaded one wall time is mostly waiting for a core. */
  rows: { step: string; ms: number; cpuMs: number; target?: number }[];
  rules: number;
}

export function benchFixtures(nServices: number, nEndpoints: number) {
  const services: V1Service[] = [];
  const endpointSlices: V1EndpointSlice[] = [];
  for (let i = 0; i < nServices; i++) {
    const name = `svc-${i}`;
    services.push({
      metadata: { namespace: 'bench', name },
      spec: {
        type: i % 10 === 0 ? 'NodePort' : 'ClusterIP',
        clusterIP: `10.43.${(i >> 8) & 255}.${i & 255}`,
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', ...(i % 10 === 0 ? { nodePort: 30000 + i } : {}) },
        ],
      },
    });
    endpointSlices.push(sliceFor(name, i, nEndpoints));
  }
  return { services, endpointSlices };
}

/** One slice for service i; with `moved`, its first endpoint has a new address (an endpoint change). */
export function sliceFor(name: string, i: number, nEndpoints: number, moved = false): V1EndpointSlice {
  const addr = (n: number) => `10.42.${(n >> 8) & 255}.${n & 255}`;
  return {
    addressType: 'IPv4',
    metadata: { namespace: 'bench', name: `${name}-abc`, labels: { 'kubernetes.io/service-name': name } },
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: Array.from({ length: nEndpoints }, (_, j) => ({
      addresses: [moved && j === 0 ? `10.99.${(i >> 8) & 255}.${i & 255}` : addr(i * nEndpoints + j)],
      conditions: { ready: true },
      nodeName: j % 2 ? 'node-a' : 'node-b',
    })),
  };
}

/** CPU ms used by this process and its waited-for children (utime, stime, cutime, cstime). */
function cpuMs(): number {
  const u = process.cpuUsage();
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const childTicks = Number(fields[13]) + Number(fields[14]);
  return (u.user + u.system) / 1000 + childTicks * 10;
}

export async function benchProxy(nServices = 1000, nEndpoints = 10): Promise<ProxyBenchResult> {
  const netns = `skiff-bench-proxy-${process.pid}`;
  execFileSync('ip', ['netns', 'add', netns]);
  try {
    const { services, endpointSlices } = benchFixtures(nServices, nEndpoints);
    const proxier = new Proxier({
      nodeName: 'node-a',
      nodeIps: ['192.168.77.1'],
      clusterCidr: '10.42.0.0/16',
      families: ['ip'],
      nft: { netns },
      checkIntervalMs: 0,
      minSyncIntervalMs: 0,
    });
    const rows: ProxyBenchResult['rows'] = [];
    const timed = async (step: string, target?: number) => {
      proxier.update({ services, endpointSlices });
      const t = performance.now();
      const cpu0 = cpuMs();
      await proxier.sync();
      const ms = performance.now() - t;
      const cpu = cpuMs() - cpu0;
      if (proxier.status.lastError) throw new Error(`${step}: ${proxier.status.lastError}`);
      rows.push(target === undefined ? { step, ms, cpuMs: cpu } : { step, ms, cpuMs: cpu, target });
    };
    await timed(`full sync (${proxier.status.lastSyncKind ?? 'first'})`, 1000);
    endpointSlices[500] = sliceFor('svc-500', 500, nEndpoints, true);
    await timed('one endpoint change', 100);
    endpointSlices[501] = sliceFor('svc-501', 501, nEndpoints, true);
    await timed('another endpoint change', 100);
    // Forget the applied state: the next sync replaces the whole table, as after a flush.
    proxier.invalidate();
    await timed('full replace of a live table', 1000);
    await proxier.stop();
    const items = (await listTable('ip', 'skiff', { netns })) ?? [];
    return {
      services: nServices,
      endpointsPerService: nEndpoints,
      rows,
      rules: items.filter((i) => 'rule' in i).length,
    };
  } finally {
    execFileSync('ip', ['netns', 'del', netns]);
  }
}

if (import.meta.main) {
  if (process.getuid?.() !== 0) {
    console.log('bench/network/proxy.ts needs root (it creates a network namespace)');
    process.exit(0);
  }
  const r = await benchProxy();
  console.log(
    `\nService proxy: ${r.services} Services × ${r.endpointsPerService} endpoints, ${r.rules} rules\n`,
  );
  console.log(`load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`);
  console.log('| step | wall ms | CPU ms (node + nft) | target ms |');
  console.log('|---|---:|---:|---:|');
  for (const row of r.rows) {
    console.log(
      `| ${row.step} | ${row.ms.toFixed(0)} | ${row.cpuMs.toFixed(0)} | ${row.target ? `< ${row.target}` : ''} |`,
    );
  }
}
