/**
 * The kubelet's prober: one worker per probe of every running container it is told about, the
 * results the pod worker asks for (started, ready, liveness failed), `onChange(podUid)` when a
 * result flips so the kubelet re-syncs the pod and posts its status at once.
 */
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ExecInContainer, ProbeResult, ProbeTarget } from './types.ts';
import { type ProbeKind, ProbeWorker } from './worker.ts';

export interface ProbeManagerOptions {
  exec: ExecInContainer;
  onChange(podUid: string): void;
  onEvent(pod: V1Pod, type: 'Warning' | 'Normal', reason: string, message: string): void;
  log: Pick<Logger, 'debug' | 'info' | 'warn'>;
  /**
   * First-run jitter (default on): containers that were already running when the manager was
   * made (an agent restart) start their probes at a random point of the first period, while the
   * manager is younger than a period, so they do not all run at once. New containers never wait.
   */
  jitter?: boolean;
  /** Tests: the length of a probe "second" in ms (periods, initial delays). */
  secondMs?: number;
  /** Tests: replaces the real probe runner. */
  run?: (probe: V1Container['livenessProbe'] & object, target: ProbeTarget) => Promise<ProbeResult>;
}

interface Tracked {
  podUid: string;
  containerName: string;
  target: { -readonly [K in keyof ProbeTarget]: ProbeTarget[K] };
  workers: Map<ProbeKind, ProbeWorker>;
  /** Published results; absent = not published yet. */
  results: Map<ProbeKind, boolean>;
  livenessMessage?: string;
  failedGraceSeconds?: number;
}

/**
 * A container's spec in the pod and whether it may be probed: regular containers and
 * restartable (sidecar) init containers are; other init containers are tracked without probes
 * (started and ready while they run), as upstream.
 */
function findContainer(pod: V1Pod, name: string): { container: V1Container; probed: boolean } | undefined {
  const regular = pod.spec?.containers?.find((c) => c.name === name);
  if (regular) return { container: regular, probed: true };
  const init = pod.spec?.initContainers?.find((c) => c.name === name);
  return init ? { container: init, probed: init.restartPolicy === 'Always' } : undefined;
}

export class ProbeManager {
  private readonly opts: ProbeManagerOptions;
  private readonly containers = new Map<string, Tracked>();
  private readonly createdAt = Date.now();

  constructor(opts: ProbeManagerOptions) {
    this.opts = opts;
  }

  /** Starts probing a running container (again calls only refresh the pod and its IP). */
  track(pod: V1Pod, containerName: string, containerId: string, startedAtMs: number, podIp: string): void {
    const existing = this.containers.get(containerId);
    if (existing) {
      existing.target.pod = pod;
      existing.target.podIp = podIp;
      return;
    }
    const found = findContainer(pod, containerName);
    if (!found) {
      this.opts.log.debug({ containerName }, 'probes: no such container in the pod');
      return;
    }
    const { container } = found;
    const podUid = pod.metadata?.uid ?? '';
    const t: Tracked = {
      podUid,
      containerName,
      target: { pod, container, containerId, podIp, exec: this.opts.exec },
      workers: new Map(),
      results: new Map(),
    };
    this.containers.set(containerId, t);
    const probes: [ProbeKind, V1Container['livenessProbe']][] = [
      ['Startup', container.startupProbe],
      ['Liveness', container.livenessProbe],
      ['Readiness', container.readinessProbe],
    ];
    for (const [kind, probe] of probes) {
      if (!probe || !found.probed) continue;
      const periodMs = Math.max(1, probe.periodSeconds ?? 10) * (this.opts.secondMs ?? 1000);
      const jitter =
        (this.opts.jitter ?? true) && startedAtMs < this.createdAt && Date.now() - this.createdAt < periodMs;
      const worker = new ProbeWorker(kind, probe, t.target, startedAtMs, {
        firstDelayMs: jitter ? Math.floor(Math.random() * periodMs) : 0,
        gate: () => kind === 'Startup' || !t.workers.has('Startup') || t.results.get('Startup') === true,
        publish: (k, ok, message) => this.publish(containerId, k, ok, message),
        event: (type, reason, message) => this.opts.onEvent(t.target.pod, type, reason, message),
        ...(this.opts.run ? { run: this.opts.run } : {}),
        ...(this.opts.secondMs ? { secondMs: this.opts.secondMs } : {}),
      });
      t.workers.set(kind, worker);
      worker.start();
    }
  }

  private publish(containerId: string, kind: ProbeKind, ok: boolean, message: string): void {
    const t = this.containers.get(containerId);
    if (!t) return;
    const before = t.results.get(kind);
    t.results.set(kind, ok);
    if (!ok && kind !== 'Readiness' && t.livenessMessage === undefined) {
      const what = kind === 'Startup' ? 'startup' : 'liveness';
      t.livenessMessage = `Container ${t.containerName} failed ${what} probe, will be restarted`;
      const probe = t.workers.get(kind)?.probe;
      t.failedGraceSeconds = probe?.terminationGracePeriodSeconds ?? undefined;
      this.opts.log.info({ containerId, kind, message }, 'probe failed past its threshold');
    }
    if (ok && kind === 'Startup' && before !== true) {
      // Liveness and readiness may run now: do not wait for their next tick.
      t.workers.get('Readiness')?.trigger();
      t.workers.get('Liveness')?.trigger();
    }
    if (before !== ok) this.opts.onChange(t.podUid);
  }

  untrack(containerId: string): void {
    const t = this.containers.get(containerId);
    if (!t) return;
    for (const w of t.workers.values()) w.stop();
    this.containers.delete(containerId);
  }

  untrackPod(podUid: string): void {
    for (const [id, t] of this.containers) if (t.podUid === podUid) this.untrack(id);
  }

  /** Whether the container's startup probe has passed (true when it has none). */
  started(containerId: string): boolean {
    const t = this.containers.get(containerId);
    if (!t) return false;
    return !t.workers.has('Startup') || t.results.get('Startup') === true;
  }

  /** Readiness: the probe's result, false until its first success; started() when there is none. */
  ready(containerId: string): boolean {
    const t = this.containers.get(containerId);
    if (!t || !this.started(containerId)) return false;
    if (!t.workers.has('Readiness')) return true;
    return t.results.get('Readiness') === true;
  }

  /** The kill message once liveness (or startup) failed failureThreshold times in a row. */
  livenessFailed(containerId: string): string | undefined {
    return this.containers.get(containerId)?.livenessMessage;
  }

  /** The failed probe's own terminationGracePeriodSeconds, which overrides the pod's for this kill. */
  failureGracePeriodSeconds(containerId: string): number | undefined {
    return this.containers.get(containerId)?.failedGraceSeconds;
  }

  stop(): void {
    for (const id of [...this.containers.keys()]) this.untrack(id);
  }
}
