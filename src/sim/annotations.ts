/**
 * Annotations that drive the simulator. On a pod (read when the pod is first seen and on every
 * update):
 *
 * - `sim.skiff.io/exit-after: "3s"`: every container exits this long after it started
 *   (Go-style duration; a bare number is seconds).
 * - `sim.skiff.io/exit-code: "1"`: the exit code of those exits (default 0). With restartPolicy
 *   Never the pod ends Succeeded (0) or Failed (non-zero); OnFailure ends Succeeded on 0 and
 *   restarts otherwise; Always restarts on any exit. A restart shows the container waiting in
 *   CrashLoopBackOff (10 s, doubling to 5 min) with lastState.terminated and restartCount + 1.
 * - `sim.skiff.io/never-ready: "true"`: containers run but never become ready.
 *
 * On a node of this simulator:
 *
 * - `sim.skiff.io/silent: "true"`: the node stops renewing its Lease and posting node and pod
 *   status (as a partitioned kubelet would) until the annotation is removed or set otherwise.
 */
import { parseDuration } from './options.ts';

export const annotations = {
  exitAfter: 'sim.skiff.io/exit-after',
  exitCode: 'sim.skiff.io/exit-code',
  neverReady: 'sim.skiff.io/never-ready',
  silent: 'sim.skiff.io/silent',
} as const;

export interface PodBehaviour {
  /** Milliseconds from a container's start to its exit; undefined: runs until deleted. */
  exitAfterMs?: number;
  exitCode: number;
  neverReady: boolean;
}

export function podBehaviour(a: Record<string, string> | undefined): PodBehaviour {
  const exitAfterMs = parseDuration(a?.[annotations.exitAfter]);
  const code = Number.parseInt(a?.[annotations.exitCode] ?? '0', 10);
  return {
    ...(exitAfterMs === undefined ? {} : { exitAfterMs }),
    exitCode: Number.isFinite(code) ? code : 0,
    neverReady: a?.[annotations.neverReady] === 'true',
  };
}

export function nodeSilenced(a: Record<string, string> | undefined): boolean {
  return a?.[annotations.silent] === 'true';
}
