import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  hostsTomlFiles,
  loadRegistries,
  parseRegistries,
  RegistriesConfigError,
  registryAuth,
  writeRegistryHosts,
} from './registries.ts';

const sample = `
mirrors:
  docker.io:
    endpoint:
      - "mirror.example.com:5000"
      - "http://10.0.0.5:5000/"
  "127.0.0.1:5001":
    endpoint: ["http://127.0.0.1:5001"]
  "*":
    endpoint: ["https://catchall.example.com/prefix/v2"]
configs:
  "mirror.example.com:5000":
    auth: {username: alice, password: s3cret}
    tls:
      ca_file: /etc/ssl/mirror-ca.pem
      cert_file: /etc/ssl/client.pem
      key_file: /etc/ssl/client.key
  "private.example.com":
    auth: {auth: "Ym9iOnB3"}
    tls: {insecure_skip_verify: true}
`;

test('parses k3s registries.yaml', () => {
  const cfg = parseRegistries(sample);
  assert.deepEqual(cfg.mirrors['docker.io']?.endpoints, [
    'https://mirror.example.com:5000',
    'http://10.0.0.5:5000',
  ]);
  assert.deepEqual(cfg.mirrors['*']?.endpoints, ['https://catchall.example.com/prefix/v2']);
  assert.equal(cfg.configs['mirror.example.com:5000']?.auth?.username, 'alice');
  assert.equal(cfg.configs['private.example.com']?.tls?.insecureSkipVerify, true);
  assert.deepEqual(parseRegistries(''), { mirrors: {}, configs: {} });
});

test('rejects bad files with the field named', () => {
  assert.throws(() => parseRegistries('mirrors: [a]'), /mirrors must be a mapping/);
  assert.throws(
    () => parseRegistries('mirrors:\n  x.io:\n    endpoint: http://a'),
    /mirrors.x.io.endpoint must be a list/,
  );
  assert.throws(
    () => parseRegistries('mirrors:\n  x.io:\n    endpoint: ["ftp://a"]'),
    /must be http or https/,
  );
  assert.throws(
    () => parseRegistries('configs:\n  x.io:\n    tls: {insecure_skip_verify: "yes"}'),
    RegistriesConfigError,
  );
  assert.throws(() => parseRegistries('configs:\n  x.io:\n    tls: {cert_file: /a}'), /go together/);
  assert.throws(() => parseRegistries('mirrors: {a: [}'), /not valid YAML/);
  assert.throws(
    () =>
      parseRegistries('mirrors:\n  docker.io:\n    endpoint: ["http://m"]\n    rewrite: {"^a/(.*)": "b/$1"}'),
    /mirrors.docker.io.rewrite is not supported/,
  );
});

test('hosts.toml per registry', () => {
  const files = hostsTomlFiles(parseRegistries(sample));
  assert.deepEqual([...files.keys()].sort(), [
    '127.0.0.1:5001',
    '_default',
    'docker.io',
    'mirror.example.com:5000',
    'private.example.com',
  ]);
  const hub = files.get('docker.io')!;
  assert.match(hub, /^server = "https:\/\/registry-1.docker.io"$/m);
  assert.match(
    hub,
    /\[host\."https:\/\/mirror.example.com:5000"\]\n {2}capabilities = \["pull", "resolve"\]\n {2}ca = "\/etc\/ssl\/mirror-ca.pem"\n {2}client = \[\["\/etc\/ssl\/client.pem", "\/etc\/ssl\/client.key"\]\]/,
  );
  assert.match(hub, /Authorization = "Basic YWxpY2U6czNjcmV0"/);
  assert.match(hub, /\[host\."http:\/\/10.0.0.5:5000"\]\n {2}capabilities = \["pull", "resolve"\]\n/);
  // Endpoints come in the order given.
  assert.ok(hub.indexOf('mirror.example.com') < hub.indexOf('10.0.0.5'));
  const local = files.get('127.0.0.1:5001')!;
  assert.match(local, /^server = "http:\/\/127.0.0.1:5001"$/m);
  const def = files.get('_default')!;
  assert.doesNotMatch(def, /^server/m);
  assert.match(def, /override_path = true/);
  const priv = files.get('private.example.com')!;
  assert.match(priv, /^server = "https:\/\/private.example.com"\nskip_verify = true$/m);
});

test('writes the tree atomically and prunes what it wrote before', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-reg-'));
  try {
    await mkdir(join(dir, 'user.example.com'));
    await writeFile(join(dir, 'user.example.com', 'hosts.toml'), 'server = "https://x"\n');
    const first = await writeRegistryHosts(dir, parseRegistries(sample));
    assert.equal(first.written.length, 5);
    assert.equal((await stat(join(dir, 'docker.io', 'hosts.toml'))).mode & 0o777, 0o600);
    const second = await writeRegistryHosts(
      dir,
      parseRegistries('mirrors:\n  docker.io:\n    endpoint: ["http://m:1"]'),
    );
    assert.deepEqual(second.written, ['docker.io']);
    assert.deepEqual(second.removed.sort(), [
      '127.0.0.1:5001',
      '_default',
      'mirror.example.com:5000',
      'private.example.com',
    ]);
    assert.deepEqual((await readdir(dir)).sort(), ['docker.io', 'user.example.com']);
    assert.match(await readFile(join(dir, 'docker.io', 'hosts.toml'), 'utf8'), /\[host\."http:\/\/m:1"\]/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('PullImage auth from configs: own host first, then mirror endpoints', () => {
  const cfg = parseRegistries(sample);
  assert.deepEqual(registryAuth(cfg, 'private.example.com/app:1'), {
    username: '',
    password: '',
    auth: 'Ym9iOnB3',
    serverAddress: '',
    identityToken: '',
    registryToken: '',
  });
  assert.equal(registryAuth(cfg, 'busybox')?.username, 'alice');
  assert.equal(registryAuth(cfg, 'quay.io/x/y'), undefined);
});

test('a missing file is an empty config', async () => {
  assert.deepEqual(await loadRegistries('/nonexistent/registries.yaml'), { mirrors: {}, configs: {} });
});
