/**
 * The seams between the pod workers and the agent's other parts (image manager, volumes,
 * probes, lifecycle hooks), each with the small default this package uses when the part is
 * not given.
 */
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { CriMount, PodSandboxConfig } from './cri-types.ts';

export interface ImageResult {
  imageRef: string;
  uid?: number;
  username?: string;
}

/** Makes a container's image present; rejects with an ImageError (ErrImagePull, ImagePullBackOff…). */
export type EnsureImage = (
  pod: V1Pod,
  container: V1Container,
  sandbox: PodSandboxConfig,
) => Promise<ImageResult>;

export class ImageError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface PodVolumesLike {
  setUp(): Promise<void>;
  mounts(c: V1Container, env?: readonly { key: string; value: string }[]): CriMount[];
  refresh?(pod: V1Pod): Promise<void>;
  /** When (ms since the epoch) a projected token needs renewing. */
  nextRefresh?(): number | undefined;
  tearDown(): Promise<void>;
}
export type MakeVolumes = (pod: V1Pod, podDir: string) => PodVolumesLike;

export interface ProbesLike {
  /** Tells the prober which containers of the pod run now (by name → container ID). */
  update(
    pod: V1Pod,
    podIp: string,
    running: { name: string; id: string; startedAt: number; init: boolean }[],
  ): void;
  forget(uid: string): void;
  started(id: string): boolean;
  ready(id: string): boolean;
  livenessFailed(id: string): boolean;
  /** A failed probe's own terminationGracePeriodSeconds, overriding the pod's for that kill. */
  failureGracePeriodSeconds?(id: string): number | undefined;
  stop(): void;
}

/** Runs a postStart/preStop handler; resolves with an error message, or undefined when it worked. */
export type RunHook = (
  pod: V1Pod,
  container: V1Container,
  containerId: string,
  which: 'postStart' | 'preStop',
  timeoutMs: number,
  podIp: string,
) => Promise<string | undefined>;

/** Probe results when no prober runs: started and ready once running, never unhealthy. */
export class NoProbes implements ProbesLike {
  update(): void {}
  forget(): void {}
  started(): boolean {
    return true;
  }
  ready(): boolean {
    return true;
  }
  livenessFailed(): boolean {
    return false;
  }
  stop(): void {}
}
