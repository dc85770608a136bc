/**
 * One probe of one container, run on its period as upstream's prober worker: initial delay,
 * success/failure thresholds, a startup probe gating the others, a hold after a liveness or
 * startup failure (the container is about to be killed), an `Unhealthy` event per failed run.
 */
import type { V1Probe } from '@kubernetes/client-node';
import { runProbe } from './run.ts';
import type { ProbeResult, ProbeTarget } from './types.ts';

export type ProbeKind = 'Liveness' | 'Readiness' | 'Startup';

export interface WorkerHooks {
  /** Whether this worker may probe now (false while a startup probe has not passed). */
  gate(): boolean;
  /** A new published result (true = success). */
  publish(kind: ProbeKind, ok: boolean, message: string): void;
  event(type: 'Warning' | 'Normal', reason: string, message: string): void;
  /** Delay before the first run (jitter); 0 for none. */
  firstDelayMs: number;
  /** Length of a probe "second" in ms (1000; tests shorten it). */
  secondMs?: number;
  /** The probe runner; tests may swap it. */
  run?: (probe: V1Probe, target: ProbeTarget) => Promise<ProbeResult>;
}

/** Errors are retried this many times in one run before the run is given up, as upstream. */
const maxProbeRetries = 3;

export class ProbeWorker {
  readonly kind: ProbeKind;
  readonly probe: V1Probe;
  target: ProbeTarget;
  private readonly startedAtMs: number;
  private readonly hooks: WorkerHooks;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running = false;
  private lastResult: boolean | undefined;
  private resultRun = 0;
  /** Set after a liveness/startup failure was published, or once a startup probe passed. */
  private onHold = false;
  private readonly periodMs: number;
  private readonly secondMs: number;
  private readonly successThreshold: number;
  private readonly failureThreshold: number;

  constructor(kind: ProbeKind, probe: V1Probe, target: ProbeTarget, startedAtMs: number, hooks: WorkerHooks) {
    this.kind = kind;
    this.probe = probe;
    this.target = target;
    this.startedAtMs = startedAtMs;
    this.hooks = hooks;
    this.secondMs = hooks.secondMs ?? 1000;
    this.periodMs = Math.max(1, probe.periodSeconds ?? 10) * this.secondMs;
    this.successThreshold = kind === 'Readiness' ? Math.max(1, probe.successThreshold ?? 1) : 1;
    this.failureThreshold = Math.max(1, probe.failureThreshold ?? 3);
  }

  start(): void {
    this.schedule(this.hooks.firstDelayMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Runs now instead of waiting for the next tick (readiness right after startup passes). */
  trigger(): void {
    if (this.stopped || this.running) return;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    const began = Date.now();
    this.running = true;
    try {
      await this.doProbe();
    } catch {
      // A probe never throws on purpose; an unexpected error only skips this run.
    } finally {
      this.running = false;
    }
    this.schedule(Math.max(0, began + this.periodMs - Date.now()));
  }

  private async doProbe(): Promise<void> {
    if (this.onHold || !this.hooks.gate()) return;
    // Only a real initial delay holds the probe back: a start time a millisecond ahead of this
    // clock must not skip the first run (it would wait a whole period).
    const initialDelayMs = (this.probe.initialDelaySeconds ?? 0) * this.secondMs;
    if (initialDelayMs > 0 && Date.now() - this.startedAtMs < initialDelayMs) return;
    const run = this.hooks.run ?? runProbe;
    let r: ProbeResult = await run(this.probe, this.target);
    for (let i = 1; r.result === 'unknown' && i < maxProbeRetries && !this.stopped; i++) {
      r = await run(this.probe, this.target);
    }
    if (this.stopped) return;
    if (r.result === 'unknown') {
      // Upstream throws a prober error away: the published result stays as it was.
      this.hooks.event(
        'Warning',
        'Unhealthy',
        `${this.kind} probe errored and resulted in unknown state: ${r.message}`,
      );
      return;
    }
    const ok = r.result !== 'failure';
    if (r.result === 'failure')
      this.hooks.event('Warning', 'Unhealthy', `${this.kind} probe failed: ${r.message}`);
    if (r.result === 'warning')
      this.hooks.event('Warning', 'ProbeWarning', `${this.kind} probe warning: ${r.message}`);
    if (ok === this.lastResult) this.resultRun++;
    else {
      this.lastResult = ok;
      this.resultRun = 1;
    }
    if ((!ok && this.resultRun < this.failureThreshold) || (ok && this.resultRun < this.successThreshold))
      return;
    this.hooks.publish(this.kind, ok, r.message);
    if (!ok && this.kind !== 'Readiness') {
      // The container will be killed; stop probing it (a restarted one gets a new worker).
      this.onHold = true;
      this.resultRun = 0;
    }
    if (ok && this.kind === 'Startup') this.onHold = true;
  }
}
