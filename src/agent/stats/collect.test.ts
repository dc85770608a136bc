import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { nanoCores, type StatsCri, SummaryCollector } from './collect.ts';
import { parseMeminfo, parseProcStat, sampleHost } from './host.ts';

const meminfo = (free: number) =>
  `MemTotal:        4000000 kB\nMemFree:         ${free} kB\nMemAvailable:    3000000 kB\nInactive(file):   500000 kB\n`;
const stat = (user: number) => `cpu  ${user} 10 200 90000 40 5 5 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 1\n`;

describe('host counters', () => {
  it('parses /proc/stat busy time and /proc/meminfo working set', () => {
    // (1000 + 10 + 200 + 5 + 5 + 0) ticks of 10 ms
    assert.equal(parseProcStat(stat(1000)), 1220 * 1e7);
    assert.equal(parseMeminfo(meminfo(1000000)), (4000000 - 1000000 - 500000) * 1024);
    assert.throws(() => parseProcStat('intr 1\n'), /no "cpu " line/);
    assert.throws(() => parseMeminfo('MemTotal: 1 kB\n'), /no MemFree/);
  });

  it('computes nano-cores from two cumulative samples', () => {
    // 0.5 s of CPU over 2 s of wall time = a quarter core.
    assert.equal(nanoCores(1e9, 10e9, 1.5e9, 12e9), 250_000_000);
    assert.equal(nanoCores(2e9, 10e9, 1e9, 12e9), undefined, 'counter went back (restart)');
    assert.equal(nanoCores(1e9, 10e9, 2e9, 10e9), undefined, 'no time passed');
  });
});

describe('SummaryCollector', () => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-stats-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A fake runtime whose containers burn `rate` cores between calls. */
  function fakeCri(opts: { sandboxStats: boolean }) {
    let calls = 0;
    const t0 = 1_700_000_000_000_000_000;
    const container = (
      id: string,
      name: string,
      uid: string,
      cpuNs: number,
      ts: number,
      runtimeNano = 0,
    ) => ({
      attributes: {
        id,
        metadata: { name, attempt: 0 },
        labels: {
          'io.kubernetes.pod.uid': uid,
          'io.kubernetes.pod.name': `pod-${uid}`,
          'io.kubernetes.pod.namespace': 'ns1',
          'io.kubernetes.container.name': name,
        },
      },
      cpu: { timestamp: ts, usageCoreNanoSeconds: { value: cpuNs }, usageNanoCores: { value: runtimeNano } },
      memory: { timestamp: ts, workingSetBytes: { value: 4096 * 10 } },
    });
    const containersAt = (n: number) => {
      const ts = t0 + n * 1e9; // one second apart
      const list = [container('a', 'app', 'u1', n * 0.5e9, ts), container('b', 'side', 'u1', n * 0.1e9, ts)];
      if (n >= 2) list.push(container('c', 'late', 'u2', 123, ts, 77_000));
      return list;
    };
    const cri: StatsCri = {
      runtime: {
        listPodSandboxStats: async () => {
          if (!opts.sandboxStats) throw Object.assign(new Error('12 UNIMPLEMENTED'), { code: 12 });
          const cs = containersAt(calls++);
          const uids = [...new Set(cs.map((c) => c.attributes.labels['io.kubernetes.pod.uid']))];
          return {
            stats: uids.map((uid) => ({
              attributes: {
                id: `sb-${uid}`,
                metadata: { name: `pod-${uid}`, namespace: 'ns1', uid },
                labels: {},
              },
              linux: { containers: cs.filter((c) => c.attributes.labels['io.kubernetes.pod.uid'] === uid) },
            })),
          };
        },
        listContainerStats: async () => ({ stats: containersAt(calls++) }),
      },
    };
    return cri;
  }

  for (const sandboxStats of [true, false]) {
    it(`rates from two samples, runtime rate for new containers (${sandboxStats ? 'ListPodSandboxStats' : 'ListContainerStats'})`, async () => {
      const proc = join(dir, String(sandboxStats));
      mkdirSync(proc);
      writeFileSync(join(proc, 'stat'), stat(1000));
      writeFileSync(join(proc, 'meminfo'), meminfo(1000000));
      let hostSamples = 0;
      const collector = new SummaryCollector(fakeCri({ sandboxStats }), {
        nodeName: 'n1',
        firstWindowMs: 30,
        minWindowMs: 0,
        // Each sample: 100 ticks (1 s of CPU) more than the last, read from files like /proc's.
        sampleHost: async () => {
          const host = await sampleHost(proc);
          writeFileSync(join(proc, 'stat'), stat(1000 + 100 * ++hostSamples));
          return host;
        },
      });
      const first = await collector.collect();
      assert.equal(first.node.name, 'n1');
      // 1 s of CPU over a window of about 30 ms: tens of cores.
      const window = first.windowSeconds;
      assert.ok(
        Math.abs(first.node.cpu.usageNanoCores - 1e9 / window) / (1e9 / window) < 0.01,
        'node CPU rate',
      );
      assert.equal(first.node.memory.workingSetBytes, 2500000 * 1024);
      assert.ok(first.windowSeconds > 0 && first.windowSeconds < 1);
      assert.deepEqual(first.pods, [
        {
          uid: 'u1',
          name: 'pod-u1',
          namespace: 'ns1',
          containers: [
            { name: 'app', cpu: { usageNanoCores: 500_000_000 }, memory: { workingSetBytes: 40960 } },
            { name: 'side', cpu: { usageNanoCores: 100_000_000 }, memory: { workingSetBytes: 40960 } },
          ],
        },
      ]);
      const second = await collector.collect();
      const late = second.pods.find((p) => p.uid === 'u2');
      assert.deepEqual(late?.containers, [
        { name: 'late', cpu: { usageNanoCores: 77_000 }, memory: { workingSetBytes: 40960 } },
      ]);
      assert.ok(!Number.isNaN(Date.parse(second.timestamp)));
    });
  }

  it('serves a fresh summary again instead of a tiny window, and shares a call in flight', async () => {
    const proc = join(dir, 'cache');
    mkdirSync(proc);
    writeFileSync(join(proc, 'stat'), stat(1000));
    writeFileSync(join(proc, 'meminfo'), meminfo(1000000));
    const collector = new SummaryCollector(fakeCri({ sandboxStats: true }), {
      nodeName: 'n1',
      procRoot: proc,
      firstWindowMs: 20,
      minWindowMs: 5000,
    });
    const [a, b] = await Promise.all([collector.collect(), collector.collect()]);
    assert.equal(a, b);
    assert.equal(await collector.collect(), a);
  });

  it('a runtime error rejects (the caller answers 503), it does not crash', async () => {
    const cri: StatsCri = {
      runtime: {
        listPodSandboxStats: async () => {
          throw Object.assign(new Error('14 UNAVAILABLE'), { code: 14 });
        },
        listContainerStats: async () => ({ stats: [] }),
      },
    };
    const collector = new SummaryCollector(cri, { nodeName: 'n', firstWindowMs: 1 });
    await assert.rejects(collector.collect(), /UNAVAILABLE/);
  });
});
