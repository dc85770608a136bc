/** What a pod worker needs from the kubelet that runs it. */
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import type pino from 'pino';
import type { ObjectSource } from '../volumes/source.ts';
import type { Backoff } from './backoff.ts';
import type { KubeletCri } from './cri-types.ts';
import type { EnsureImage, MakeVolumes, ProbesLike, RunHook } from './deps.ts';
import type { PodEvents } from './events.ts';
import type { SandboxFacts } from './sandbox-config.ts';

export interface WorkerContext {
  cri: KubeletCri;
  nodeName: string;
  nodeIp: string;
  facts: SandboxFacts;
  memoryCapacity: number;
  source: ObjectSource;
  services(): Promise<V1Service[]>;
  ensureImage: EnsureImage;
  makeVolumes: MakeVolumes;
  probes: ProbesLike;
  runHook?: RunHook;
  events: PodEvents;
  backoff: Backoff;
  /** Queues the pod's status for posting (skipped when unchanged). */
  postStatus(uid: string, pod: V1Pod, status: Record<string, unknown>): void;
  /** Posts any queued status of the pod now. */
  flushStatus(uid: string): Promise<void>;
  /** Deletes the pod object with grace 0 and a uid precondition. */
  deletePod(pod: V1Pod): Promise<void>;
  /** Syncs the pod again at `at` (ms since the epoch), or soon when omitted. */
  wake(uid: string, at?: number): void;
  log: pino.Logger;
}
