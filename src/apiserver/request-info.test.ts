import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRequestInfo } from './request-info.ts';

const q = (s = '') => new URLSearchParams(s);

test('core, grouped, namespaced and cluster-scoped paths', () => {
  assert.deepEqual(parseRequestInfo('GET', '/api/v1/namespaces/default/pods', q()), {
    group: '',
    version: 'v1',
    namespace: 'default',
    resource: 'pods',
    verb: 'list',
  });
  assert.deepEqual(parseRequestInfo('GET', '/apis/apps/v1/namespaces/ns/deployments/web/scale', q()), {
    group: 'apps',
    version: 'v1',
    namespace: 'ns',
    resource: 'deployments',
    name: 'web',
    subresource: 'scale',
    verb: 'get',
  });
  assert.equal(parseRequestInfo('GET', '/api/v1/pods', q('watch=true'))?.verb, 'watch');
  assert.equal(parseRequestInfo('DELETE', '/api/v1/namespaces/a/configmaps', q())?.verb, 'deletecollection');
});

test('a namespace and its own subresources', () => {
  assert.deepEqual(parseRequestInfo('GET', '/api/v1/namespaces/kube-system', q()), {
    group: '',
    version: 'v1',
    resource: 'namespaces',
    name: 'kube-system',
    verb: 'get',
  });
  assert.deepEqual(parseRequestInfo('PUT', '/api/v1/namespaces/x/finalize', q()), {
    group: '',
    version: 'v1',
    resource: 'namespaces',
    name: 'x',
    subresource: 'finalize',
    verb: 'update',
  });
});

test('paths that name no resource', () => {
  assert.equal(parseRequestInfo('GET', '/api', q()), undefined);
  assert.equal(parseRequestInfo('GET', '/apis/apps', q()), undefined);
  assert.equal(parseRequestInfo('GET', '/api/v1/a/b/c/d', q()), undefined);
});
