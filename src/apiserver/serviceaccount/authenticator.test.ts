import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { testRegistry } from '../../controllers/util/testing.ts';
import type { Registry } from '../../registry/registry.ts';
import type { Backend } from '../../storage/types.ts';
import { serviceAccountAuthenticator } from './authenticator.ts';
import { ServiceAccountTokenSigner, type TokenSpec } from './jwt.ts';
import { testKey } from './testing.ts';

const key = testKey();
const api = 'https://kubernetes.default.svc.cluster.local';
const signer = new ServiceAccountTokenSigner(key);
let registry: Registry;
let backend: Backend;
const sas = () => registry.byResource('', 'serviceaccounts')!;
const pods = () => registry.byResource('', 'pods')!;
const ref = (o: KubeObject) => ({ name: o.metadata.name!, uid: o.metadata.uid! });

before(async () => {
  ({ registry, backend } = await testRegistry());
});
after(() => backend.close());

const user = {
  name: 'system:serviceaccount:default:sa1',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:default'],
};

async function tokenFor(spec: Partial<TokenSpec> & Pick<TokenSpec, 'serviceAccount'>) {
  return (await signer.sign({ namespace: 'default', audiences: [api], expirationSeconds: 3600, ...spec }))
    .token;
}

test('a deleted or recreated service account invalidates its tokens', async () => {
  const sa = await sas().create('default', { metadata: { name: 'sa1' } });
  const token = await tokenFor({ serviceAccount: ref(sa) });
  const authn = serviceAccountAuthenticator({ registry, key, audiences: [api] });
  assert.deepEqual(await authn(token), user);
  await sas().delete('default', 'sa1');
  assert.equal(await authn(token), undefined);
  await sas().create('default', { metadata: { name: 'sa1' } });
  assert.equal(await authn(token), undefined, 'same name, new UID');
});

test('a token bound to a pod dies with the pod', async () => {
  const sa = await sas().get('default', 'sa1');
  const pod = await pods().create('default', {
    metadata: { name: 'p1' },
    spec: { serviceAccountName: 'sa1', containers: [{ name: 'c', image: 'i' }] },
  });
  const token = await tokenFor({ serviceAccount: ref(sa), pod: ref(pod) });
  const authn = serviceAccountAuthenticator({ registry, key, audiences: [api] });
  assert.deepEqual(await authn(token), user);
  await pods().delete('default', 'p1', { gracePeriodSeconds: 0 } as never);
  assert.equal(await authn(token), undefined);
});

test('expired, foreign-key and non-JWT tokens; other tokens go to the next authenticator', async () => {
  const sa = await sas().get('default', 'sa1');
  const token = await tokenFor({ serviceAccount: ref(sa), now: Math.floor(Date.now() / 1000) - 7200 });
  const seen: string[] = [];
  const authn = serviceAccountAuthenticator({
    registry,
    key,
    audiences: [api],
    next: async (t) => {
      seen.push(t);
      return t === 'node-token' ? { name: 'system:node:n1', groups: ['system:nodes'] } : undefined;
    },
  });
  assert.equal(await authn(token), undefined, 'expired');
  const foreign = new ServiceAccountTokenSigner(testKey());
  const forged = (
    await foreign.sign({
      namespace: 'default',
      serviceAccount: ref(sa),
      audiences: [api],
      expirationSeconds: 3600,
    })
  ).token;
  assert.equal(await authn(forged), undefined, 'signed by another key');
  assert.deepEqual(await authn('node-token'), { name: 'system:node:n1', groups: ['system:nodes'] });
  assert.deepEqual(seen, ['node-token'], 'our own JWTs never reach the next authenticator');
});
