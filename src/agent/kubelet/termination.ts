/**
 * Stopping containers and pods (upstream kuberuntime_container.go killContainer, killPodWithSyncResult)
 * and removing everything of a pod that is gone: containers, sandboxes, volumes, its
 * directory, its logs and its cgroups.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { removePodCgroups } from './cgroups.ts';
import type { WorkerContext } from './context.ts';
import type { PodWorker } from './pod-worker.ts';
import { type Instance, isRunning, type PodRuntime } from './runtime.ts';
import { podCgroupParent } from './sandbox-config.ts';

/** The kubelet never gives a container less than this to stop. */
export const minGraceSeconds = 2;

/** Runs the preStop hook (when asked), then StopContainer with what is left of `graceSeconds`. */
export async function killContainer(
  ctx: WorkerContext,
  pod: V1Pod,
  spec: V1Container | undefined,
  inst: Pick<Instance, 'id' | 'name'>,
  graceSeconds: number,
  preStop = true,
  podIp = '',
): Promise<void> {
  const started = Date.now();
  if (preStop && spec?.lifecycle?.preStop && ctx.runHook) {
    const err = await ctx.runHook(pod, spec, inst.id, 'preStop', graceSeconds * 1000, podIp);
    if (err) ctx.events.record(pod, 'Warning', 'FailedPreStopHook', err);
  }
  const left = Math.max(minGraceSeconds, Math.ceil(graceSeconds - (Date.now() - started) / 1000));
  ctx.events.record(pod, 'Normal', 'Killing', `Stopping container ${inst.name}`);
  try {
    await ctx.cri.runtime.stopContainer(
      { containerId: inst.id, timeout: left },
      { timeoutMs: (left + 60) * 1000 },
    );
  } catch (e) {
    ctx.log.warn({ container: inst.id, err: String(e) }, 'StopContainer failed');
  }
}

/** Stops every ready sandbox; true when there was one. */
export async function stopSandboxes(ctx: WorkerContext, rt: PodRuntime): Promise<boolean> {
  let any = false;
  for (const s of rt.sandboxes) {
    if (s.state !== 'SANDBOX_READY') continue;
    any = true;
    await ctx.cri.runtime.stopPodSandbox({ podSandboxId: s.id }).catch((e: unknown) => {
      ctx.log.warn({ sandbox: s.id, err: String(e) }, 'StopPodSandbox failed');
    });
  }
  return any;
}

async function killAll(
  ctx: WorkerContext,
  pod: V1Pod | undefined,
  rt: PodRuntime,
  grace: number,
  podIp = '',
): Promise<void> {
  const specs = [...(pod?.spec?.initContainers ?? []), ...(pod?.spec?.containers ?? [])];
  const stub = pod ?? ({ metadata: {} } as V1Pod);
  await Promise.all(
    rt.instances
      .filter((i) => isRunning(i) || i.state === 'CONTAINER_CREATED')
      .map((i) =>
        killContainer(
          ctx,
          stub,
          specs.find((c) => c.name === i.name),
          i,
          grace,
          pod !== undefined,
          podIp,
        ),
      ),
  );
  await stopSandboxes(ctx, rt);
}

/**
 * A pod with a deletionTimestamp: stop its containers within its grace period, post the final
 * status, then delete the object with grace 0 (the API's DELETED event then removes the rest).
 */
export async function terminatePod(
  ctx: WorkerContext,
  w: PodWorker,
  pod: V1Pod,
  rt: PodRuntime,
): Promise<void> {
  if (!w.killed) {
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    const sandbox = rt.sandboxes[0];
    const podIp = (sandbox && (await w.sandboxIps(sandbox.id))[0]) || '';
    await killAll(ctx, pod, rt, grace, podIp);
    w.killed = true;
    rt = await w.reader.read(w.uid, pod, w.podDir, w.logDir(pod));
    w.runtime = rt;
  }
  w.terminal = true;
  w.postStatus(pod, rt);
  await ctx.flushStatus(w.uid);
  await ctx.deletePod(pod);
}

/** The pod is gone from the API: remove all it left on the node. */
export async function removeAll(ctx: WorkerContext, w: PodWorker, rt: PodRuntime): Promise<void> {
  if (!w.killed) await killAll(ctx, undefined, rt, 0);
  for (const i of rt.instances)
    await ctx.cri.runtime.removeContainer({ containerId: i.id }).catch((e: unknown) => {
      ctx.log.warn({ container: i.id, err: String(e) }, 'RemoveContainer failed');
    });
  for (const s of rt.sandboxes) {
    await ctx.cri.runtime.stopPodSandbox({ podSandboxId: s.id }).catch(() => {});
    await ctx.cri.runtime.removePodSandbox({ podSandboxId: s.id }).catch((e: unknown) => {
      ctx.log.warn({ sandbox: s.id, err: String(e) }, 'RemovePodSandbox failed');
    });
  }
  if (w.volumes)
    await w.volumes
      .tearDown()
      .catch((e: unknown) => ctx.log.warn({ err: String(e) }, 'tearing down volumes failed'));
  await fs.rm(w.podDir, { recursive: true, force: true }).catch((e: unknown) => {
    ctx.log.warn({ dir: w.podDir, err: String(e) }, 'removing the pod directory failed');
  });
  const logs = path.join(ctx.facts.agentDir, 'logs');
  const dirs = await fs.readdir(logs).catch(() => [] as string[]);
  for (const d of dirs)
    if (d.endsWith(`_${w.uid}`)) await fs.rm(path.join(logs, d), { recursive: true, force: true });
  const left = removePodCgroups(podCgroupParent(ctx.facts.cgroupParent, w.uid));
  if (left.length > 0) ctx.log.warn({ pod: w.uid, left }, 'pod cgroup directories remain');
  ctx.probes.forget(w.uid);
  ctx.backoff.forget(`${w.uid}/`);
}
