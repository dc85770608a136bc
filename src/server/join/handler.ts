import type { ServerPki } from '../../pki/server.ts';
import { issueNodeCredentials, validateBody } from './credentials.ts';
import { secretMatches } from './token.ts';

/** Outside the Kubernetes API: authenticated by the join token only, never by a certificate. */
export const NODE_CREDENTIALS_PATH = '/v1-skiff/node-credentials';
/** The server CA bundle, unauthenticated, for the agent to check against its token's hash. */
export const CACERTS_PATH = '/cacerts';
/** The cluster's networks for a joining agent (as k3s's /v1-k3s/config), token only. */
export const CLUSTER_NETWORKS_PATH = '/v1-skiff/cluster-networks';

export const joinPaths: ReadonlySet<string> = new Set([
  NODE_CREDENTIALS_PATH,
  CACERTS_PATH,
  CLUSTER_NETWORKS_PATH,
]);

/** What an agent must agree on with the server; `skiff agent` flags still override them. */
export interface ClusterNetworks {
  readonly clusterCidr: string;
  readonly serviceCidr: string;
  readonly clusterDns: string;
  readonly clusterDomain: string;
}

export interface JoinReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export type JoinHandler = (
  path: string,
  method: string,
  authorization: string | undefined,
  body: string,
) => Promise<JoinReply | undefined>;

function jsonReply(status: number, body: unknown): JoinReply {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

/** The password of `Authorization: Bearer <t>` or `Basic base64(user:<t>)` (k3s sends either). */
export function presentedSecret(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, value] = authorization.split(' ', 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === 'bearer') {
    const m = /^K10[0-9a-f]{64}::[^:]+:(.+)$/.exec(value);
    return m ? m[1] : value;
  }
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i < 0 ? undefined : decoded.slice(i + 1);
  }
  return undefined;
}

/**
 * Answers the join paths and nothing else (undefined: not ours). A wrong or missing token is a
 * 401, a bad body a 400; neither throws.
 */
export function joinHandler(pki: ServerPki, secret: string, networks: ClusterNetworks): JoinHandler {
  return async (path, method, authorization, body) => {
    if (path === CACERTS_PATH) {
      if (method !== 'GET') return jsonReply(405, { message: 'use GET' });
      return { status: 200, contentType: 'application/x-pem-file', body: pki.serverCaPem };
    }
    if (path !== NODE_CREDENTIALS_PATH && path !== CLUSTER_NETWORKS_PATH) return undefined;
    const want = path === CLUSTER_NETWORKS_PATH ? 'GET' : 'POST';
    if (method !== want) return jsonReply(405, { message: `use ${want}` });
    const presented = presentedSecret(authorization);
    if (presented === undefined || !secretMatches(presented, secret))
      return jsonReply(401, { message: 'the join token is missing or wrong' });
    if (path === CLUSTER_NETWORKS_PATH) return jsonReply(200, networks);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return jsonReply(400, { message: 'the body is not JSON' });
    }
    const request = validateBody(parsed);
    if (typeof request === 'string') return jsonReply(400, { message: request });
    return jsonReply(200, await issueNodeCredentials(pki, request));
  };
}
