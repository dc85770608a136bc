/**
 * One pod's worker: each sync reads what the runtime holds, plans, and acts (sandbox,
 * containers in order, kills), then computes and queues the status. Syncs of one pod never
 * overlap (the kubelet's queue serialises them).
 */
import fs from 'node:fs/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { etcHostsContent, etcHostsPath, podDirOf } from './container-config.ts';
import type { WorkerContext } from './context.ts';
import type { PodVolumesLike } from './deps.ts';
import { planPod } from './plan.ts';
import { isRunning, type PodRuntime } from './runtime.ts';
import { RuntimeReader } from './runtime-reader.ts';
import { podLogDirectory, sandboxConfig } from './sandbox-config.ts';
import { startContainer } from './start-container.ts';
import { podStatus, type Waiting } from './status.ts';
import { killContainer, removeAll, stopSandboxes, terminatePod } from './termination.ts';

/** How often configMap, secret and downward API volumes are rewritten from the API. */
const refreshMs = 60_000;
/** A failed RunPodSandbox is retried after 1 s, doubling up to the kubelet's 10 s worker back-off. */
const sandboxRetryMs = { first: 1000, max: 10_000 };

export const podText = (pod: V1Pod) =>
  `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;

export class PodWorker {
  readonly uid: string;
  /** The pod as last seen from the API; undefined once it is gone. */
  pod: V1Pod | undefined;
  readonly waiting = new Map<string, Waiting>();
  terminal: boolean;
  /** Containers stopped for the pod's deletion. */
  killed = false;
  volumes: PodVolumesLike | undefined;
  volumesReady = false;
  /** The runtime as the last sync saw it. */
  runtime: PodRuntime = { sandboxes: [], instances: [] };
  readonly reader: RuntimeReader;
  readonly podIps = new Map<string, string[]>();
  private lastStatus: Record<string, unknown> | undefined;
  private refreshAt = 0;
  private sandboxRetry = { at: 0, delayMs: 0 };
  private readonly ctx: WorkerContext;

  constructor(ctx: WorkerContext, uid: string, pod: V1Pod | undefined) {
    this.ctx = ctx;
    this.uid = uid;
    this.pod = pod;
    const phase = pod?.status?.phase;
    this.terminal = phase === 'Succeeded' || phase === 'Failed';
    this.reader = new RuntimeReader(ctx.cri);
  }

  /** An object a volume shows changed: the next sync rewrites API-sourced volumes. */
  refreshVolumesSoon(): void {
    this.refreshAt = 0;
  }

  get podDir(): string {
    return podDirOf(this.ctx.facts.agentDir, this.uid);
  }

  logDir(pod: V1Pod): string {
    return podLogDirectory(this.ctx.facts.agentDir, pod);
  }

  private async read(): Promise<PodRuntime> {
    const pod = this.pod;
    this.runtime = await this.reader.read(this.uid, pod, this.podDir, pod ? this.logDir(pod) : '');
    return this.runtime;
  }

  /** Returns false once the pod is gone and everything of it is removed. */
  async sync(): Promise<boolean> {
    let rt = await this.read();
    const pod = this.pod;
    if (!pod) {
      await removeAll(this.ctx, this, rt);
      return false;
    }
    if (pod.metadata?.deletionTimestamp) {
      await terminatePod(this.ctx, this, pod, rt);
      return true;
    }
    const plan = planPod(pod, rt, this.ctx.probes, this.terminal);
    if (!plan.terminal && !plan.createSandbox) await this.ensureVolumes(pod);
    let acted = false;
    const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;
    for (const k of plan.kill) {
      const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
        (c) => c.name === k.instance.name,
      );
      if (k.reason === 'Unhealthy' || k.reason === 'Changed')
        this.ctx.events.record(pod, 'Normal', 'Killing', `Container ${k.instance.name} ${k.message}`);
      const ips = this.podIps.get(k.instance.sandboxId) ?? [];
      const probeGrace =
        k.reason === 'Unhealthy' ? this.ctx.probes.failureGracePeriodSeconds?.(k.instance.id) : undefined;
      await killContainer(this.ctx, pod, spec, k.instance, probeGrace ?? grace, true, ips[0] ?? '');
      acted = true;
    }
    if (plan.terminal) {
      this.terminal = true;
      if (await stopSandboxes(this.ctx, rt)) acted = true;
    } else {
      let sandboxId = plan.sandboxId;
      if (plan.createSandbox && Date.now() < this.sandboxRetry.at) {
        this.ctx.wake(this.uid, this.sandboxRetry.at);
      } else if (plan.createSandbox) {
        sandboxId = await this.createSandbox(pod, plan.createSandbox.attempt, rt);
        this.backOffSandbox(sandboxId === undefined);
        acted = true;
      }
      if (sandboxId) {
        const attempt = (rt.sandboxes.find((s) => s.id === sandboxId)?.metadata?.attempt ??
          plan.createSandbox?.attempt ??
          0) as number;
        for (const item of plan.start) {
          const r = await startContainer(this.ctx, this, pod, sandboxId, attempt, item, rt);
          if (r !== 'skipped') acted = true;
          if (item.init && r !== 'started') break;
        }
      }
    }
    if (acted) rt = await this.read();
    await this.collectGarbage(rt);
    if (rt.sandboxes[0]?.state === 'SANDBOX_READY') await this.sandboxIps(rt.sandboxes[0].id);
    const podIp = pod.spec?.hostNetwork
      ? this.ctx.nodeIp
      : ((rt.sandboxes[0] && this.podIps.get(rt.sandboxes[0].id)?.[0]) ?? '');
    this.ctx.probes.update(
      pod,
      podIp,
      rt.instances
        .filter((i) => isRunning(i))
        .map((i) => ({
          name: i.name,
          id: i.id,
          startedAt: i.startedAt,
          init: (pod.spec?.initContainers ?? []).some((c) => c.name === i.name),
        })),
    );
    this.postStatus(pod, rt);
    if (acted) this.ctx.wake(this.uid);
    return true;
  }

  postStatus(pod: V1Pod, rt: PodRuntime): void {
    const sandbox = rt.sandboxes[0];
    const sandboxReady = sandbox?.state === 'SANDBOX_READY';
    const status = podStatus({
      pod,
      rt,
      waiting: this.waiting,
      ready: (id) => this.ctx.probes.ready(id),
      started: (id) => this.ctx.probes.started(id),
      terminationMessages: this.reader.messages,
      podIps: (sandbox && this.podIps.get(sandbox.id)) ?? [],
      hostIp: this.ctx.nodeIp,
      sandboxReady,
      terminal: this.terminal || !!pod.metadata?.deletionTimestamp,
      now: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      previous: this.lastStatus as never,
    });
    this.lastStatus = status;
    this.ctx.postStatus(this.uid, pod, status);
  }

  /**
   * Sets up the pod's volumes (once; again after a kubelet restart, which keeps what is there)
   * and keeps API-sourced ones current. False when set-up failed (events recorded, retried).
   */
  private async ensureVolumes(pod: V1Pod): Promise<boolean> {
    const ctx = this.ctx;
    try {
      if (!this.volumesReady) {
        await fs.mkdir(this.podDir, { recursive: true });
        await fs.mkdir(this.logDir(pod), { recursive: true });
        this.volumes ??= ctx.makeVolumes(pod, this.podDir);
        await this.volumes.setUp();
        this.volumesReady = true;
        this.refreshAt = Date.now() + refreshMs;
      } else if (this.volumes?.refresh && Date.now() >= this.refreshAt) {
        this.refreshAt = Date.now() + refreshMs;
        await this.volumes.refresh(pod);
      }
      const due = Math.min(this.refreshAt, this.volumes?.nextRefresh?.() ?? Number.POSITIVE_INFINITY);
      this.refreshAt = due;
      ctx.wake(this.uid, due);
      return true;
    } catch (e) {
      const msg = (e as Error).message;
      const failures = (e as { failures?: { message: string }[] }).failures ?? [{ message: msg }];
      for (const f of failures) ctx.events.record(pod, 'Warning', 'FailedMount', f.message);
      ctx.log.warn({ pod: podText(pod), err: msg }, 'setting up volumes failed');
      ctx.wake(this.uid, Date.now() + 5000);
      return this.volumesReady;
    }
  }

  /** A failed sandbox set-up (volumes or RunPodSandbox) waits before the next try; success resets. */
  private backOffSandbox(failed: boolean): void {
    if (!failed) {
      this.sandboxRetry = { at: 0, delayMs: 0 };
      return;
    }
    const delayMs = Math.min(sandboxRetryMs.max, this.sandboxRetry.delayMs * 2 || sandboxRetryMs.first);
    this.sandboxRetry = { at: Date.now() + delayMs, delayMs };
    this.ctx.wake(this.uid, this.sandboxRetry.at);
  }

  /** Sets up volumes, runs the sandbox and writes /etc/hosts; undefined when that failed (retried). */
  private async createSandbox(pod: V1Pod, attempt: number, rt: PodRuntime): Promise<string | undefined> {
    const ctx = this.ctx;
    if (rt.sandboxes.length > 0)
      ctx.events.record(
        pod,
        'Normal',
        'SandboxChanged',
        'Pod sandbox changed, it will be killed and re-created.',
      );
    await stopSandboxes(ctx, rt);
    if (!(await this.ensureVolumes(pod))) return undefined;
    const config = sandboxConfig(pod, attempt, ctx.facts);
    let id: string;
    try {
      id = (await ctx.cri.runtime.runPodSandbox({ config })).podSandboxId;
    } catch (e) {
      const msg = (e as { details?: string }).details ?? String(e);
      ctx.events.record(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${msg}`);
      ctx.log.warn({ pod: podText(pod), err: msg }, 'RunPodSandbox failed');
      return undefined;
    }
    const ips = await this.sandboxIps(id);
    if (!pod.spec?.hostNetwork)
      await fs.writeFile(etcHostsPath(this.podDir), etcHostsContent(pod, ips, ctx.facts.clusterDomain));
    return id;
  }

  async sandboxIps(id: string): Promise<string[]> {
    const known = this.podIps.get(id);
    if (known) return known;
    try {
      const r = await this.ctx.cri.runtime.podSandboxStatus({ podSandboxId: id });
      const net = r.status?.network;
      const ips = net?.ip ? [net.ip, ...(net.additionalIps ?? []).map((a) => a.ip)] : [];
      this.podIps.set(id, ips);
      return ips;
    } catch {
      return [];
    }
  }

  /** Keeps the newest two instances of each container and the newest sandbox. */
  private async collectGarbage(rt: PodRuntime): Promise<void> {
    const seen = new Map<string, number>();
    for (const i of rt.instances) {
      const n = (seen.get(i.name) ?? 0) + 1;
      seen.set(i.name, n);
      if (n > 2 && i.state === 'CONTAINER_EXITED')
        await this.ctx.cri.runtime.removeContainer({ containerId: i.id }).catch(() => {});
    }
    for (const s of rt.sandboxes.slice(1)) {
      if (s.state === 'SANDBOX_READY' || rt.instances.some((i) => i.sandboxId === s.id && n2(i.state)))
        continue;
      await this.ctx.cri.runtime.removePodSandbox({ podSandboxId: s.id }).catch(() => {});
      this.podIps.delete(s.id);
    }
  }
}

const n2 = (state: string) => state === 'CONTAINER_RUNNING' || state === 'CONTAINER_CREATED';
