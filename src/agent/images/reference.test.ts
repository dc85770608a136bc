import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalRegistryHost,
  InvalidImageReferenceError,
  normalizeImageRef,
  parseImageReference,
} from './reference.ts';

test('normalizes as docker and containerd do', () => {
  assert.equal(normalizeImageRef('busybox'), 'docker.io/library/busybox:latest');
  assert.equal(normalizeImageRef('busybox:1.36'), 'docker.io/library/busybox:1.36');
  assert.equal(normalizeImageRef('skiff/pause:3.10'), 'docker.io/skiff/pause:3.10');
  assert.equal(normalizeImageRef('index.docker.io/library/busybox'), 'docker.io/library/busybox:latest');
  assert.equal(normalizeImageRef('127.0.0.1:5000/test/busybox:1'), '127.0.0.1:5000/test/busybox:1');
  assert.equal(normalizeImageRef('localhost/x'), 'localhost/x:latest');
  const d = `sha256:${'ab'.repeat(32)}`;
  assert.equal(normalizeImageRef(`quay.io/a/b@${d}`), `quay.io/a/b@${d}`);
  assert.deepEqual(parseImageReference(`a:1@${d}`), {
    domain: 'docker.io',
    path: 'library/a',
    tag: '1',
    digest: d,
  });
});

test('rejects invalid references', () => {
  for (const bad of ['', 'Busybox/x', 'a/b:', 'a@sha256:zz', 'a b', 'a//b']) {
    assert.throws(() => parseImageReference(bad), InvalidImageReferenceError, bad);
  }
});

test('registry hosts fold Docker Hub aliases', () => {
  assert.equal(canonicalRegistryHost('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(canonicalRegistryHost('registry-1.docker.io'), 'docker.io');
  assert.equal(canonicalRegistryHost('Quay.IO'), 'quay.io');
});
