import { isObject } from '../../api/object.ts';
import { StatusError, statusErrors } from '../../api/status.ts';
import type { Reply, ResourceRequest } from '../context.ts';

/** Pod subresources served by the node agent: the API server finds the pod's node and proxies. */
export const streamingSubresources = new Set(['log', 'exec', 'attach', 'portforward']);

/**
 * GET …/log and GET/POST …/exec|attach|portforward. The pod must exist and be scheduled; its
 * node's agent endpoint (status.daemonEndpoints.kubeletEndpoint) is where the stream goes. Until
 * a node agent serves that node, the answer is a clear 503 naming the node.
 */
export async function handleStreaming(r: ResourceRequest): Promise<Reply> {
  const { namespace, name, subresource } = r.info;
  const pod = await r.store.get(namespace, name!);
  const spec = isObject(pod.spec) ? pod.spec : {};
  const node = typeof spec.nodeName === 'string' ? spec.nodeName : '';
  if (!node) throw statusErrors.badRequest(`pod ${name} does not have a host assigned`);
  const containers = (Array.isArray(spec.containers) ? spec.containers : []) as { name?: string }[];
  const container = r.query.get('container');
  if (container && !containers.some((c) => c.name === container)) {
    const init = (Array.isArray(spec.initContainers) ? spec.initContainers : []) as { name?: string }[];
    if (!init.some((c) => c.name === container)) {
      throw statusErrors.badRequest(`container ${container} is not valid for pod ${name}`);
    }
  }
  throw new StatusError(
    503,
    'ServiceUnavailable',
    `no node agent is serving node "${node}", so ${subresource} for pod ${name} is not available`,
  );
}
