/**
 * The node's resource summary from CRI stats and the host's counters. CPU rates come from two
 * cumulative samples: the collector keeps the previous one (the first call takes two, a second
 * apart); a container seen for the first time uses the runtime's own usageNanoCores.
 * containerd 1.6 answers ListPodSandboxStats (pods with their containers) and ListContainerStats
 * (containers only, used when the former is unimplemented).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type HostSample, sampleHost } from './host.ts';
import type { PodSummary, Summary } from './types.ts';

// biome-ignore lint/suspicious/noExplicitAny: CRI messages are plain objects from proto-loader.
type CriCall = (req?: Record<string, any>, opts?: { timeoutMs?: number }) => Promise<any>;

/** The part of CriClient the collector uses. */
export interface StatsCri {
  runtime: { listPodSandboxStats: CriCall; listContainerStats: CriCall };
}

export interface CollectOptions {
  nodeName: string;
  /** Where /proc is (tests). */
  procRoot?: string;
  /** Replaces the host sampler (tests). */
  sampleHost?: () => Promise<HostSample>;
  /** The first call's window between its two samples; default 1000 ms. */
  firstWindowMs?: number;
  /** A summary younger than this is served again instead of a shorter, noisier window; default 1000 ms. */
  minWindowMs?: number;
}

interface ContainerSample {
  podKey: string;
  name: string;
  timestampNs: number;
  cpuNs: number;
  runtimeNanoCores: number;
  workingSetBytes: number;
}

interface Snapshot {
  host: HostSample;
  pods: Map<string, { namespace: string; name: string; uid: string }>;
  containers: Map<string, ContainerSample>;
}

const callTimeoutMs = 10_000;

// biome-ignore lint/suspicious/noExplicitAny: CRI messages are plain objects from proto-loader.
const u64 = (v: any): number => Number(v?.value ?? 0);

export class SummaryCollector {
  private readonly cri: StatsCri;
  private readonly opts: CollectOptions;
  private prev: Snapshot | undefined;
  private last: Summary | undefined;
  private lastAt = 0;
  private inflight: Promise<Summary> | undefined;
  private sandboxStatsUnimplemented = false;

  constructor(cri: StatsCri, opts: CollectOptions) {
    this.cri = cri;
    this.opts = opts;
  }

  collect(): Promise<Summary> {
    if (this.last && Date.now() - this.lastAt < (this.opts.minWindowMs ?? 1000))
      return Promise.resolve(this.last);
    this.inflight ??= this.collectNow().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async collectNow(): Promise<Summary> {
    if (!this.prev) {
      this.prev = await this.sample();
      await sleep(this.opts.firstWindowMs ?? 1000);
    }
    const cur = await this.sample();
    const summary = summarize(this.opts.nodeName, this.prev, cur);
    this.prev = cur;
    this.last = summary;
    this.lastAt = Date.now();
    return summary;
  }

  private async sample(): Promise<Snapshot> {
    const host = this.opts.sampleHost ? this.opts.sampleHost() : sampleHost(this.opts.procRoot);
    const [h, cri] = await Promise.all([host, this.sampleCri()]);
    return { host: h, ...cri };
  }

  private async sampleCri(): Promise<Omit<Snapshot, 'host'>> {
    if (!this.sandboxStatsUnimplemented) {
      try {
        const r = await this.cri.runtime.listPodSandboxStats({}, { timeoutMs: callTimeoutMs });
        return fromSandboxStats(r.stats ?? []);
      } catch (e) {
        if ((e as { code?: number }).code !== 12) throw e; // grpc UNIMPLEMENTED
        this.sandboxStatsUnimplemented = true;
      }
    }
    const r = await this.cri.runtime.listContainerStats({}, { timeoutMs: callTimeoutMs });
    return fromContainerStats(r.stats ?? []);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: CRI messages are plain objects from proto-loader.
function containerSample(podKey: string, s: any): [string, ContainerSample] | undefined {
  const id: string | undefined = s?.attributes?.id;
  if (!id) return undefined;
  const name: string =
    s.attributes.metadata?.name || s.attributes.labels?.['io.kubernetes.container.name'] || '';
  return [
    id,
    {
      podKey,
      name,
      timestampNs: Number(s.cpu?.timestamp ?? 0) || Date.now() * 1e6,
      cpuNs: u64(s.cpu?.usageCoreNanoSeconds),
      runtimeNanoCores: u64(s.cpu?.usageNanoCores),
      workingSetBytes: u64(s.memory?.workingSetBytes),
    },
  ];
}

// biome-ignore lint/suspicious/noExplicitAny: CRI messages are plain objects from proto-loader.
export function fromSandboxStats(stats: any[]): Omit<Snapshot, 'host'> {
  const pods: Snapshot['pods'] = new Map();
  const containers: Snapshot['containers'] = new Map();
  for (const p of stats) {
    const md = p?.attributes?.metadata;
    const labels = p?.attributes?.labels ?? {};
    const uid: string = md?.uid || labels['io.kubernetes.pod.uid'] || '';
    if (!uid) continue;
    pods.set(uid, {
      uid,
      name: md?.name || labels['io.kubernetes.pod.name'] || '',
      namespace: md?.namespace || labels['io.kubernetes.pod.namespace'] || '',
    });
    for (const c of p.linux?.containers ?? []) {
      const e = containerSample(uid, c);
      if (e) containers.set(...e);
    }
  }
  return { pods, containers };
}

// biome-ignore lint/suspicious/noExplicitAny: CRI messages are plain objects from proto-loader.
export function fromContainerStats(stats: any[]): Omit<Snapshot, 'host'> {
  const pods: Snapshot['pods'] = new Map();
  const containers: Snapshot['containers'] = new Map();
  for (const c of stats) {
    const labels = c?.attributes?.labels ?? {};
    const uid: string = labels['io.kubernetes.pod.uid'] ?? '';
    if (!uid) continue;
    pods.set(uid, {
      uid,
      name: labels['io.kubernetes.pod.name'] ?? '',
      namespace: labels['io.kubernetes.pod.namespace'] ?? '',
    });
    const e = containerSample(uid, c);
    if (e) containers.set(...e);
  }
  return { pods, containers };
}

/** CPU rate in nano-cores between two cumulative samples (ns of CPU over ns of wall time). */
export function nanoCores(prevCpuNs: number, prevTs: number, cpuNs: number, ts: number): number | undefined {
  if (ts <= prevTs || cpuNs < prevCpuNs) return undefined;
  return Math.round(((cpuNs - prevCpuNs) * 1e9) / (ts - prevTs));
}

export function summarize(nodeName: string, prev: Snapshot, cur: Snapshot): Summary {
  const byPod = new Map<string, PodSummary>();
  for (const [uid, p] of cur.pods) byPod.set(uid, { ...p, containers: [] });
  for (const [id, c] of cur.containers) {
    const before = prev.containers.get(id);
    const rate = before ? nanoCores(before.cpuNs, before.timestampNs, c.cpuNs, c.timestampNs) : undefined;
    byPod.get(c.podKey)?.containers.push({
      name: c.name,
      cpu: { usageNanoCores: rate ?? c.runtimeNanoCores },
      memory: { workingSetBytes: c.workingSetBytes },
    });
  }
  const windowNs = cur.host.timestampNs - prev.host.timestampNs;
  const nodeCpu =
    nanoCores(prev.host.cpuNs, prev.host.timestampNs, cur.host.cpuNs, cur.host.timestampNs) ?? 0;
  return {
    node: {
      name: nodeName,
      cpu: { usageNanoCores: nodeCpu },
      memory: { workingSetBytes: cur.host.workingSetBytes },
    },
    pods: [...byPod.values()].filter((p) => p.containers.length > 0),
    timestamp: new Date(cur.host.timestampNs / 1e6).toISOString(),
    windowSeconds: Math.max(0, Math.round(windowNs / 1e6) / 1000),
  };
}

const collectors = new WeakMap<StatsCri, SummaryCollector>();

/** The summary for this node; keeps one collector (and so the previous sample) per CRI client. */
export function collectSummary(cri: StatsCri, opts: CollectOptions): Promise<Summary> {
  let c = collectors.get(cri);
  if (!c) {
    c = new SummaryCollector(cri, opts);
    collectors.set(cri, c);
  }
  return c.collect();
}
