import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { renderKubeconfig, writeKubeconfig } from './kubeconfig.ts';

const root = await mkdtemp(path.join(os.tmpdir(), 'skiff-kubeconfig-'));
after(() => rm(root, { recursive: true, force: true }));

const params = {
  server: 'https://127.0.0.1:6443',
  caPem: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n',
  certPem: '-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n',
  keyPem: '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n',
};
const b64 = (s: string) => Buffer.from(s).toString('base64');

test('the kubeconfig is a v1 Config with everything embedded and context default selected', () => {
  const doc = parse(renderKubeconfig(params));
  assert.deepEqual(doc, {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'default',
        cluster: { server: params.server, 'certificate-authority-data': b64(params.caPem) },
      },
    ],
    contexts: [{ name: 'default', context: { cluster: 'default', user: 'default' } }],
    'current-context': 'default',
    preferences: {},
    users: [
      {
        name: 'default',
        user: { 'client-certificate-data': b64(params.certPem), 'client-key-data': b64(params.keyPem) },
      },
    ],
  });
});

test('@kubernetes/client-node reads it', () => {
  const kc = new KubeConfig();
  kc.loadFromString(renderKubeconfig(params));
  assert.equal(kc.getCurrentCluster()?.server, params.server);
  assert.equal(kc.getCurrentCluster()?.caData, b64(params.caPem));
  assert.equal(kc.getCurrentUser()?.certData, b64(params.certPem));
  assert.equal(kc.getCurrentUser()?.keyData, b64(params.keyPem));
});

test('writeKubeconfig creates the directory and leaves a 0600 file, also over a looser one', async () => {
  const file = path.join(root, 'etc', 'skiff', 'skiff.yaml');
  await writeKubeconfig(file, 'first\n');
  assert.equal(await readFile(file, 'utf8'), 'first\n');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  await chmod(file, 0o644);
  await writeKubeconfig(file, 'second\n');
  assert.equal(await readFile(file, 'utf8'), 'second\n');
  assert.equal((await stat(file)).mode & 0o777, 0o600);

  const loose = path.join(root, 'loose.yaml');
  await writeFile(loose, 'old\n', { mode: 0o666 });
  await writeKubeconfig(loose, renderKubeconfig(params));
  assert.equal((await stat(loose)).mode & 0o777, 0o600);
});
