import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeAuthorizer } from './node-authorizer.ts';

const node = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const at = (verb: string, resource: string, extra: Record<string, string> = {}) => ({
  verb,
  resource,
  path: '/',
  ...extra,
});

test('a node reads what a kubelet reads and writes only its own Node and Lease', async () => {
  assert.equal(await nodeAuthorizer(node, at('watch', 'pods')), true);
  assert.equal(await nodeAuthorizer(node, at('get', 'secrets', { namespace: 'a', name: 's' })), true);
  assert.equal(await nodeAuthorizer(node, at('list', 'endpointslices', { group: 'discovery.k8s.io' })), true);
  assert.equal(await nodeAuthorizer(node, at('patch', 'nodes', { name: 'n1', subresource: 'status' })), true);
  assert.equal(
    await nodeAuthorizer(node, at('patch', 'nodes', { name: 'n2', subresource: 'status' })),
    false,
  );
  const lease = { group: 'coordination.k8s.io', namespace: 'kube-node-lease' };
  assert.equal(await nodeAuthorizer(node, at('update', 'leases', { ...lease, name: 'n1' })), true);
  assert.equal(await nodeAuthorizer(node, at('update', 'leases', { ...lease, name: 'n2' })), false);
  assert.equal(await nodeAuthorizer(node, at('create', 'pods', { subresource: 'status' })), false);
  assert.equal(await nodeAuthorizer(node, at('patch', 'pods', { subresource: 'status' })), true);
  assert.equal(await nodeAuthorizer(node, at('delete', 'deployments', { group: 'apps' })), false);
  assert.equal(await nodeAuthorizer(node, at('create', 'secrets')), false);
});

test('only node identities are considered', async () => {
  const other = { name: 'bob', groups: ['system:nodes'] };
  assert.equal(await nodeAuthorizer(other, at('get', 'pods')), false);
  const notInGroup = { name: 'system:node:n1', groups: ['system:authenticated'] };
  assert.equal(await nodeAuthorizer(notInGroup, at('get', 'pods')), false);
});
