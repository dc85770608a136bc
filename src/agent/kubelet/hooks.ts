/**
 * Lifecycle hook handlers (postStart, preStop): exec, httpGet and sleep, with upstream's
 * failure messages. The FailedPostStartHook / FailedPreStopHook events are the caller's; it
 * gets their text here.
 */
import type { V1Container, V1LifecycleHandler, V1Pod } from '@kubernetes/client-node';
import { ExecTimeout, execWithTimeout, isExecTimeout } from './probes/exec.ts';
import { httpGetFollow } from './probes/http.ts';
import { resolvePort } from './probes/ports.ts';
import type { ExecInContainer } from './probes/types.ts';

export interface HookContext {
  pod: V1Pod;
  container: V1Container;
  containerId: string;
  podIp: string;
  exec: ExecInContainer;
  /** Upper bound for the handler (the kubelet gives what is left of the grace period). */
  timeoutSeconds: number;
}

export type HookResult = { ok: true } | { ok: false; message: string };

const hookUserAgent = 'kube-lifecycle/1.32';

/** Upstream's format.Pod: `name_namespace(uid)`. */
function formatPod(pod: V1Pod): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
}

/** A Go %v of a string slice: `[sh -c exit 1]`. */
const goSlice = (cmd: string[]) => `[${cmd.join(' ')}]`;

export async function runHandler(handler: V1LifecycleHandler, ctx: HookContext): Promise<HookResult> {
  const timeoutSeconds = Math.max(1, Math.ceil(ctx.timeoutSeconds));
  if (handler.exec) return runExec(handler.exec.command ?? [], ctx, timeoutSeconds);
  if (handler.httpGet) {
    const path = handler.httpGet.path ?? '';
    const fail = (error: string): HookResult => ({
      ok: false,
      message: `HTTP lifecycle hook (${path}) for Container ${JSON.stringify(ctx.container.name)} in Pod ${JSON.stringify(formatPod(ctx.pod))} failed - error: ${error}`,
    });
    const port = resolvePort(handler.httpGet.port as number | string, ctx.container);
    if (port instanceof Error) return fail(port.message);
    const host = handler.httpGet.host || ctx.podIp;
    if (!host) return fail('failed to find networking container, pod has no IP');
    const scheme = (handler.httpGet.scheme ?? 'HTTP').toUpperCase();
    if (scheme !== 'HTTP' && scheme !== 'HTTPS') return fail(`unsupported scheme: ${handler.httpGet.scheme}`);
    const got = await httpGetFollow(
      {
        scheme,
        host,
        port,
        path,
        headers: handler.httpGet.httpHeaders ?? [],
        timeoutMs: timeoutSeconds * 1000,
      },
      hookUserAgent,
    );
    // Upstream judges only whether the request went through, not the status code.
    return 'error' in got ? fail(got.error) : { ok: true };
  }
  if (handler.sleep) {
    const seconds = handler.sleep.seconds ?? 0;
    if (!Number.isInteger(seconds) || seconds < 0) {
      return { ok: false, message: `invalid sleep duration: ${seconds}` };
    }
    await new Promise((r) => setTimeout(r, Math.min(seconds, ctx.timeoutSeconds) * 1000));
    return { ok: true };
  }
  if ((handler as { tcpSocket?: unknown }).tcpSocket) {
    return { ok: false, message: 'cannot run handler: tcpSocket is not supported for lifecycle hooks' };
  }
  return { ok: false, message: 'cannot run handler: no exec, httpGet or sleep action given' };
}

async function runExec(cmd: string[], ctx: HookContext, timeoutSeconds: number): Promise<HookResult> {
  const fail = (error: string, output: string): HookResult => ({
    ok: false,
    message: `Exec lifecycle hook (${goSlice(cmd)}) for Container ${JSON.stringify(ctx.container.name)} in Pod ${JSON.stringify(formatPod(ctx.pod))} failed - error: ${error}, message: ${JSON.stringify(output)}`,
  });
  if (cmd.length === 0) return fail('no command given', '');
  try {
    const r = await execWithTimeout(ctx.exec, ctx.containerId, cmd, timeoutSeconds);
    if (r.exitCode === 0) return { ok: true };
    return fail(`command '${cmd.join(' ')}' exited with ${r.exitCode}: `, r.output);
  } catch (e) {
    if (e instanceof ExecTimeout || isExecTimeout(e)) {
      return fail(`command '${cmd.join(' ')}' timed out after ${timeoutSeconds}s`, '');
    }
    const err = e as { details?: string; message?: string };
    return fail(err.details || err.message || String(e), '');
  }
}
