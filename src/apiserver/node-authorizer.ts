import type { Attributes, Authorizer } from './authn.ts';
import type { UserInfo } from './context.ts';

const NODE_PREFIX = 'system:node:';
const read = new Set(['get', 'list', 'watch']);

/** What every node may read: the objects its pods, proxy and DNS need (core group unless named). */
const readable = new Set([
  'nodes',
  'pods',
  'services',
  'endpoints',
  'namespaces',
  'configmaps',
  'secrets',
  'persistentvolumeclaims',
  'persistentvolumes',
  'serviceaccounts',
  'discovery.k8s.io/endpointslices',
  'networking.k8s.io/networkpolicies',
  'node.k8s.io/runtimeclasses',
  'storage.k8s.io/csidrivers',
  'coordination.k8s.io/leases',
]);

const key = (a: Attributes) => {
  const r = a.subresource ? `${a.resource}/${a.subresource}` : (a.resource ?? '');
  return a.group ? `${a.group}/${r}` : r;
};

/**
 * The node authorizer in small: a user `system:node:<name>` in group system:nodes may read what a
 * kubelet reads, write its own Node and Lease, post its pods' status, delete pods (the final
 * delete after graceful termination), record events and ask for service account tokens.
 * Upstream also checks that secrets and pods belong to the node's pods (a graph of
 * references); that finer check is not made here yet.
 */
export const nodeAuthorizer: Authorizer = async (user: UserInfo, a: Attributes) => {
  if (!user.groups.includes('system:nodes') || !user.name.startsWith(NODE_PREFIX)) return false;
  const node = user.name.slice(NODE_PREFIX.length);
  if (!a.resource) return read.has(a.verb) || a.verb === 'get';
  const what = key(a);
  if (read.has(a.verb) && readable.has(what)) return true;
  switch (what) {
    case 'nodes':
    case 'nodes/status':
      return a.verb === 'create' || (a.name === node && ['update', 'patch', 'delete'].includes(a.verb));
    case 'coordination.k8s.io/leases':
      return (
        a.namespace === 'kube-node-lease' &&
        (a.verb === 'create' || (a.name === node && ['update', 'patch', 'delete'].includes(a.verb)))
      );
    case 'pods/status':
      return a.verb === 'update' || a.verb === 'patch';
    case 'pods':
      return a.verb === 'delete' || a.verb === 'create';
    case 'events':
    case 'events.k8s.io/events':
      return ['create', 'update', 'patch'].includes(a.verb);
    case 'serviceaccounts/token':
      return a.verb === 'create';
    case 'services/status':
      return a.verb === 'update' || a.verb === 'patch';
    default:
      return false;
  }
};

/** Allows what any of the given authorizers allows. */
export const anyOf =
  (...authorizers: Authorizer[]): Authorizer =>
  async (user, attributes) => {
    for (const authorize of authorizers) if (await authorize(user, attributes)) return true;
    return false;
  };
