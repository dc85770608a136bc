/** Small helpers over @kubernetes/client-node's generated API clients. */
import { type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

/** Request options that send a PATCH body as a JSON merge patch. */
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The HTTP status of a failed API call (client-node's ApiException), if it has one. */
export function errorCode(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * client-node 2.0.1 builds a new undici Agent for every request (KubeConfig.createDispatcher is
 * called from applySecurityAuthentication without a cache), so every call pays a TLS handshake
 * and leaves a pool behind. One shared dispatcher per KubeConfig keeps connections alive.
 */
export function shareConnections(kc: KubeConfig): void {
  const target = kc as unknown as { createDispatcher(cluster: unknown, options: unknown): unknown };
  const create = target.createDispatcher.bind(kc);
  let shared: unknown;
  target.createDispatcher = (cluster, options) => {
    shared ??= create(cluster, options);
    return shared;
  };
}
