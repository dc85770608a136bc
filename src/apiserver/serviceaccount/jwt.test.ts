import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  extendedLifetimeSeconds,
  isServiceAccountJwt,
  ServiceAccountTokenSigner,
  verifyServiceAccountJwt,
} from './jwt.ts';
import { testKey } from './testing.ts';

const key = testKey();
const otherKey = testKey();
const signer = new ServiceAccountTokenSigner(key);
const api = 'https://kubernetes.default.svc.cluster.local';
const now = 1_800_000_000;
const base = {
  namespace: 'ns',
  serviceAccount: { name: 'robot', uid: 'sa-uid' },
  audiences: [api],
  expirationSeconds: 3600,
  now,
};

test('claims as upstream sets them', async () => {
  const { token, expirationTimestamp } = await signer.sign({
    ...base,
    pod: { name: 'web', uid: 'pod-uid' },
    node: { name: 'n1', uid: 'node-uid' },
  });
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'RS256', kid: key.keyId });
  const claims = decodeJwt(token);
  assert.equal(claims.iss, api);
  assert.deepEqual(claims.aud, [api]);
  assert.equal(claims.sub, 'system:serviceaccount:ns:robot');
  assert.equal(claims.iat, now);
  assert.equal(claims.nbf, now);
  assert.equal(claims.exp, now + 3600);
  assert.match(String(claims.jti), /^[0-9a-f-]{36}$/);
  assert.deepEqual(claims['kubernetes.io'], {
    namespace: 'ns',
    serviceaccount: { name: 'robot', uid: 'sa-uid' },
    pod: { name: 'web', uid: 'pod-uid' },
    node: { name: 'n1', uid: 'node-uid' },
  });
  assert.equal(expirationTimestamp, new Date((now + 3600) * 1000).toISOString().replace('.000Z', 'Z'));
  assert.ok(isServiceAccountJwt(token));
  assert.equal(isServiceAccountJwt('abcdef.0123456789abcdef'), false);
  assert.equal(isServiceAccountJwt('a.b.c'), false);
});

test('the 3607 s pod token is extended to a year with warnafter', async () => {
  const { token, expirationTimestamp } = await signer.sign({
    ...base,
    expirationSeconds: 3607,
    pod: { name: 'web', uid: 'pod-uid' },
  });
  const claims = decodeJwt(token);
  assert.equal(claims.exp, now + extendedLifetimeSeconds);
  assert.equal((claims['kubernetes.io'] as { warnafter: number }).warnafter, now + 3607);
  assert.equal(Date.parse(expirationTimestamp) / 1000, now + 3607, 'the request still reports 3607 s');
  const unbound = decodeJwt((await signer.sign({ ...base, expirationSeconds: 3607 })).token);
  assert.equal(unbound.exp, now + 3607, 'only pod-bound tokens are extended');
});

test('verification: signature, audience, expiry with 60 s leeway, not-before', async () => {
  const { token } = await signer.sign({ ...base, secret: { name: 's', uid: 's-uid' } });
  const ok = await verifyServiceAccountJwt(token, key, [api, 'other'], { now: now + 10 });
  assert.deepEqual(ok, {
    namespace: 'ns',
    serviceAccount: { name: 'robot', uid: 'sa-uid' },
    secret: { name: 's', uid: 's-uid' },
  });
  await verifyServiceAccountJwt(token, key, [api], { now: now + 3600 + 59 });
  await assert.rejects(verifyServiceAccountJwt(token, key, [api], { now: now + 3600 + 61 }), /has expired/);
  await assert.rejects(
    verifyServiceAccountJwt(token, key, [api], { now: now - 120 }),
    /invalid service account token/,
  );
  await assert.rejects(verifyServiceAccountJwt(token, key, ['vault'], { now }), /audiences do not match/);
  await assert.rejects(verifyServiceAccountJwt(token, otherKey, [api], { now }), /invalid signature/);
  const [h, p, s] = token.split('.');
  const forged = Buffer.from(p!, 'base64url').toString().replace('robot', 'admin');
  await assert.rejects(
    verifyServiceAccountJwt(`${h}.${Buffer.from(forged).toString('base64url')}.${s}`, key, [api], { now }),
    /invalid signature/,
  );
  const foreign = new ServiceAccountTokenSigner(key, { issuer: 'https://elsewhere' });
  const { token: theirs } = await foreign.sign(base);
  await assert.rejects(verifyServiceAccountJwt(theirs, key, [api], { now }), /invalid service account token/);
});
