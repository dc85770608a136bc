/** The node's resource summary, as the agent serves it at `GET /stats/skiff` (JSON). */

export interface CpuStats {
  /** CPU use over the window, in billionths of a core. */
  usageNanoCores: number;
}

export interface MemoryStats {
  /** Memory that cannot be reclaimed at once (usage minus inactive file pages), bytes. */
  workingSetBytes: number;
}

export interface ContainerSummary {
  name: string;
  cpu: CpuStats;
  memory: MemoryStats;
}

export interface PodSummary {
  namespace: string;
  name: string;
  uid: string;
  containers: ContainerSummary[];
}

export interface Summary {
  node: { name: string; cpu: CpuStats; memory: MemoryStats };
  pods: PodSummary[];
  /** When the newest sample was taken (RFC 3339). */
  timestamp: string;
  /** Seconds between the two samples the CPU rates come from. */
  windowSeconds: number;
}
