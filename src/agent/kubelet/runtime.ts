/** What the runtime holds for one pod: its sandboxes and container instances, newest first. */

import { restartCountAnnotation } from './container-config.ts';
import type { CriContainer, CriContainerStatus, CriSandbox } from './cri-types.ts';
import { containerNameLabel, podUidLabel } from './sandbox-config.ts';

export interface Instance {
  id: string;
  name: string;
  sandboxId: string;
  restartCount: number;
  state: string;
  image: string;
  imageRef: string;
  /** Milliseconds since the epoch (0: not yet). */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  annotations: Record<string, string>;
}

export interface PodRuntime {
  sandboxes: CriSandbox[];
  instances: Instance[];
}

export const nsToMs = (ns: number) => Math.floor(ns / 1e6);

export const uidOf = (o: { labels?: Record<string, string> | null }) => o.labels?.[podUidLabel] ?? '';

export function instanceOf(c: CriContainer, s?: CriContainerStatus | null): Instance {
  const restarts = Number(c.annotations?.[restartCountAnnotation] ?? c.metadata?.attempt ?? 0);
  return {
    id: c.id,
    name: c.labels?.[containerNameLabel] ?? c.metadata?.name ?? '',
    sandboxId: c.podSandboxId,
    restartCount: Number.isFinite(restarts) ? restarts : 0,
    state: s?.state ?? c.state,
    image: c.image?.image ?? '',
    imageRef: c.imageRef,
    createdAt: nsToMs(c.createdAt),
    startedAt: nsToMs(s?.startedAt ?? 0),
    finishedAt: nsToMs(s?.finishedAt ?? 0),
    exitCode: s?.exitCode ?? 0,
    reason: s?.reason ?? '',
    message: s?.message ?? '',
    annotations: c.annotations ?? {},
  };
}

const newestFirst = (a: { createdAt: number }, b: { createdAt: number }) => b.createdAt - a.createdAt;

export function sortRuntime(rt: PodRuntime): PodRuntime {
  return {
    sandboxes: [...rt.sandboxes].sort(newestFirst),
    instances: [...rt.instances].sort((a, b) => b.restartCount - a.restartCount || b.createdAt - a.createdAt),
  };
}

/** The newest instance of container `name` (in `sandboxId` when given) and the one before it. */
export function instancesOf(rt: PodRuntime, name: string, sandboxId?: string): Instance[] {
  return rt.instances.filter(
    (i) => i.name === name && (sandboxId === undefined || i.sandboxId === sandboxId),
  );
}

export const isRunning = (i: Instance | undefined) => i?.state === 'CONTAINER_RUNNING';
export const isExited = (i: Instance | undefined) => i?.state === 'CONTAINER_EXITED';
