/**
 * What to do next for one pod, from its spec and what the runtime holds (upstream
 * kuberuntime_manager.go computePodActions, reduced to what this kubelet runs). Pure.
 */
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { containerHash, containerHashAnnotation } from './container-config.ts';
import { type Instance, instancesOf, isExited, isRunning, type PodRuntime } from './runtime.ts';

export interface ProbeView {
  /** False while a startup probe has not succeeded yet. */
  started(id: string): boolean;
  livenessFailed(id: string): boolean;
}

export interface PodPlan {
  /** The newest sandbox is missing or not ready: make one with this attempt (killing all first). */
  createSandbox?: { attempt: number };
  /** Ready sandbox to run containers in. */
  sandboxId?: string;
  /** Containers to (re)start, in order; `previous` is the instance being replaced. */
  start: { container: V1Container; init: boolean; previous?: Instance }[];
  /** Running instances to stop first (liveness failed, or the pod is finished). */
  kill: { instance: Instance; reason: string; message: string }[];
  /** Every regular init container completed. */
  initialized: boolean;
  /** Nothing will run again: stop the sandbox, keep the status. */
  terminal: boolean;
}

export const isSidecar = (c: V1Container) => c.restartPolicy === 'Always';

/** kubecontainer.ShouldContainerBeRestarted for an instance that is not running. */
export function shouldRestart(policy: string | undefined, i: Instance | undefined): boolean {
  if (!i || i.state === 'CONTAINER_CREATED' || i.state === 'CONTAINER_UNKNOWN') return true;
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return i.exitCode !== 0;
  return true;
}

/** The running instance was created from another spec (e.g. the pod's image was changed). */
function specChanged(i: Instance, c: V1Container): boolean {
  const hash = i.annotations[containerHashAnnotation];
  return hash !== undefined && hash !== containerHash(c);
}

function newestSandbox(rt: PodRuntime) {
  return rt.sandboxes[0];
}

export function planPod(pod: V1Pod, rt: PodRuntime, probes: ProbeView, wasTerminal = false): PodPlan {
  const spec = pod.spec;
  const policy = spec?.restartPolicy ?? 'Always';
  const inits = spec?.initContainers ?? [];
  const apps = spec?.containers ?? [];
  const plan: PodPlan = { start: [], kill: [], initialized: false, terminal: false };
  const sandbox = newestSandbox(rt);
  const running = rt.instances.filter(isRunning);

  const finish = () => {
    plan.terminal = true;
    plan.start = [];
    for (const i of running) plan.kill.push({ instance: i, reason: 'Killing', message: 'pod finished' });
    return plan;
  };
  if (wasTerminal) return finish();

  if (sandbox?.state !== 'SANDBOX_READY') {
    // A pod that ran with restartPolicy Never and lost its sandbox does not run again.
    if (sandbox && policy === 'Never' && rt.instances.length > 0) return finish();
    plan.createSandbox = { attempt: sandbox ? (sandbox.metadata?.attempt ?? 0) + 1 : 0 };
    for (const i of running)
      plan.kill.push({ instance: i, reason: 'Killing', message: 'pod sandbox changed' });
    const first = inits[0];
    if (first) plan.start.push({ container: first, init: true });
    else for (const c of apps) plan.start.push({ container: c, init: false });
    plan.initialized = inits.every(isSidecar) && inits.length === 0;
    return plan;
  }
  plan.sandboxId = sandbox.id;
  const latest = (c: V1Container) => instancesOf(rt, c.name, sandbox.id)[0];
  // Once an app container ran in this sandbox, the pod was initialized: inits do not run again.
  const appsBegan = apps.some((c) => latest(c) !== undefined);

  let initialized = true;
  for (const c of inits) {
    const i = latest(c);
    if (isSidecar(c)) {
      if (isRunning(i)) {
        if (probes.livenessFailed(i!.id)) {
          plan.kill.push({
            instance: i!,
            reason: 'Unhealthy',
            message: 'failed liveness probe, will be restarted',
          });
          plan.start.push({ container: c, init: true, previous: i });
          if (!appsBegan) break;
        } else if (!probes.started(i!.id) && !appsBegan) {
          initialized = false;
          break;
        }
        continue;
      }
      plan.start.push({ container: c, init: true, previous: i });
      if (!appsBegan) {
        initialized = false;
        break;
      }
      continue;
    }
    if (appsBegan) continue;
    if (isExited(i) && i!.exitCode === 0) continue;
    initialized = false;
    if (isRunning(i)) break;
    if (isExited(i) && !shouldRestart(policy, i)) return finish();
    plan.start.push({ container: c, init: true, previous: i });
    break;
  }
  plan.initialized = initialized;
  if (!initialized) return plan;

  let live = 0;
  for (const c of apps) {
    const i = latest(c);
    if (isRunning(i)) {
      live++;
      if (probes.livenessFailed(i!.id)) {
        plan.kill.push({
          instance: i!,
          reason: 'Unhealthy',
          message: 'failed liveness probe, will be restarted',
        });
        if (policy !== 'Never') plan.start.push({ container: c, init: false, previous: i });
      } else if (specChanged(i!, c)) {
        plan.kill.push({ instance: i!, reason: 'Changed', message: 'definition changed, will be restarted' });
        plan.start.push({ container: c, init: false });
      }
      continue;
    }
    if (shouldRestart(policy, i)) {
      live++;
      plan.start.push({ container: c, init: false, previous: i });
    }
  }
  if (live === 0 && apps.length > 0) return finish();
  return plan;
}
