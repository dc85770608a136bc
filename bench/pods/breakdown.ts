/**
 * Where a skiff pod's start-up time goes, from containerd's own timestamps: the sandbox's and
 * container's createdAt and the container's startedAt (wall clock, ns) against the benchmark's
 * wall-clock create-sent and Running-seen times. Read from the agent's containerd after a round.
 */
import type { CriClient } from '../../src/agent/cri/client.ts';
import { summary } from './raw.ts';

export interface PodTimes {
  /** Date.now() when the create request was sent, and when the watch delivered Running. */
  sentAt: number;
  runningAt: number;
}

export interface Breakdown {
  /** create sent → sandbox created (API, scheduler, kubelet pick-up and sync start). */
  toSandbox: number[];
  /** sandbox created → container created (RunPodSandbox, CNI, image check, config). */
  sandboxToContainer: number[];
  /** container created → started (CreateContainer's tail, StartContainer). */
  containerToStarted: number[];
  /** started → Running seen on the watch (re-read, status post, watch delivery). */
  startedToSeen: number[];
}

const ms = (ns: number) => ns / 1e6;

export async function breakdown(cri: CriClient, pods: Map<string, PodTimes>): Promise<Breakdown> {
  const out: Breakdown = { toSandbox: [], sandboxToContainer: [], containerToStarted: [], startedToSeen: [] };
  const [{ items: sandboxes = [] }, { containers = [] }] = await Promise.all([
    cri.runtime.listPodSandbox({}),
    cri.runtime.listContainers({}),
  ]);
  for (const [name, t] of pods) {
    const sb = sandboxes.find((s: { metadata?: { name?: string } }) => s.metadata?.name === name) as
      | { id: string; createdAt: number }
      | undefined;
    const ctr = containers.find((c: { podSandboxId: string }) => sb && c.podSandboxId === sb.id) as
      | { id: string; createdAt: number }
      | undefined;
    if (!sb || !ctr) continue;
    const { status } = await cri.runtime.containerStatus({ containerId: ctr.id });
    const sandboxAt = ms(sb.createdAt);
    const containerAt = ms(ctr.createdAt);
    const startedAt = ms(status.startedAt);
    out.toSandbox.push(sandboxAt - t.sentAt);
    out.sandboxToContainer.push(containerAt - sandboxAt);
    out.containerToStarted.push(startedAt - containerAt);
    out.startedToSeen.push(t.runningAt - startedAt);
  }
  return out;
}

export function describe(b: Breakdown): string {
  const m = (xs: number[]) => summary(xs).median.toFixed(0);
  return `sent → sandbox created ${m(b.toSandbox)}, → container created ${m(b.sandboxToContainer)}, → started ${m(b.containerToStarted)}, → Running seen ${m(b.startedToSeen)} (n=${b.toSandbox.length})`;
}
