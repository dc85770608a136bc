import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Container, V1Pod, V1Secret } from '@kubernetes/client-node';
import {
  applyDefaultImageTag,
  criErrorMessage,
  effectivePullPolicy,
  goDurationMs,
  type ImageEvent,
  ImageManager,
  type ImageServiceApi,
} from './pull.ts';
import { parseRegistries } from './registries.ts';

// biome-ignore lint/suspicious/noExplicitAny: CRI messages are plain objects.
type Msg = Record<string, any>;

class FakeCri implements ImageServiceApi {
  present = new Map<string, string>();
  pulls: Msg[] = [];
  failWith: { code: number; details: string } | undefined;
  /** Only this auth username is accepted when set. */
  requireUser: string | undefined;
  async imageStatus(req: Msg): Promise<Msg> {
    const id = this.present.get(req.image.image);
    return { image: id ? { id, size: 1234 } : null, info: {} };
  }
  async pullImage(req: Msg): Promise<Msg> {
    this.pulls.push(req);
    if (this.failWith) throw Object.assign(new Error(this.failWith.details), this.failWith);
    if (this.requireUser && req.auth?.username !== this.requireUser) {
      throw Object.assign(new Error('unauthorized'), { code: 2, details: 'pull access denied' });
    }
    this.present.set(req.image.image, 'sha256:abc');
    return { imageRef: 'sha256:abc' };
  }
}

const pod: V1Pod = { metadata: { name: 'p', namespace: 'default', uid: 'uid-1' } };

function setup(clock = { t: 1_000_000 }) {
  const cri = new FakeCri();
  const events: ImageEvent[] = [];
  const mgr = new ImageManager({ cri, now: () => clock.t, onEvent: (_p, _c, e) => events.push(e) });
  return { cri, events, mgr, clock };
}

test('default tag and policy', () => {
  assert.equal(applyDefaultImageTag('busybox'), 'busybox:latest');
  assert.equal(applyDefaultImageTag('127.0.0.1:5000/x'), '127.0.0.1:5000/x:latest');
  assert.equal(applyDefaultImageTag('a/b:1'), 'a/b:1');
  assert.equal(applyDefaultImageTag(`x@sha256:${'a'.repeat(64)}`), `x@sha256:${'a'.repeat(64)}`);
  assert.equal(effectivePullPolicy({ name: 'c', image: 'busybox' }), 'Always');
  assert.equal(effectivePullPolicy({ name: 'c', image: 'busybox:latest' }), 'Always');
  assert.equal(effectivePullPolicy({ name: 'c', image: 'busybox:1.36' }), 'IfNotPresent');
  assert.equal(effectivePullPolicy({ name: 'c', image: `busybox@sha256:${'a'.repeat(64)}` }), 'IfNotPresent');
  assert.equal(effectivePullPolicy({ name: 'c', image: 'busybox', imagePullPolicy: 'Never' }), 'Never');
  assert.equal(goDurationMs(66), '66ms');
  assert.equal(goDurationMs(1234), '1.234s');
  assert.equal(goDurationMs(62_500), '1m2.5s');
  assert.equal(criErrorMessage({ code: 5, details: 'nope' }), 'rpc error: code = NotFound desc = nope');
});

test('IfNotPresent with the image present: no pull', async () => {
  const { cri, events, mgr } = setup();
  cri.present.set('busybox:1', 'sha256:b1');
  const c: V1Container = { name: 'c', image: 'busybox:1' };
  assert.deepEqual(await mgr.ensureImage(pod, c), { ok: true, imageRef: 'sha256:b1' });
  assert.equal(cri.pulls.length, 0);
  assert.deepEqual(events, [
    { type: 'Normal', reason: 'Pulled', message: 'Container image "busybox:1" already present on machine' },
  ]);
});

test('Always pulls even when present; IfNotPresent pulls when absent', async () => {
  const { cri, events, mgr } = setup();
  cri.present.set('busybox:latest', 'sha256:old');
  assert.equal((await mgr.ensureImage(pod, { name: 'c', image: 'busybox' })).ok, true);
  assert.equal(cri.pulls.length, 1);
  assert.equal(cri.pulls[0]!.image.image, 'busybox:latest');
  assert.equal(cri.pulls[0]!.auth, undefined);
  assert.deepEqual(
    events.map((e) => e.reason),
    ['Pulling', 'Pulled'],
  );
  assert.match(
    events[1]!.message,
    /^Successfully pulled image "busybox" in \d+ms \(\d+ms including waiting\)\. Image size: 1234 bytes\.$/,
  );
  assert.equal((await mgr.ensureImage(pod, { name: 'c', image: 'x/y:2' })).ok, true);
  assert.equal(cri.pulls.length, 2);
});

test('Never: ErrImageNeverPull with the upstream message', async () => {
  const { cri, mgr, events } = setup();
  const r = await mgr.ensureImage(pod, { name: 'c', image: 'x/y:2', imagePullPolicy: 'Never' });
  assert.deepEqual(r, {
    ok: false,
    reason: 'ErrImageNeverPull',
    message: 'Container image "x/y:2" is not present with pull policy of Never',
  });
  assert.equal(events[0]?.type, 'Warning');
  assert.equal(cri.pulls.length, 0);
});

test('invalid names are InvalidImageName', async () => {
  const { mgr } = setup();
  const r = await mgr.ensureImage(pod, { name: 'c', image: 'Bad/Name' });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'InvalidImageName');
});

test('failed pulls: ErrImagePull, then ImagePullBackOff, 10 s doubling to 5 min', async () => {
  const { cri, mgr, events, clock } = setup();
  cri.failWith = { code: 5, details: 'failed to resolve reference "x/y:2": not found' };
  const c: V1Container = { name: 'c', image: 'x/y:2' };
  const first = await mgr.ensureImage(pod, c);
  assert.deepEqual(first, {
    ok: false,
    reason: 'ErrImagePull',
    message: 'rpc error: code = NotFound desc = failed to resolve reference "x/y:2": not found',
  });
  assert.equal(events.at(-1)?.message, `Failed to pull image "x/y:2": ${!first.ok && first.message}`);
  clock.t += 5_000;
  assert.deepEqual(await mgr.ensureImage(pod, c), {
    ok: false,
    reason: 'ImagePullBackOff',
    message: 'Back-off pulling image "x/y:2"',
  });
  assert.equal(cri.pulls.length, 1);
  const delays: number[] = [mgr.backoffDelayMs('uid-1', 'x/y:2')];
  for (let i = 0; i < 7; i++) {
    clock.t += delays.at(-1)!;
    assert.equal((await mgr.ensureImage(pod, c)).ok, false);
    delays.push(mgr.backoffDelayMs('uid-1', 'x/y:2'));
  }
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  // Another pod's pulls are not held back by this one's failures.
  cri.failWith = undefined;
  assert.equal((await mgr.ensureImage({ metadata: { uid: 'uid-2' } }, c)).ok, true);
});

function dockerSecret(name: string, auths: Record<string, Msg>): V1Secret {
  const json = JSON.stringify({ auths });
  return {
    metadata: { name, namespace: 'default' },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(json).toString('base64') },
  };
}

test('pull secrets: matching host (docker.io aliases), most specific first, fall through on failure', async () => {
  const { cri, mgr } = setup();
  cri.requireUser = 'right';
  const secrets: V1Secret[] = [
    dockerSecret('hub', {
      'https://index.docker.io/v1/': { auth: Buffer.from('wrong:pw').toString('base64') },
    }),
    dockerSecret('team', { 'docker.io/team': { username: 'right', password: 'pw' } }),
    dockerSecret('other', { 'quay.io': { username: 'q', password: 'q' } }),
    {
      metadata: { name: 'legacy', namespace: 'default' },
      type: 'kubernetes.io/dockercfg',
      data: {
        '.dockercfg': Buffer.from(
          JSON.stringify({ '*.example.com:5000': { username: 'ex', password: 'e' } }),
        ).toString('base64'),
      },
    },
  ];
  assert.equal((await mgr.ensureImage(pod, { name: 'c', image: 'team/app:1' }, secrets)).ok, true);
  assert.deepEqual(
    cri.pulls.map((p) => p.auth?.username),
    ['right'],
  );

  cri.pulls = [];
  const r = await mgr.ensureImage(pod, { name: 'c', image: 'library/other:1' }, secrets);
  assert.equal(r.ok, false);
  assert.deepEqual(
    cri.pulls.map((p) => p.auth?.username),
    ['wrong'],
  );

  cri.pulls = [];
  cri.requireUser = 'ex';
  assert.equal(
    (await mgr.ensureImage(pod, { name: 'c', image: 'reg.example.com:5000/a:1' }, secrets)).ok,
    true,
  );
  assert.equal(cri.pulls[0]?.auth?.password, 'e');
});

test('registries.yaml auth when no pull secret matches', async () => {
  const cri = new FakeCri();
  const cfg = parseRegistries('configs:\n  reg.local:5000:\n    auth: {username: u, password: p}\n');
  const mgr = new ImageManager({ cri, registries: () => cfg });
  assert.equal((await mgr.ensureImage(pod, { name: 'c', image: 'reg.local:5000/a:1' })).ok, true);
  assert.equal(cri.pulls[0]?.auth?.username, 'u');
});

test('concurrent ensureImage calls for one image share one PullImage', async () => {
  const { cri, mgr } = setup();
  const c: V1Container = { name: 'c', image: 'x/y:3' };
  const rs = await Promise.all([mgr.ensureImage(pod, c), mgr.ensureImage({ metadata: { uid: 'u2' } }, c)]);
  assert.ok(rs.every((r) => r.ok));
  assert.equal(cri.pulls.length, 1);
});
