/**
 * Adapters from the agent's image manager, prober and lifecycle hooks to the seams the pod
 * workers call (deps.ts).
 */
import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import type pino from 'pino';
import { ImageManager } from '../images/pull.ts';
import type { RegistriesConfig } from '../images/registries.ts';
import type { ObjectSource } from '../volumes/source.ts';
import type { KubeletCri } from './cri-types.ts';
import { type EnsureImage, ImageError, type ProbesLike, type RunHook } from './deps.ts';
import type { PodEvents } from './events.ts';
import { runHandler } from './hooks.ts';
import { ProbeManager } from './probes/manager.ts';
import type { ExecInContainer } from './probes/types.ts';

const fieldPathOf = (pod: V1Pod, name: string) =>
  (pod.spec?.initContainers ?? []).some((c) => c.name === name)
    ? `spec.initContainers{${name}}`
    : `spec.containers{${name}}`;

/** CRI ExecSync as the prober and hooks call it (timeouts in seconds, as CRI takes them). */
export function criExec(cri: KubeletCri): ExecInContainer {
  const runtime = cri.runtime as unknown as {
    execSync(
      req: { containerId: string; cmd: string[]; timeout: number },
      o: { timeoutMs: number },
    ): Promise<{ exitCode: number; stdout: Buffer; stderr: Buffer }>;
  };
  return async (containerId, cmd, timeoutSeconds) => {
    const r = await runtime.execSync(
      { containerId, cmd, timeout: timeoutSeconds },
      { timeoutMs: (timeoutSeconds + 5) * 1000 },
    );
    return { exitCode: r.exitCode, stdout: r.stdout ?? Buffer.alloc(0), stderr: r.stderr ?? Buffer.alloc(0) };
  };
}

/** The image manager (pull policy, pull secrets, back-off) behind EnsureImage. */
export function imageManagerEnsure(
  cri: KubeletCri,
  source: ObjectSource,
  events: PodEvents,
  registries?: () => RegistriesConfig,
): EnsureImage {
  const manager = new ImageManager({
    cri: cri.image as never,
    ...(registries ? { registries } : {}),
    onEvent: (pod, c, e) => events.record(pod, e.type, e.reason, e.message, fieldPathOf(pod, c.name)),
  });
  return async (pod, c, sandbox) => {
    const ns = pod.metadata?.namespace ?? 'default';
    const secrets: V1Secret[] = [];
    for (const ref of pod.spec?.imagePullSecrets ?? []) {
      const s = ref.name ? await source.secret(ns, ref.name).catch(() => undefined) : undefined;
      if (s) secrets.push(s);
    }
    const r = await manager.ensureImage(pod, c, secrets, sandbox);
    if (!r.ok) throw new ImageError(r.reason, r.message);
    // The image's user, for runAsNonRoot.
    const st = await cri.image.imageStatus({ image: { image: r.imageRef } }).catch(() => undefined);
    const img = st?.image as { uid?: { value: number } | null; username?: string } | null | undefined;
    return {
      imageRef: r.imageRef,
      ...(img?.uid ? { uid: Number(img.uid.value) } : {}),
      ...(img?.username ? { username: img.username } : {}),
    };
  };
}

/** The prober, told which containers run after every sync. */
export class Probes implements ProbesLike {
  private readonly manager: ProbeManager;
  private readonly byPod = new Map<string, Set<string>>();

  constructor(exec: ExecInContainer, events: PodEvents, onChange: (uid: string) => void, log: pino.Logger) {
    this.manager = new ProbeManager({
      exec,
      onChange,
      onEvent: (pod, type, reason, message) => events.record(pod, type, reason, message),
      log,
    });
  }

  update(
    pod: V1Pod,
    podIp: string,
    running: { name: string; id: string; startedAt: number; init: boolean }[],
  ): void {
    const uid = pod.metadata?.uid ?? '';
    const now = new Set(running.map((r) => r.id));
    for (const id of this.byPod.get(uid) ?? []) if (!now.has(id)) this.manager.untrack(id);
    for (const r of running) this.manager.track(pod, r.name, r.id, r.startedAt || Date.now(), podIp);
    this.byPod.set(uid, now);
  }

  forget(uid: string): void {
    this.manager.untrackPod(uid);
    this.byPod.delete(uid);
  }

  started(id: string): boolean {
    return this.manager.started(id);
  }

  ready(id: string): boolean {
    return this.manager.ready(id);
  }

  livenessFailed(id: string): boolean {
    return this.manager.livenessFailed(id) !== undefined;
  }

  failureGracePeriodSeconds(id: string): number | undefined {
    return this.manager.failureGracePeriodSeconds(id);
  }

  stop(): void {
    this.manager.stop();
  }
}

/** postStart/preStop through hooks.ts. */
export function hookRunner(exec: ExecInContainer): RunHook {
  return async (pod, container, containerId, which, timeoutMs, podIp) => {
    const handler = container.lifecycle?.[which];
    if (!handler) return undefined;
    const r = await runHandler(handler, {
      pod,
      container,
      containerId,
      podIp,
      exec,
      timeoutSeconds: timeoutMs / 1000,
    });
    return r.ok ? undefined : r.message;
  };
}
