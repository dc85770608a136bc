/**
 * "Runs" the pods bound to the simulated nodes: each pod's run state moves through
 * pending → running (→ backoff → running …) → done on timers, and its status is posted through
 * pods/status by a coalescing queue. A pod with a deletionTimestamp has its containers stopped
 * after min(grace, 1 s) and is then deleted with grace 0, as a kubelet does.
 */
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type pino from 'pino';
import { podBehaviour } from './annotations.ts';
import { errorCode, mergePatch } from './api.ts';
import type { SimNodes } from './nodes.ts';
import {
  backoffMs,
  exitReason,
  now,
  type PodRun,
  podPhase,
  podStatus,
  restartsAfter,
  stamp,
} from './pod-status.ts';
import { KeyedQueue } from './queue.ts';
import { keyOf } from './reflector.ts';

export class PodRunner {
  readonly runs = new Map<string, PodRun>();
  private readonly core: CoreV1Api;
  private readonly nodes: SimNodes;
  private readonly readyAfterMs: number;
  private readonly log: pino.Logger;
  private readonly queue: KeyedQueue;
  /** Runs whose status changed since it was last posted. */
  private readonly statusDue = new Set<string>();

  constructor(core: CoreV1Api, nodes: SimNodes, readyAfterMs: number, log: pino.Logger) {
    this.core = core;
    this.nodes = nodes;
    this.readyAfterMs = readyAfterMs;
    this.log = log;
    this.queue = new KeyedQueue(32, (key) => this.flush(key));
  }

  /** Pods this runner cares about: bound to one of the simulated nodes. */
  owns(pod: V1Pod): boolean {
    return this.nodes.has(pod.spec?.nodeName ?? '');
  }

  upsert(pod: V1Pod): void {
    const key = keyOf(pod);
    let run = this.runs.get(key);
    if (run && run.uid !== pod.metadata?.uid) {
      this.remove(key);
      run = undefined;
    }
    if (!run) {
      run = this.adopt(key, pod);
      this.runs.set(key, run);
    } else {
      run.pod = pod;
      run.behaviour = podBehaviour(pod.metadata?.annotations);
      const exitAfter = run.behaviour.exitAfterMs;
      if (run.stage === 'running' && !run.timer && !run.deleting && exitAfter !== undefined) {
        const left = Date.parse(run.startedAt ?? '') + exitAfter - Date.now();
        this.after(run, Number.isFinite(left) ? left : exitAfter, () => this.exit(run!));
      }
    }
    if (pod.metadata?.deletionTimestamp && !run.deleting) this.beginDeletion(run);
    else if (!run.deleting && this.drifted(run, pod)) this.post(run);
  }

  /**
   * Whether the pod's status says something else than this runner would (the node lifecycle
   * controller marked it not Ready while the node was silent): the kubelet's status manager
   * posts its own view again.
   */
  private drifted(run: PodRun, pod: V1Pod): boolean {
    if (run.stage === 'pending') return false;
    if (pod.status?.phase !== podPhase(run)) return true;
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    return ready !== (run.stage === 'running' && !run.behaviour.neverReady ? 'True' : 'False');
  }

  /** The pod is gone from the API: forget it. */
  remove(key: string): void {
    const run = this.runs.get(key);
    if (!run) return;
    clearTimeout(run.timer);
    this.nodes.byName.get(run.node)?.podIPs.release(run.podIP);
    this.runs.delete(key);
    this.statusDue.delete(key);
  }

  /** A node speaks again: post what changed while it was silent. */
  resume(node: string): void {
    for (const run of this.runs.values())
      if (run.node === node && (run.deleteDue || this.statusDue.has(run.key))) this.queue.add(run.key);
  }

  stop(): void {
    this.queue.stop();
    for (const run of this.runs.values()) clearTimeout(run.timer);
  }

  /** Waits until every queued write is done (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** A pod seen for the first time: new (start it later) or already running (adopt as is). */
  private adopt(key: string, pod: V1Pod): PodRun {
    const node = pod.spec?.nodeName ?? '';
    const run: PodRun = {
      key,
      uid: pod.metadata?.uid ?? '',
      node,
      pod,
      behaviour: podBehaviour(pod.metadata?.annotations),
      stage: 'pending',
      restarts: 0,
      conditions: {},
      deleting: false,
      deleteDue: false,
    };
    const status = pod.status;
    const phase = status?.phase;
    if (phase !== 'Running' && phase !== 'Succeeded' && phase !== 'Failed') {
      this.after(run, this.readyAfterMs, () => this.start(run));
      return run;
    }
    run.startTime = stamp(status?.startTime);
    run.podIP = status?.podIP;
    if (run.podIP && phase === 'Running') this.nodes.byName.get(node)?.podIPs.claim(run.podIP);
    for (const c of status?.conditions ?? [])
      run.conditions[c.type] = { status: c.status, time: stamp(c.lastTransitionTime) ?? now() };
    const cs = status?.containerStatuses?.[0];
    run.restarts = cs?.restartCount ?? 0;
    run.startedAt = stamp(cs?.state?.running?.startedAt) ?? run.startTime;
    const last = cs?.lastState?.terminated;
    if (last)
      run.last = {
        exitCode: last.exitCode,
        reason: last.reason ?? exitReason(last.exitCode),
        startedAt: stamp(last.startedAt) ?? '',
        finishedAt: stamp(last.finishedAt) ?? '',
      };
    if (phase !== 'Running') {
      const t = cs?.state?.terminated;
      const exitCode = t?.exitCode ?? (phase === 'Succeeded' ? 0 : 1);
      run.stage = 'done';
      run.exit = {
        exitCode,
        reason: t?.reason ?? exitReason(exitCode),
        startedAt: stamp(t?.startedAt) ?? run.startTime ?? '',
        finishedAt: stamp(t?.finishedAt) ?? run.startTime ?? '',
      };
    } else if (cs?.state?.waiting) {
      run.stage = 'backoff';
      this.after(run, backoffMs(run.restarts), () => this.start(run));
    } else {
      run.stage = 'running';
      const exitAfter = run.behaviour.exitAfterMs;
      if (exitAfter !== undefined) {
        const left = Date.parse(run.startedAt ?? '') + exitAfter - Date.now();
        this.after(run, Number.isFinite(left) ? left : exitAfter, () => this.exit(run));
      }
    }
    this.log.debug({ pod: key, phase }, 'adopted pod');
    return run;
  }

  private after(run: PodRun, ms: number, fn: () => void): void {
    clearTimeout(run.timer);
    run.timer = setTimeout(
      () => {
        run.timer = undefined;
        fn();
      },
      Math.max(0, ms),
    );
  }

  private start(run: PodRun): void {
    if (run.deleting || !this.runs.has(run.key)) return;
    const t = now();
    run.stage = 'running';
    run.startTime ??= t;
    run.startedAt = t;
    run.podIP ??= this.nodes.byName.get(run.node)?.podIPs.allocate();
    this.post(run);
    const exitAfter = run.behaviour.exitAfterMs;
    if (exitAfter !== undefined) this.after(run, exitAfter, () => this.exit(run));
  }

  private exit(run: PodRun): void {
    if (run.deleting || run.stage !== 'running') return;
    const code = run.behaviour.exitCode;
    const e = { exitCode: code, reason: exitReason(code), startedAt: run.startedAt ?? '', finishedAt: now() };
    if (restartsAfter(run.pod.spec?.restartPolicy, code)) {
      run.stage = 'backoff';
      run.restarts++;
      run.last = e;
      this.after(run, backoffMs(run.restarts), () => this.start(run));
    } else {
      run.stage = 'done';
      run.exit = e;
      this.nodes.byName.get(run.node)?.podIPs.release(run.podIP);
    }
    this.post(run);
  }

  private beginDeletion(run: PodRun): void {
    run.deleting = true;
    const grace = run.pod.metadata?.deletionGracePeriodSeconds ?? 30;
    this.after(run, Math.min(grace, 1) * 1000, () => {
      if (run.stage === 'running' || run.stage === 'backoff') {
        run.stage = 'done';
        run.exit = { exitCode: 0, reason: 'Completed', startedAt: run.startedAt ?? '', finishedAt: now() };
        this.post(run, false);
      }
      run.deleteDue = true;
      this.queue.add(run.key);
    });
  }

  private post(run: PodRun, enqueue = true): void {
    this.statusDue.add(run.key);
    if (enqueue) this.queue.add(run.key);
  }

  /** Sends what one pod needs: its status, then its grace-0 delete. */
  private async flush(key: string): Promise<void> {
    const run = this.runs.get(key);
    if (!run || this.nodes.silent(run.node)) return;
    const name = run.pod.metadata?.name ?? '';
    const namespace = run.pod.metadata?.namespace ?? '';
    try {
      if (this.statusDue.delete(key)) {
        const hostIP = this.nodes.byName.get(run.node)?.ip ?? '';
        const body = { metadata: { uid: run.uid }, status: podStatus(run, hostIP, now()) };
        try {
          await this.core.patchNamespacedPodStatus({ name, namespace, body }, mergePatch);
        } catch (e) {
          this.statusDue.add(key);
          throw e;
        }
      }
      if (run.deleteDue) {
        const body = { gracePeriodSeconds: 0, preconditions: { uid: run.uid } };
        await this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0, body });
        run.deleteDue = false;
      }
    } catch (e) {
      const code = errorCode(e);
      // Gone, or replaced by a pod of the same name: its DELETED event forgets it.
      if (code === 404 || code === 409) {
        this.statusDue.delete(key);
        run.deleteDue = false;
        return;
      }
      this.log.warn({ pod: key, err: String(e) }, 'writing pod failed; retrying');
      setTimeout(() => this.queue.add(key), 1000).unref();
    }
  }
}
