import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import type { KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { testRegistry } from '../../controllers/util/testing.ts';
import type { Registry } from '../../registry/registry.ts';
import type { Backend } from '../../storage/types.ts';
import type { ResourceRequest } from '../context.ts';
import { serviceAccountAuthenticator } from './authenticator.ts';
import { ServiceAccountTokenSigner } from './jwt.ts';
import { testKey } from './testing.ts';
import { tokenRequestHandler } from './token-request.ts';

const key = testKey();
const api = 'https://kubernetes.default.svc.cluster.local';
let registry: Registry;
let backend: Backend;
let sa: KubeObject;
let pod: KubeObject;
let node: KubeObject;
const handler = () =>
  tokenRequestHandler({ registry, signer: new ServiceAccountTokenSigner(key), audiences: [api] });

before(async () => {
  ({ registry, backend } = await testRegistry());
  sa = await registry.byResource('', 'serviceaccounts')!.create('default', { metadata: { name: 'robot' } });
  await registry.byResource('', 'serviceaccounts')!.create('default', { metadata: { name: 'other' } });
  node = await registry.byResource('', 'nodes')!.create(undefined, { metadata: { name: 'n1' } });
  pod = await registry.byResource('', 'pods')!.create('default', {
    metadata: { name: 'web' },
    spec: { nodeName: 'n1', serviceAccountName: 'robot', containers: [{ name: 'c', image: 'i' }] },
  });
});
after(() => backend.close());

async function post(name: string, body: unknown, query = '') {
  const req = Object.assign(Readable.from([Buffer.from(JSON.stringify(body))]), {
    headers: { 'content-type': 'application/json' },
  });
  const r = {
    info: {
      verb: 'create',
      group: '',
      version: 'v1',
      resource: 'serviceaccounts',
      subresource: 'token',
      namespace: 'default',
      name,
    },
    store: registry.byResource('', 'serviceaccounts')!,
    query: new URLSearchParams(query),
    req,
    res: undefined,
    user: { name: 'admin', groups: ['system:masters'] },
    warnings: [],
  } as unknown as ResourceRequest;
  const reply = await handler()(r);
  assert.notEqual(reply, 'sent');
  return reply as { status: number; body: TokenRequestBody };
}

interface TokenRequestBody {
  kind: string;
  apiVersion: string;
  spec: { audiences: string[]; expirationSeconds: number };
  status: { token: string; expirationTimestamp: string };
}

const request = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'authentication.k8s.io/v1',
  kind: 'TokenRequest',
  spec,
});

test('a pod-bound token request gets a JWT that authenticates as the service account', async () => {
  const { status, body } = await post(
    'robot',
    request({
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: pod.metadata.uid },
      expirationSeconds: 600,
    }),
  );
  assert.equal(status, 201);
  assert.equal(body.kind, 'TokenRequest');
  assert.equal(body.apiVersion, 'authentication.k8s.io/v1');
  assert.deepEqual(body.spec.audiences, [api]);
  assert.equal(body.spec.expirationSeconds, 600);
  const claims = decodeJwt(body.status.token);
  assert.equal(claims.sub, 'system:serviceaccount:default:robot');
  assert.deepEqual(claims['kubernetes.io'], {
    namespace: 'default',
    serviceaccount: { name: 'robot', uid: sa.metadata.uid },
    pod: { name: 'web', uid: pod.metadata.uid },
    node: { name: 'n1', uid: node.metadata.uid },
  });
  const expires = Date.parse(body.status.expirationTimestamp);
  assert.ok(Math.abs(expires - (Date.now() + 600_000)) < 5000);

  const authn = serviceAccountAuthenticator({ registry, key, audiences: [api] });
  assert.deepEqual(await authn(body.status.token), {
    name: 'system:serviceaccount:default:robot',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:default'],
  });
});

test('audiences, defaults and dryRun', async () => {
  const { body } = await post('robot', request({ audiences: ['vault'] }));
  assert.deepEqual(decodeJwt(body.status.token).aud, ['vault']);
  assert.equal(body.spec.expirationSeconds, 3600);
  const authn = serviceAccountAuthenticator({ registry, key, audiences: [api] });
  assert.equal(
    await authn(body.status.token),
    undefined,
    'a token for another audience is not an API credential',
  );
  const dry = await post('robot', request(), 'dryRun=All');
  assert.equal(dry.body.status.token, '');
});

test('bad requests are refused as upstream refuses them', async () => {
  const fails = async (name: string, body: unknown, code: number, message: string) => {
    await assert.rejects(post(name, body), (e: unknown) => {
      assert.ok(isStatusError(e), String(e));
      assert.equal(e.code, code);
      assert.equal(e.message, message);
      return true;
    });
  };
  await fails('ghost', request(), 404, 'serviceaccounts "ghost" not found');
  await fails(
    'robot',
    request({ expirationSeconds: 60 }),
    422,
    'TokenRequest.authentication.k8s.io "robot" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
  );
  await fails(
    'robot',
    request({ expirationSeconds: 2 ** 33 }),
    422,
    `TokenRequest.authentication.k8s.io "robot" is invalid: spec.expirationSeconds: Invalid value: ${2 ** 33}: may not specify a duration larger than 2^32 seconds`,
  );
  await fails(
    'other',
    request({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web' } }),
    400,
    'cannot bind token for serviceaccount "other" to pod running with different serviceaccount name.',
  );
  await fails(
    'robot',
    request({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'nope' } }),
    404,
    'pods "nope" not found',
  );
  await fails(
    'robot',
    request({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'stale' } }),
    409,
    'Operation cannot be fulfilled on Pod "web": the UID in the bound object reference (stale) does not match the UID in record. The object might have been deleted and then recreated',
  );
  await fails(
    'robot',
    request({ boundObjectRef: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'd' } }),
    400,
    'cannot bind token to object of type apps/v1, Kind=Deployment',
  );
});
