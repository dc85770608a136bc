/** The host's own counters: cumulative CPU time from /proc/stat, working set from /proc/meminfo. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** USER_HZ: /proc/stat counts in 1/100 s on Linux. */
const nsPerTick = 1e9 / 100;

/** Busy CPU time since boot in ns: user, nice, system, irq, softirq, steal (not idle, iowait; guest is in user). */
export function parseProcStat(text: string): number {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no "cpu " line');
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((n) => !Number.isFinite(n)))
    throw new Error(`/proc/stat: bad cpu line: ${line}`);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) * nsPerTick;
}

/** Working set in bytes: MemTotal - MemFree - Inactive(file), as the root cgroup's usage minus inactive file. */
export function parseMeminfo(text: string): number {
  const kib = (key: string): number => {
    const m = new RegExp(`^${key.replace(/[()]/g, '\\$&')}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!m) throw new Error(`/proc/meminfo has no ${key}`);
    return Number(m[1]);
  };
  return Math.max(0, kib('MemTotal') - kib('MemFree') - kib('Inactive(file)')) * 1024;
}

export interface HostSample {
  /** Wall clock of the sample, ns. */
  timestampNs: number;
  cpuNs: number;
  workingSetBytes: number;
}

export async function sampleHost(procRoot = '/proc'): Promise<HostSample> {
  const [stat, meminfo] = await Promise.all([
    readFile(join(procRoot, 'stat'), 'utf8'),
    readFile(join(procRoot, 'meminfo'), 'utf8'),
  ]);
  return {
    timestampNs: Date.now() * 1e6,
    cpuNs: parseProcStat(stat),
    workingSetBytes: parseMeminfo(meminfo),
  };
}
