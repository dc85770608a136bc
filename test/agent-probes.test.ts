/**
 * Probes, lifecycle hooks and the resource summary against a real, private containerd (root
 * only): a busybox pod serving HTTP and burning CPU; exec probes through real ExecSync (success,
 * failure, timeout), httpGet and tcpSocket probes to the pod IP, the ProbeManager's readiness
 * and liveness, exec hooks, and collectSummary → metrics.k8s.io with non-zero numbers.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import pino from 'pino';
import { type PodShape, startRawPod } from '../bench/pods/raw.ts';
import { runHandler } from '../src/agent/kubelet/hooks.ts';
import { criExec } from '../src/agent/kubelet/probes/cri-exec.ts';
import { ProbeManager } from '../src/agent/kubelet/probes/manager.ts';
import { runProbe } from '../src/agent/kubelet/probes/run.ts';
import type { ProbeTarget } from '../src/agent/kubelet/probes/types.ts';
import { collectSummary } from '../src/agent/stats/collect.ts';
import { MetricsApi } from '../src/apiserver/metrics-api/handlers.ts';
import { leftovers, privateNode, rootTestSkipReason } from './helpers/containerd.ts';

const skip = rootTestSkipReason();

test('probes, hooks and stats against a busybox pod in a private containerd', {
  skip,
  timeout: 240_000,
}, async (t) => {
  const node = await privateNode('h6-probes');
  t.after(() => node.cleanup());
  const { cri } = node;
  const shape: PodShape = {
    name: 'probed',
    namespace: 'default',
    uid: randomUUID(),
    logRoot: node.logRoot,
    cgroupParent: node.cgroupParent,
    // httpd daemonizes; the shell then spins so the container uses CPU.
    command: ['sh', '-c', 'httpd -p 8080 -h /; while true; do :; done'],
  };
  const started = await startRawPod(cri, shape);
  const status = await cri.runtime.podSandboxStatus({ podSandboxId: started.sandboxId });
  const podIp: string = status.status.network.ip;
  const pod: V1Pod = {
    metadata: { name: shape.name, namespace: shape.namespace, uid: shape.uid },
    spec: {
      nodeName: node.name,
      containers: [{ name: 'main', ports: [{ name: 'http', containerPort: 8080 }] }],
    },
  };
  const exec = criExec(cri);
  const target: ProbeTarget = {
    pod,
    container: pod.spec!.containers[0]!,
    containerId: started.containerId,
    podIp,
    exec,
  };

  await t.test('exec probes through real ExecSync: success, failure with output, timeout', async () => {
    assert.deepEqual(await runProbe({ exec: { command: ['cat', '/etc/hostname'] } }, target), {
      result: 'success',
      message: 'probed\n',
    });
    assert.deepEqual(
      await runProbe({ exec: { command: ['sh', '-c', 'echo bad; echo worse >&2; exit 3'] } }, target),
      {
        result: 'failure',
        message: 'bad\nworse\n',
      },
    );
    const t0 = Date.now();
    const slow = await runProbe({ exec: { command: ['sleep', '10'] }, timeoutSeconds: 1 }, target);
    assert.deepEqual(slow, { result: 'failure', message: 'command "sleep 10" timed out' });
    assert.ok(Date.now() - t0 < 6000, `timed out in ${Date.now() - t0} ms`);
  });

  await t.test('httpGet and tcpSocket probes reach the pod IP', async () => {
    let ok = await runProbe({ httpGet: { port: 'http', path: '/etc/hostname' } }, target);
    for (let i = 0; i < 30 && ok.result !== 'success'; i++) {
      await sleep(100);
      ok = await runProbe({ httpGet: { port: 'http', path: '/etc/hostname' } }, target);
    }
    assert.deepEqual(ok, { result: 'success', message: 'probed\n' });
    assert.deepEqual(await runProbe({ httpGet: { port: 8080, path: '/no/such/file' } }, target), {
      result: 'failure',
      message: 'HTTP probe failed with statuscode: 404',
    });
    assert.equal((await runProbe({ tcpSocket: { port: 8080 } }, target)).result, 'success');
    const closed = await runProbe({ tcpSocket: { port: 8081 } }, target);
    assert.deepEqual(closed, {
      result: 'failure',
      message: `dial tcp ${podIp}:8081: connect: connection refused`,
    });
  });

  await t.test('ProbeManager: readiness turns true, a failing liveness asks for a restart', async () => {
    const changes: string[] = [];
    const events: string[] = [];
    const manager = new ProbeManager({
      exec,
      onChange: (uid) => changes.push(uid),
      onEvent: (_p, _type, reason, message) => events.push(`${reason}: ${message}`),
      log: pino({ level: 'silent' }),
      jitter: false,
    });
    t.after(() => manager.stop());
    const probed: V1Pod = {
      ...pod,
      spec: {
        containers: [
          {
            name: 'main',
            readinessProbe: { httpGet: { port: 8080, path: '/etc/hostname' }, periodSeconds: 1 },
            livenessProbe: {
              exec: { command: ['test', '-e', '/tmp/healthy'] },
              periodSeconds: 1,
              failureThreshold: 2,
            },
          },
        ],
      },
    };
    manager.track(probed, 'main', started.containerId, Date.now(), podIp);
    const until = Date.now() + 10_000;
    while (!(manager.ready(started.containerId) && manager.livenessFailed(started.containerId))) {
      assert.ok(Date.now() < until, `ready=${manager.ready(started.containerId)} events=${events}`);
      await sleep(50);
    }
    assert.equal(
      manager.livenessFailed(started.containerId),
      'Container main failed liveness probe, will be restarted',
    );
    assert.ok(changes.includes(shape.uid));
    assert.ok(events.includes('Unhealthy: Liveness probe failed: '), events.join('\n'));
  });

  await t.test('exec lifecycle hooks through real ExecSync', async () => {
    const ctx = {
      pod,
      container: target.container,
      containerId: started.containerId,
      podIp,
      exec,
      timeoutSeconds: 5,
    };
    assert.deepEqual(await runHandler({ exec: { command: ['touch', '/tmp/hooked'] } }, ctx), { ok: true });
    assert.equal((await exec(started.containerId, ['test', '-e', '/tmp/hooked'], 5)).exitCode, 0);
    const failed = await runHandler({ exec: { command: ['sh', '-c', 'echo nope; exit 2'] } }, ctx);
    assert.equal(failed.ok, false);
    assert.match((failed as { message: string }).message, /exited with 2: , message: "nope\\n"$/);
  });

  await t.test('collectSummary and metrics.k8s.io give non-zero numbers for the pod', async () => {
    const summary = await collectSummary(cri, { nodeName: node.name });
    assert.ok(summary.node.cpu.usageNanoCores > 0, 'node cpu');
    assert.ok(summary.node.memory.workingSetBytes > 0, 'node memory');
    assert.ok(summary.windowSeconds > 0.5, `window ${summary.windowSeconds}`);
    const p = summary.pods.find((x) => x.uid === shape.uid);
    assert.ok(p, JSON.stringify(summary));
    assert.equal(p.name, 'probed');
    assert.equal(p.namespace, 'default');
    const c = p.containers.find((x) => x.name === 'main');
    assert.ok(c, JSON.stringify(p));
    // The shell spins: well above a tenth of a core.
    assert.ok(c.cpu.usageNanoCores > 100_000_000, `cpu ${c.cpu.usageNanoCores}`);
    assert.ok(c.memory.workingSetBytes > 0, 'memory');

    const api = new MetricsApi({
      fetchSummary: async () => summary,
      listNodes: async () => [{ metadata: { name: node.name } }],
      listPods: async () => [pod],
    });
    const got = (
      await api.serve(
        'GET',
        '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/probed',
        new URLSearchParams(),
      )
    ).body as { containers: { name: string; usage: { cpu: string; memory: string } }[] };
    assert.equal(got.containers[0]?.name, 'main');
    assert.match(got.containers[0]!.usage.cpu, /^[1-9][0-9]*n$/);
    assert.match(got.containers[0]!.usage.memory, /^[1-9][0-9]*Ki$/);
  });

  const report = await node.cleanup();
  assert.deepEqual(report.errors, []);
  assert.deepEqual(leftovers(node), []);
});
