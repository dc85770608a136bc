/**
 * The node agent's container runtime foundation against a real, private containerd (root only):
 * a busybox pod on the CNI bridge serving HTTP to the host, ExecSync, stop/remove, a containerd
 * SIGKILL survived by the supervisor, and a host left exactly as it was.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type PodShape, podLogDirectory, startRawPod } from '../bench/pods/raw.ts';
import { cleanupNodeState, mountsUnder, pidsMentioning } from '../src/agent/containerd/cleanup.ts';
import type { RestartedEvent } from '../src/agent/containerd/supervisor.ts';
import { leftovers, type PrivateNode, privateNode, rootTestSkipReason } from './helpers/containerd.ts';

const skip = rootTestSkipReason();

function shape(node: PrivateNode, name: string, command: string[]): PodShape {
  return {
    name,
    namespace: 'default',
    uid: randomUUID(),
    logRoot: node.logRoot,
    cgroupParent: node.cgroupParent,
    command,
  };
}

function inSubnet(ip: string, cidr: string): boolean {
  const prefix = cidr.split('.').slice(0, 3).join('.');
  return ip.startsWith(`${prefix}.`);
}

test('busybox pod on the CNI bridge: HTTP from the host, ExecSync, stop, remove, nothing left', {
  skip,
  timeout: 180_000,
}, async (t) => {
  const node = await privateNode('rt-http');
  t.after(() => node.cleanup());
  const { cri } = node;

  const version = await cri.runtime.version({ version: 'v1' });
  assert.equal(version.runtimeName, 'containerd');
  assert.equal(version.runtimeApiVersion, 'v1');
  const pause = await cri.image.imageStatus({ image: { image: 'docker.io/skiff/pause:3.10' } });
  assert.ok(pause.image?.id, 'pause image imported');

  const pod = shape(node, 'web', ['httpd', '-f', '-p', '8080', '-h', '/']);
  const started = await startRawPod(cri, pod, 'httpd');
  const status = await cri.runtime.podSandboxStatus({ podSandboxId: started.sandboxId });
  assert.equal(status.status.state, 'SANDBOX_READY');
  assert.equal(status.status.labels['io.kubernetes.pod.uid'], pod.uid);
  const ip: string = status.status.network.ip;
  assert.ok(inSubnet(ip, node.podCidr), `pod IP ${ip} in ${node.podCidr}`);
  assert.ok(existsSync(`/sys/class/net/${node.bridge}`), 'bridge exists');

  // From the host over the bridge. httpd may need a moment after StartContainer.
  let body = '';
  for (let i = 0; i < 50 && !body; i++) {
    try {
      const res = await fetch(`http://${ip}:8080/etc/hostname`, { signal: AbortSignal.timeout(2000) });
      assert.equal(res.status, 200);
      body = await res.text();
    } catch (err) {
      if (i === 49) throw err;
      await sleep(100);
    }
  }
  assert.equal(body.trim(), 'web');

  const cs = await cri.runtime.containerStatus({ containerId: started.containerId });
  assert.equal(cs.status.state, 'CONTAINER_RUNNING');
  assert.equal(cs.status.labels['io.kubernetes.container.name'], 'httpd');
  assert.equal(cs.status.logPath, join(podLogDirectory(pod), 'httpd/0.log'));

  const ex = await cri.runtime.execSync({
    containerId: started.containerId,
    cmd: ['sh', '-c', 'echo hello; echo oops >&2; cat /proc/1/comm; exit 7'],
    timeout: 10,
  });
  assert.equal(ex.exitCode, 7);
  // pid namespace POD: the pause process is PID 1 of the pod.
  assert.equal(ex.stdout.toString(), 'hello\npause\n');
  assert.equal(ex.stderr.toString(), 'oops\n');

  const listed = await cri.runtime.listContainers({ filter: { podSandboxId: started.sandboxId } });
  assert.deepEqual(
    listed.containers.map((c: { id: string }) => c.id),
    [started.containerId],
  );

  // The rest of the contract's RPCs decode against containerd 1.6 with our proto.
  const st = await cri.runtime.status({});
  const ready = st.status.conditions.find((c: { type: string }) => c.type === 'RuntimeReady');
  assert.equal(ready?.status, true);
  const exec = await cri.runtime.exec({
    containerId: started.containerId,
    cmd: ['sh'],
    stdin: true,
    stdout: true,
  });
  assert.match(exec.url, /^http:\/\/127\.0\.0\.1:\d+\/exec\//);
  const attach = await cri.runtime.attach({ containerId: started.containerId, stdout: true });
  assert.match(attach.url, /^http:\/\/127\.0\.0\.1:\d+\/attach\//);
  const pf = await cri.runtime.portForward({ podSandboxId: started.sandboxId, port: [8080] });
  assert.match(pf.url, /^http:\/\/127\.0\.0\.1:\d+\/portforward\//);
  const stats = await cri.runtime.containerStats({ containerId: started.containerId });
  assert.equal(stats.stats.attributes.id, started.containerId);
  assert.ok(stats.stats.memory.workingSetBytes.value > 0, 'memory working set reported');
  const listStats = await cri.runtime.listContainerStats({ filter: { podSandboxId: started.sandboxId } });
  assert.equal(listStats.stats.length, 1);
  const podStats = await cri.runtime.listPodSandboxStats({});
  assert.equal(podStats.stats[0]?.attributes.id, started.sandboxId);
  await cri.runtime.updateContainerResources({
    containerId: started.containerId,
    linux: { cpuShares: 4, cpuPeriod: 100000, cpuQuota: 50000, memoryLimitInBytes: 64 * 1024 * 1024 },
  });
  await cri.runtime.reopenContainerLog({ containerId: started.containerId });
  const fs = await cri.image.imageFsInfo({});
  // Usage is sampled in the background (0 at first); the mount point names our snapshotter.
  assert.ok(
    fs.imageFilesystems[0].fsId.mountpoint.startsWith(`${node.dir}/containerd/root/`),
    fs.imageFilesystems[0].fsId.mountpoint,
  );
  const images = await cri.image.listImages({});
  const tags = images.images.flatMap((i: { repoTags: string[] }) => i.repoTags);
  assert.ok(tags.includes('docker.io/library/busybox:latest'), `images: ${tags}`);

  await cri.runtime.stopContainer({ containerId: started.containerId, timeout: 5 });
  assert.equal(
    (await cri.runtime.containerStatus({ containerId: started.containerId })).status.state,
    'CONTAINER_EXITED',
  );
  await cri.runtime.removeContainer({ containerId: started.containerId });
  await cri.runtime.stopPodSandbox({ podSandboxId: started.sandboxId });
  await cri.runtime.removePodSandbox({ podSandboxId: started.sandboxId });
  assert.deepEqual((await cri.runtime.listPodSandbox({})).items, []);

  const containerdPid = node.supervisor.pid!;
  const report = await node.cleanup();
  assert.deepEqual(report.errors, []);
  assert.ok(report.cgroupsRemoved.length > 0, 'pod cgroup dirs were removed');
  assert.equal(existsSync(`/proc/${containerdPid}`), false, 'containerd stopped');
  assert.deepEqual(leftovers(node), []);
});

test('containerd SIGKILLed: supervisor restarts it, the pod survives, cleanup removes it all', {
  skip,
  timeout: 180_000,
}, async (t) => {
  const node = await privateNode('rt-kill');
  t.after(() => node.cleanup());
  const { cri, supervisor } = node;
  const sleeper = shape(node, 'sleeper', ['sh', '-c', 'echo started; exec sleep 3600']);
  const started = await startRawPod(cri, sleeper);
  // CRI log format: <RFC3339Nano> stdout|stderr F|P <text>
  const logFile = join(podLogDirectory(sleeper), 'main/0.log');
  let log = '';
  for (let i = 0; i < 50 && !log; i++) {
    log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    if (!log) await sleep(100);
  }
  assert.match(log, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) stdout F started\n$/);

  const oldPid = supervisor.pid!;
  const restarted = once(supervisor, 'restarted') as Promise<[RestartedEvent]>;
  process.kill(oldPid, 'SIGKILL');
  const [ev] = await Promise.race([
    restarted,
    sleep(30_000, undefined, { ref: false }).then(() =>
      assert.fail('containerd was not restarted within 30 s'),
    ),
  ]);
  assert.notEqual(ev.pid, oldPid);
  assert.equal(supervisor.pid, ev.pid);
  assert.equal(ev.restarts, 1);
  assert.ok(ev.downMs >= 900, `waited the 1 s backoff (${ev.downMs} ms)`);

  // The same client answers again, and the sandbox and its container are still there.
  const items = (await cri.runtime.listPodSandbox({})).items as { id: string; state: string }[];
  assert.deepEqual(
    items.map((s) => [s.id, s.state]),
    [[started.sandboxId, 'SANDBOX_READY']],
  );
  const cs = await cri.runtime.containerStatus({ containerId: started.containerId });
  assert.equal(cs.status.state, 'CONTAINER_RUNNING');
  const ex = await cri.runtime.execSync({
    containerId: started.containerId,
    cmd: ['echo', 'alive'],
    timeout: 10,
  });
  assert.equal(ex.stdout.toString(), 'alive\n');

  // Cleanup with the pod still running: removes the sandbox through CRI and everything else.
  const report = await node.cleanup();
  assert.deepEqual(report.errors, []);
  assert.equal(report.sandboxesRemoved, 1);
  assert.deepEqual(leftovers(node), []);
});

test('cleanup after an agent crash (no CRI): kills containerd, shims and pods, unmounts, removes cgroups and bridge', {
  skip,
  timeout: 180_000,
}, async (t) => {
  const node = await privateNode('rt-crash');
  t.after(() => node.cleanup());
  const started = await startRawPod(node.cri, shape(node, 'orphan', ['sleep', '3600']));
  const netnsMounts = mountsUnder(node.dir).filter((m) => m.includes('netns'));
  assert.ok(netnsMounts.length > 0, 'the pod netns is mounted under the node dir');
  // The agent "dies": nothing stops containerd, nobody talks CRI any more.
  (node.supervisor as unknown as { stopping: boolean }).stopping = true;
  node.cri.close();
  const shimPids = pidsMentioning(`${node.dir}/`).filter((pid) => pid !== node.supervisor.pid);
  assert.ok(shimPids.length >= 1, 'a shim runs for the pod');

  const report = await cleanupNodeState({
    agentDir: node.dir,
    cgroupParent: node.cgroupParent,
    bridge: node.bridge,
    removeDir: true,
  });
  assert.deepEqual(report.errors, []);
  assert.ok(
    report.processesKilled.length >= 3,
    `containerd, shim and pod processes killed: ${report.processesKilled}`,
  );
  assert.equal(report.bridgeDeleted, true);
  assert.ok(report.unmounted.some((m) => m.includes('netns')));
  assert.deepEqual(leftovers(node), []);
  assert.equal(
    readdirSafe('/var/lib/cni/results').some((f) => f.includes(started.sandboxId)),
    false,
    'CNI result files of our sandbox are gone',
  );
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
