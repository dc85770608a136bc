import { isObject } from '../../api/object.ts';
import { StatusError, statusErrors } from '../../api/status.ts';
import type { Reply, ResourceRequest } from '../context.ts';
import { markTakenOver, streamingContext } from '../streaming/context.ts';
import { kubeletLocation, proxyLogs, proxyUpgrade } from '../streaming/kubelet-proxy.ts';

/** Pod subresources served by the node agent: the API server finds the pod's node and proxies. */
export const streamingSubresources = new Set(['log', 'exec', 'attach', 'portforward']);

type ContainerLike = { name?: string };

function names(list: unknown): string[] {
  return (Array.isArray(list) ? (list as ContainerLike[]) : []).map((c) => c.name ?? '').filter(Boolean);
}

/** The container asked for, or the pod's only one; upstream's errors otherwise. */
function pickContainer(pod: string, spec: Record<string, unknown>, asked: string | null): string {
  const containers = names(spec.containers);
  const init = names(spec.initContainers);
  if (asked) {
    if (!containers.includes(asked) && !init.includes(asked)) {
      throw statusErrors.badRequest(`container ${asked} is not valid for pod ${pod}`);
    }
    return asked;
  }
  if (containers.length === 1) return containers[0]!;
  const choices = `choose one of: [${containers.join(' ')}]`;
  throw statusErrors.badRequest(
    `a container name must be specified for pod ${pod}, ${choices}${init.length ? ` or one of the init containers: [${init.join(' ')}]` : ''}`,
  );
}

/**
 * GET …/log and GET/POST …/exec|attach|portforward. The pod must exist and be scheduled; its
 * node's agent endpoint (InternalIP, status.daemonEndpoints.kubeletEndpoint.Port) is where the
 * stream goes, over TLS with the API server's kubelet-client certificate. Logs are streamed
 * through; upgrades (WebSocket, SPDY) are relayed as raw bytes after the agent's 101.
 */
export async function handleStreaming(r: ResourceRequest): Promise<Reply> {
  const { namespace, name, subresource } = r.info;
  const pod = await r.store.get(namespace, name!);
  const spec = isObject(pod.spec) ? pod.spec : {};
  const status = isObject(pod.status) ? pod.status : {};
  const node = typeof spec.nodeName === 'string' ? spec.nodeName : '';
  if (!node) throw statusErrors.badRequest(`pod ${name} does not have a host assigned`);
  const needsContainer = subresource !== 'portforward';
  const container = needsContainer ? pickContainer(name!, spec, r.query.get('container')) : '';
  const phase = typeof status.phase === 'string' ? status.phase : '';
  if ((subresource === 'exec' || subresource === 'attach') && (phase === 'Succeeded' || phase === 'Failed')) {
    // kubectl's own words for the same check.
    const verb = subresource === 'exec' ? 'exec into' : 'attach';
    throw statusErrors.badRequest(`cannot ${verb} a container in a completed pod; current phase is ${phase}`);
  }
  const unavailable = () =>
    new StatusError(
      503,
      'ServiceUnavailable',
      `no node agent is serving node "${node}", so ${subresource} for pod ${name} is not available`,
    );
  const ctx = streamingContext(r.req);
  if (!ctx) throw unavailable();
  const nodes = ctx.config.registry.byResource('', 'nodes');
  const nodeObject = nodes ? await nodes.get(undefined, node).catch(() => undefined) : undefined;
  const at = nodeObject ? kubeletLocation(nodeObject as never, node) : undefined;
  if (!at) throw unavailable();

  const query = new URLSearchParams(r.query);
  query.delete('container');
  const qs = query.toString() ? `?${query}` : '';
  const ns = encodeURIComponent(namespace ?? '');
  const pn = encodeURIComponent(name!);
  const cn = encodeURIComponent(container);
  const paths: Record<string, string> = {
    log: `/containerLogs/${ns}/${pn}/${cn}${qs}`,
    exec: `/exec/${ns}/${pn}/${cn}${qs}`,
    attach: `/attach/${ns}/${pn}/${cn}${qs}`,
    portforward: `/portForward/${ns}/${pn}${qs}`,
  };
  const path = paths[subresource!]!;
  const fail = (err: unknown) =>
    new StatusError(
      503,
      'ServiceUnavailable',
      `the node agent of "${node}" at ${at.host}:${at.port} did not answer: ${err instanceof Error ? err.message : String(err)}`,
    );
  if (subresource === 'log') {
    if (r.req.method !== 'GET')
      throw statusErrors.methodNotSupported({ group: '', resource: 'pods/log' }, r.req.method ?? '');
    await proxyLogs(ctx.config, at, path, r.req, r.res).catch((err) => {
      throw fail(err);
    });
    return 'sent';
  }
  if (!ctx.upgrade) throw statusErrors.badRequest('Upgrade request required');
  markTakenOver(r.req);
  await proxyUpgrade(ctx.config, at, path, r.req, ctx.upgrade.socket, ctx.upgrade.head).catch((err) => {
    throw fail(err);
  });
  return 'sent';
}
