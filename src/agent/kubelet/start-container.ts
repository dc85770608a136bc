/**
 * Starting one container instance (upstream kuberuntime_container.go startContainer): back-off
 * check, image, environment, config, CreateContainer, StartContainer, postStart hook. Every
 * failure becomes the container's waiting reason and an event; nothing throws.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { goDuration } from './backoff.ts';
import {
  ContainerConfigError,
  containerConfig,
  etcHostsContent,
  etcHostsPath,
  terminationLogPath,
} from './container-config.ts';
import type { WorkerContext } from './context.ts';
import { ImageError } from './deps.ts';
import { containerEnv, EnvError, expandVars } from './env.ts';
import type { PodPlan } from './plan.ts';
import type { PodWorker } from './pod-worker.ts';
import { instancesOf, type PodRuntime } from './runtime.ts';
import { sandboxConfig } from './sandbox-config.ts';
import { killContainer } from './termination.ts';

export type StartResult = 'started' | 'backoff' | 'failed' | 'skipped';

const retryMs = 5000;
const podText = (pod: V1Pod) => `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
const details = (e: unknown) => (e as { details?: string }).details || (e as Error).message || String(e);

export async function startContainer(
  ctx: WorkerContext,
  w: PodWorker,
  pod: V1Pod,
  sandboxId: string,
  attempt: number,
  item: PodPlan['start'][number],
  rt: PodRuntime,
): Promise<StartResult> {
  const c = item.container;
  const fieldPath = `spec.${item.init ? 'initContainers' : 'containers'}{${c.name}}`;
  const fail = (reason: string, message: string, event = `Error: ${message}`): StartResult => {
    w.waiting.set(c.name, { reason, message });
    ctx.events.record(pod, 'Warning', 'Failed', event, fieldPath);
    ctx.log.info({ pod: podText(pod), container: c.name, reason, message }, 'container did not start');
    ctx.wake(w.uid, Date.now() + retryMs);
    return 'failed';
  };

  const prev = item.previous;
  if (prev && (prev.state === 'CONTAINER_EXITED' || prev.state === 'CONTAINER_CREATED')) {
    const key = `${w.uid}/${c.name}`;
    const at = prev.finishedAt || prev.createdAt;
    if (ctx.backoff.inBackoffSince(key, at)) {
      const delay = goDuration(ctx.backoff.get(key));
      const message = `back-off ${delay} restarting failed container=${c.name} pod=${podText(pod)}`;
      const was = w.waiting.get(c.name);
      if (was?.reason !== 'CrashLoopBackOff' || was.message !== message)
        ctx.events.record(
          pod,
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${c.name} in pod ${podText(pod)}`,
          fieldPath,
        );
      w.waiting.set(c.name, { reason: 'CrashLoopBackOff', message });
      ctx.wake(w.uid, ctx.backoff.until(key, at) + 50);
      return 'backoff';
    }
    ctx.backoff.next(key, at);
  }
  const newest = instancesOf(rt, c.name)[0];
  const restartCount = newest ? newest.restartCount + 1 : 0;
  const sandbox = sandboxConfig(pod, attempt, ctx.facts);
  const ips = await w.sandboxIps(sandboxId);

  let image: Awaited<ReturnType<WorkerContext['ensureImage']>>;
  try {
    image = await ctx.ensureImage(pod, c, sandbox);
  } catch (e) {
    if (e instanceof ImageError || (e as { reason?: string }).reason) {
      const reason = (e as { reason: string }).reason;
      w.waiting.set(c.name, { reason, message: (e as Error).message });
      ctx.events.record(pod, 'Warning', 'Failed', `Error: ${reason}`, fieldPath);
      ctx.wake(w.uid, Date.now() + retryMs);
      return 'failed';
    }
    return fail('ErrImagePull', details(e));
  }

  let config: ReturnType<typeof containerConfig>;
  try {
    const services = await ctx.services().catch(() => []);
    const { env, warnings } = await containerEnv(pod, c, ctx.source, {
      podIp: ips[0] ?? (pod.spec?.hostNetwork ? ctx.nodeIp : ''),
      podIps: ips,
      hostIp: ctx.nodeIp,
      hostIps: [ctx.nodeIp],
      nodeName: ctx.nodeName,
      services,
    });
    for (const text of warnings) ctx.events.record(pod, 'Warning', 'InvalidEnvironmentVariableNames', text);
    if (!w.volumes) throw new ContainerConfigError('volumes are not set up');
    const mounts = w.volumes.mounts(c, env);
    config = containerConfig(pod, c, restartCount, {
      podDir: w.podDir,
      memoryCapacity: ctx.memoryCapacity,
      imageRef: image.imageRef,
      imageUid: image.uid,
      imageUsername: image.username,
      env,
      mounts,
      expand: (text) => expandVars(text, env),
    });
    const messageFile = terminationLogPath(w.podDir, c.name, restartCount);
    await fs.mkdir(path.dirname(messageFile), { recursive: true });
    await fs.writeFile(messageFile, '', { mode: 0o666 });
    if (!pod.spec?.hostNetwork) {
      const hosts = etcHostsPath(w.podDir);
      await fs
        .access(hosts)
        .catch(() => fs.writeFile(hosts, etcHostsContent(pod, ips, ctx.facts.clusterDomain)));
    }
  } catch (e) {
    if (e instanceof EnvError || e instanceof ContainerConfigError)
      return fail('CreateContainerConfigError', (e as Error).message);
    return fail('CreateContainerConfigError', details(e));
  }

  let id: string;
  try {
    id = (await ctx.cri.runtime.createContainer({ podSandboxId: sandboxId, config, sandboxConfig: sandbox }))
      .containerId;
  } catch (e) {
    return fail('CreateContainerError', details(e));
  }
  ctx.events.record(pod, 'Normal', 'Created', `Created container: ${c.name}`, fieldPath);
  try {
    await ctx.cri.runtime.startContainer({ containerId: id });
  } catch (e) {
    return fail('RunContainerError', details(e));
  }
  w.waiting.delete(c.name);
  ctx.events.record(pod, 'Normal', 'Started', `Started container ${c.name}`, fieldPath);

  if (c.lifecycle?.postStart && ctx.runHook) {
    const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;
    const err = await ctx.runHook(
      pod,
      c,
      id,
      'postStart',
      grace * 1000,
      ips[0] ?? (pod.spec?.hostNetwork ? ctx.nodeIp : ''),
    );
    if (err) {
      ctx.events.record(pod, 'Warning', 'FailedPostStartHook', err, fieldPath);
      const inst = { id, name: c.name } as Parameters<typeof killContainer>[3];
      await killContainer(ctx, pod, c, inst, grace, false);
      w.waiting.set(c.name, { reason: 'PostStartHookError', message: err });
      return 'failed';
    }
  }
  return 'started';
}
