import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerdConfigError, checkSocketPath, containerdConfig, containerdPaths } from './config.ts';

const base = {
  agentDir: '/var/lib/skiff/agent',
  nodeName: 'edge-1',
  sandboxImage: 'docker.io/skiff/pause:3.10',
  cniConfDir: '/var/lib/skiff/agent/cni',
  registriesDir: '/etc/skiff/registries.d',
};

/** The value of `key` inside `[section]` of the generated TOML. */
function setting(toml: string, section: string, key: string): string | undefined {
  let current = '';
  for (const line of toml.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line.trim());
    if (header) current = header[1]!;
    const kv = /^\s*([A-Za-z_]+) = (.+)$/.exec(line);
    if (kv && current === section && kv[1] === key) return kv[2];
  }
  return undefined;
}

test('every setting containerd needs on these machines is there', () => {
  const toml = containerdConfig(base);
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  assert.equal(setting(toml, '', 'version'), '2');
  assert.equal(setting(toml, '', 'root'), '"/var/lib/skiff/agent/containerd/root"');
  assert.equal(setting(toml, '', 'state'), '"/var/lib/skiff/agent/containerd/state"');
  assert.equal(setting(toml, 'grpc', 'address'), '"/var/lib/skiff/agent/containerd/containerd.sock"');
  assert.equal(setting(toml, 'ttrpc', 'address'), '"/var/lib/skiff/agent/containerd/containerd.sock.ttrpc"');
  assert.equal(setting(toml, cri, 'sandbox_image'), '"docker.io/skiff/pause:3.10"');
  assert.equal(setting(toml, cri, 'restrict_oom_score_adj'), 'true');
  assert.equal(setting(toml, cri, 'netns_mounts_under_state_dir'), 'true');
  assert.equal(setting(toml, cri, 'disable_hugetlb_controller'), 'true');
  assert.equal(setting(toml, cri, 'tolerate_missing_hugetlb_controller'), 'true');
  assert.equal(setting(toml, cri, 'stream_server_address'), '"127.0.0.1"');
  assert.equal(setting(toml, cri, 'stream_server_port'), '"0"');
  assert.equal(setting(toml, `${cri}.containerd`, 'snapshotter'), '"overlayfs"');
  assert.equal(setting(toml, `${cri}.containerd.runtimes.runc`, 'runtime_type'), '"io.containerd.runc.v2"');
  assert.equal(setting(toml, `${cri}.containerd.runtimes.runc.options`, 'SystemdCgroup'), 'false');
  assert.equal(
    setting(toml, `${cri}.containerd.runtimes.runc.options`, 'Root'),
    '"/var/lib/skiff/agent/containerd/runc"',
  );
  assert.equal(setting(toml, `${cri}.cni`, 'bin_dir'), '"/usr/lib/cni"');
  assert.equal(setting(toml, `${cri}.cni`, 'conf_dir'), '"/var/lib/skiff/agent/cni"');
  assert.equal(setting(toml, `${cri}.cni`, 'max_conf_num'), '1');
  assert.equal(setting(toml, `${cri}.registry`, 'config_path'), '"/etc/skiff/registries.d"');
  assert.match(setting(toml, '', 'disabled_plugins')!, /"io.containerd.internal.v1.opt"/);
  // The runtime v1 plugin must stay: containerd 1.6's tasks service (and so CRI) needs it.
  assert.doesNotMatch(setting(toml, '', 'disabled_plugins')!, /runtime.v1.linux/);
});

test('paths and quoting', () => {
  const p = containerdPaths('/d/agent');
  assert.equal(p.log, '/d/agent/containerd/containerd.log');
  assert.equal(p.config, '/d/agent/containerd/config.toml');
  const toml = containerdConfig({ ...base, cniBinDir: '/opt/cni "x"/bin' });
  assert.equal(setting(toml, 'plugins."io.containerd.grpc.v1.cri".cni', 'bin_dir'), '"/opt/cni \\"x\\"/bin"');
});

test('bad input gives clear errors', () => {
  assert.throws(
    () => containerdConfig({ ...base, agentDir: 'relative' }),
    /agentDir must be an absolute path/,
  );
  assert.throws(() => containerdConfig({ ...base, sandboxImage: '' }), /sandboxImage is required/);
  const long = `/${'a'.repeat(80)}`;
  // 80 + "/containerd/containerd.sock.ttrpc" > 107 bytes.
  assert.throws(
    () => containerdConfig({ ...base, agentDir: long }),
    (e: Error) => e instanceof ContainerdConfigError && /107-byte limit/.test(e.message),
  );
  assert.doesNotThrow(() => checkSocketPath(`/${'a'.repeat(106)}`));
  assert.throws(() => checkSocketPath(`/${'a'.repeat(107)}`), /108 bytes/);
});
