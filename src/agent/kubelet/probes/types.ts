/** Shapes shared by the probe kinds, the probe worker and the lifecycle hooks. */
import type { V1Container, V1Pod } from '@kubernetes/client-node';

/** Runs a command in a container through CRI ExecSync; timeouts reject (see exec.ts). */
export type ExecInContainer = (
  containerId: string,
  cmd: string[],
  timeoutSeconds: number,
) => Promise<{ exitCode: number; stdout: Buffer; stderr: Buffer }>;

/**
 * One probe's outcome, as upstream's probe.Result: `warning` counts as success (a redirect the
 * prober did not follow); `unknown` is a prober error whose result is thrown away.
 */
export type ProbeOutcome = 'success' | 'warning' | 'failure' | 'unknown';

export interface ProbeResult {
  readonly result: ProbeOutcome;
  /** What the probe said: the command's output, the HTTP error, … (may be empty). */
  readonly message: string;
}

/** What a probe or a hook needs to know about its target. */
export interface ProbeTarget {
  readonly pod: V1Pod;
  readonly container: V1Container;
  readonly containerId: string;
  readonly podIp: string;
  readonly exec: ExecInContainer;
}

/** The User-Agent upstream's prober sends (`kube-probe/<major>.<minor>`). */
export const probeUserAgent = 'kube-probe/1.32';

export const success = (message = ''): ProbeResult => ({ result: 'success', message });
export const warning = (message: string): ProbeResult => ({ result: 'warning', message });
export const failure = (message: string): ProbeResult => ({ result: 'failure', message });
export const unknown = (message: string): ProbeResult => ({ result: 'unknown', message });
