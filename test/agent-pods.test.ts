/**
 * The kubelet's pod lifecycle against a real containerd (root only): a private containerd
 * node, `skiff server --disable-agent`, a registered test Node, and the Kubelet in process.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import pino from 'pino';
import { cgroupMounts } from '../src/agent/kubelet/cgroups.ts';
import { Kubelet, type KubeletOptions } from '../src/agent/kubelet/kubelet.ts';
import {
  BUSYBOX_IMAGE,
  leftovers,
  type PrivateNode,
  privateNode,
  rootTestSkipReason,
} from './helpers/containerd.ts';
import { podOn, readPod, registerTestNode, type TestNode, waitFor } from './helpers/kubelet.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const skip = rootTestSkipReason();

describe('kubelet runs pods through CRI', { skip, timeout: 300_000 }, () => {
  let server: TestServer;
  let node: PrivateNode;
  let testNode: TestNode;
  let kubelet: Kubelet;
  let options: KubeletOptions;
  const log = pino({ level: process.env.SKIFF_TEST_LOG ? 'debug' : 'silent' });
  const name = `kt${process.pid}`;

  before(async () => {
    [server, node] = await Promise.all([startServer(), privateNode(name)]);
    testNode = await registerTestNode(server.kubeconfig, name, node.podCidr);
    options = {
      nodeName: name,
      kc: testNode.kc,
      cri: node.cri,
      agentDir: node.dir,
      cgroupParent: node.cgroupParent,
      clusterDns: ['10.43.0.10'],
      clusterDomain: 'cluster.local',
      nodeIp: '127.0.0.1',
      log,
    };
    kubelet = new Kubelet(options);
    await kubelet.start();
  });

  after(async () => {
    await kubelet?.stop();
    await testNode?.stop();
    const report = await node?.cleanup();
    await server?.cleanup();
    if (node) assert.deepEqual(leftovers(node), [], `left behind: ${JSON.stringify(report)}`);
  });

  const create = (pod: V1Pod) => testNode.core.createNamespacedPod({ namespace: 'default', body: pod });
  const get = (n: string) => readPod(testNode.core, n);

  test('a busybox httpd pod runs, gets a pod IP and answers HTTP from the host', async () => {
    await create(
      podOn(name, 'web', {
        containers: [
          {
            name: 'httpd',
            image: BUSYBOX_IMAGE,
            imagePullPolicy: 'IfNotPresent',
            command: [
              'sh',
              '-c',
              'mkdir -p /www && echo "hello from $(POD_NAME)" > /www/index.html && exec httpd -f -p 8080 -h /www',
            ],
            env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          },
        ],
      }),
    );
    await create(
      podOn(name, 'hostnet', {
        hostNetwork: true,
        containers: [
          { name: 'c', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] },
        ],
      }),
    );
    const pod = await waitFor(
      'web Running',
      () => get('web'),
      (p) => p.status?.phase === 'Running' && !!p.status.podIP,
    );
    const ip = pod.status!.podIP!;
    assert.ok(
      ip.startsWith(node.podCidr.split('.').slice(0, 3).join('.')),
      `pod IP ${ip} in ${node.podCidr}`,
    );
    const cs = pod.status!.containerStatuses![0]!;
    assert.equal(cs.ready, true);
    assert.match(cs.containerID ?? '', /^containerd:\/\/[0-9a-f]{64}$/);
    assert.equal(pod.status!.qosClass, 'BestEffort');
    const ready = pod.status!.conditions!.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True');
    const body = await waitFor(
      'HTTP answer',
      async () => (await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(2000) })).text(),
      (t) => t.length > 0,
      10_000,
    );
    assert.equal(body, 'hello from web\n');
    const hostnet = await waitFor(
      'hostnet Running',
      () => get('hostnet'),
      (p) => p.status?.phase === 'Running',
    );
    assert.equal(hostnet.status!.podIP, '127.0.0.1');
    const found = kubelet.findContainer('default', 'web', undefined, {});
    assert.ok(found?.running);
    assert.equal(`containerd://${found.containerId}`, cs.containerID);
  });

  test('a failing command goes to CrashLoopBackOff with a growing restartCount', async () => {
    await create(
      podOn(name, 'crash', {
        containers: [
          {
            name: 'c',
            image: BUSYBOX_IMAGE,
            imagePullPolicy: 'IfNotPresent',
            command: ['sh', '-c', 'echo boom; exit 3'],
          },
        ],
      }),
    );
    const pod = await waitFor(
      'crash in back-off twice',
      () => get('crash'),
      (p) => {
        const cs = p.status?.containerStatuses?.[0];
        return (cs?.restartCount ?? 0) >= 2 && cs?.state?.waiting?.reason === 'CrashLoopBackOff';
      },
      45_000,
    );
    const cs = pod.status!.containerStatuses![0]!;
    assert.match(
      cs.state!.waiting!.message ?? '',
      /^back-off 20s restarting failed container=c pod=crash_default\(/,
    );
    assert.equal(cs.lastState?.terminated?.exitCode, 3);
    assert.equal(cs.lastState?.terminated?.reason, 'Error');
    assert.equal(pod.status!.phase, 'Running');
    const events = await testNode.core.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: `involvedObject.name=crash`,
    });
    const reasons = new Set(events.items.map((e) => e.reason));
    for (const r of ['Created', 'Started', 'BackOff'])
      assert.ok(reasons.has(r), `event ${r} in ${[...reasons]}`);
    assert.ok(events.items.every((e) => e.source?.component === 'kubelet' && e.source.host === name));
  });

  test('init containers run in order before the app container', async () => {
    const sh = (script: string) => ({
      image: BUSYBOX_IMAGE,
      imagePullPolicy: 'IfNotPresent' as const,
      command: ['sh', '-c', script],
      volumeMounts: [{ name: 'work', mountPath: '/work' }],
    });
    await create(
      podOn(name, 'inits', {
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [
          { name: 'first', ...sh('sleep 1; echo one >> /work/log') },
          { name: 'second', ...sh('test -f /work/log && echo two >> /work/log') },
        ],
        containers: [{ name: 'main', ...sh('cat /work/log; exec sleep 3600') }],
      }),
    );
    const pending = await waitFor(
      'inits Pending',
      () => get('inits'),
      (p) => p.status?.phase === 'Pending' && !!p.status.initContainerStatuses,
    );
    assert.equal(pending.status!.containerStatuses![0]!.state?.waiting?.reason, 'PodInitializing');
    const pod = await waitFor(
      'inits Running',
      () => get('inits'),
      (p) => p.status?.phase === 'Running',
      30_000,
    );
    for (const s of pod.status!.initContainerStatuses!) {
      assert.equal(s.state?.terminated?.reason, 'Completed', s.name);
      assert.equal(s.restartCount, 0);
    }
    const [a, b] = pod.status!.initContainerStatuses!;
    assert.ok(
      Date.parse(String(a!.state!.terminated!.finishedAt)) <=
        Date.parse(String(b!.state!.terminated!.startedAt)),
    );
    assert.equal(pod.status!.conditions!.find((c) => c.type === 'Initialized')?.status, 'True');
    const found = kubelet.findContainer('default', 'inits', 'main', {})!;
    const text = await waitFor(
      'main log',
      async () => readFileSync(found.logPath, 'utf8'),
      (t) => t.includes('two'),
      10_000,
    );
    assert.match(text, /stdout F one\n.*stdout F two\n/s);
  });

  test('deleting a pod honours its grace period, then everything of it is gone', async () => {
    // sleep as PID 1 of its own PID namespace ignores SIGTERM: only the grace period ends it.
    await create(
      podOn(name, 'slow', {
        terminationGracePeriodSeconds: 3,
        containers: [
          { name: 'c', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] },
        ],
      }),
    );
    const pod = await waitFor(
      'slow Running',
      () => get('slow'),
      (p) => p.status?.phase === 'Running',
    );
    const uid = pod.metadata!.uid!;
    const t0 = Date.now();
    await testNode.core.deleteNamespacedPod({ name: 'slow', namespace: 'default' });
    await waitFor(
      'slow gone',
      () =>
        get('slow').then(
          () => false,
          (e) => (e as { code?: number }).code === 404,
        ),
      (gone) => gone,
      30_000,
    );
    const took = Date.now() - t0;
    assert.ok(took >= 2500, `gone after ${took} ms, before the 3 s grace period`);
    assert.ok(took < 15_000, `gone after ${took} ms`);
    const podCgroups = cgroupMounts().map((m) => join(m, node.cgroupParent, `pod${uid}`));
    const leftBehind = async () => {
      const filter = { labelSelector: { 'io.kubernetes.pod.uid': uid } };
      const out: string[] = [];
      if ((await node.cri.runtime.listPodSandbox({ filter })).items.length > 0) out.push('sandbox');
      if ((await node.cri.runtime.listContainers({ filter })).containers.length > 0) out.push('containers');
      for (const p of [
        join(node.dir, 'pods', uid),
        join(node.dir, 'logs', `default_slow_${uid}`),
        ...podCgroups,
      ])
        if (existsSync(p)) out.push(p);
      return out;
    };
    await waitFor('slow removed from the node', leftBehind, (left) => left.length === 0, 15_000);
  });

  test('a missing configMap is a CreateContainerConfigError until it exists; a missing command fails to run', async () => {
    const bb = { image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent' as const };
    await create(
      podOn(name, 'needs-cm', {
        containers: [
          {
            name: 'c',
            ...bb,
            command: ['sh', '-c', 'echo "$GREETING" > /dev/termination-log; exec sleep 3600'],
            env: [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } }],
          },
        ],
      }),
    );
    await create(podOn(name, 'no-cmd', { containers: [{ name: 'c', ...bb, command: ['/no/such/binary'] }] }));
    const waiting = await waitFor(
      'needs-cm waiting',
      () => get('needs-cm'),
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError',
    );
    assert.equal(waiting.status!.containerStatuses![0]!.state!.waiting!.message, 'configmap "cfg" not found');
    assert.equal(waiting.status!.phase, 'Pending');
    await testNode.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'cfg' }, data: { greeting: 'hello' } },
    });
    await waitFor(
      'needs-cm Running',
      () => get('needs-cm'),
      (p) => p.status?.phase === 'Running',
      20_000,
    );
    const broken = await waitFor(
      'no-cmd failing',
      () => get('no-cmd'),
      (p) => {
        const cs = p.status?.containerStatuses?.[0];
        return (
          !!cs?.state?.waiting &&
          ['RunContainerError', 'CrashLoopBackOff'].includes(cs.state.waiting.reason ?? '')
        );
      },
    );
    const cs = broken.status!.containerStatuses![0]!;
    const text = `${cs.state!.waiting!.message ?? ''} ${cs.lastState?.terminated?.message ?? ''}`;
    assert.match(text, /no such file or directory|not found/, JSON.stringify(cs));
  });

  test('a sandbox the runtime cannot start: FailedCreatePodSandBox with its error, retried with back-off', async () => {
    // runc cannot write a sysctl the kernel does not have: RunPodSandbox itself fails.
    await create(
      podOn(name, 'bad-sysctl', {
        securityContext: { sysctls: [{ name: 'net.ipv4.skiff_no_such_setting', value: '1' }] },
        containers: [
          { name: 'c', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '60'] },
        ],
      }),
    );
    const attempts = async () => {
      const events = await testNode.core.listNamespacedEvent({
        namespace: 'default',
        fieldSelector: 'involvedObject.name=bad-sysctl,reason=FailedCreatePodSandBox',
      });
      return events.items;
    };
    const first = await waitFor('FailedCreatePodSandBox', attempts, (items) => items.length > 0);
    assert.match(first[0]!.message ?? '', /^Failed to create pod sandbox: .*skiff_no_such_setting/);
    await new Promise((r) => setTimeout(r, 4000));
    const tries = (await attempts()).reduce((n, e) => n + (e.count ?? 1), 0);
    // 1 s, 2 s, 4 s apart: a handful of tries, not one per runtime poll.
    assert.ok(tries >= 2 && tries <= 4, `${tries} tries in about 4 s`);
    const pod = await get('bad-sysctl');
    assert.equal(pod.status?.phase, 'Pending');
    await testNode.core.deleteNamespacedPod({
      namespace: 'default',
      name: 'bad-sysctl',
      gracePeriodSeconds: 0,
    });
  });

  test('configMap and secret volumes show an update within seconds (watched, not polled)', async () => {
    const bb = { image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent' as const };
    await testNode.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'live' }, data: { greeting: 'one' } },
    });
    await testNode.core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'live' }, stringData: { token: 'first' } },
    });
    await create(
      podOn(name, 'live-vol', {
        volumes: [
          { name: 'cfg', configMap: { name: 'live' } },
          { name: 'all', projected: { sources: [{ secret: { name: 'live' } }] } },
        ],
        containers: [
          {
            name: 'c',
            ...bb,
            command: ['sleep', '3600'],
            volumeMounts: [
              { name: 'cfg', mountPath: '/cfg' },
              { name: 'all', mountPath: '/all' },
            ],
          },
        ],
      }),
    );
    const running = await waitFor(
      'live-vol Running',
      () => get('live-vol'),
      (p) => p.status?.phase === 'Running',
    );
    const id = running.status!.containerStatuses![0]!.containerID!.replace('containerd://', '');
    const read = async () => {
      const r = await node.cri.runtime.execSync({
        containerId: id,
        cmd: ['cat', '/cfg/greeting', '/all/token'],
        timeout: 5,
      });
      return r.stdout.toString();
    };
    assert.equal(await read(), 'onefirst');
    await testNode.core.replaceNamespacedConfigMap({
      namespace: 'default',
      name: 'live',
      body: { metadata: { name: 'live' }, data: { greeting: 'two' } },
    });
    await testNode.core.replaceNamespacedSecret({
      namespace: 'default',
      name: 'live',
      body: { metadata: { name: 'live' }, stringData: { token: 'second' } },
    });
    // The periodic refresh is a minute: only the watch can bring these in time.
    await waitFor('the new contents in the container', read, (t) => t === 'twosecond', 15_000);
  });

  test('restartPolicy Never: the pod Succeeds, keeps its status and termination message', async () => {
    await create(
      podOn(name, 'once', {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'c',
            image: BUSYBOX_IMAGE,
            imagePullPolicy: 'IfNotPresent',
            command: ['sh', '-c', 'echo -n all done > /dev/termination-log'],
          },
        ],
      }),
    );
    const pod = await waitFor(
      'once Succeeded',
      () => get('once'),
      (p) => p.status?.phase === 'Succeeded',
    );
    const t = pod.status!.containerStatuses![0]!.state!.terminated!;
    assert.deepEqual([t.exitCode, t.reason, t.message], [0, 'Completed', 'all done']);
    assert.equal(pod.status!.conditions!.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
    const uid = pod.metadata!.uid!;
    await waitFor(
      'once sandbox stopped',
      async () =>
        (
          await node.cri.runtime.listPodSandbox({
            filter: { labelSelector: { 'io.kubernetes.pod.uid': uid } },
          })
        ).items,
      (items: { state: string }[]) => items.length === 1 && items[0]!.state === 'SANDBOX_NOTREADY',
      10_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await get('once')).status!.containerStatuses![0]!.restartCount, 0);
  });

  test('readiness and liveness probes: unready then ready, restarted when liveness fails', async () => {
    await create(
      podOn(name, 'probed', {
        containers: [
          {
            name: 'c',
            image: BUSYBOX_IMAGE,
            imagePullPolicy: 'IfNotPresent',
            command: ['sh', '-c', 'sleep 2; touch /tmp/ready; sleep 3; rm /tmp/ready; exec sleep 3600'],
            readinessProbe: {
              exec: { command: ['cat', '/tmp/ready'] },
              periodSeconds: 1,
              failureThreshold: 1,
            },
            livenessProbe: {
              exec: { command: ['cat', '/tmp/ready'] },
              initialDelaySeconds: 3,
              periodSeconds: 1,
              failureThreshold: 2,
            },
          },
        ],
      }),
    );
    const running = await waitFor(
      'probed Running',
      () => get('probed'),
      (p) => p.status?.phase === 'Running',
    );
    assert.equal(running.status!.containerStatuses![0]!.ready, false);
    await waitFor(
      'probed ready',
      () => get('probed'),
      (p) => p.status?.containerStatuses?.[0]?.ready === true,
      15_000,
    );
    const restarted = await waitFor(
      'probed restarted',
      () => get('probed'),
      (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
      30_000,
    );
    assert.equal(
      restarted.status!.containerStatuses![0]!.lastState?.terminated?.exitCode !== undefined,
      true,
    );
  });

  test('sidecars keep running beside the app; preStop hooks run on deletion; Never-pull of an absent image', async () => {
    const bb = { image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent' as const };
    const hookDir = join(node.dir, 'hook-test');
    mkdirSync(hookDir, { recursive: true });
    await create(
      podOn(name, 'sidecars', {
        volumes: [{ name: 'h', hostPath: { path: hookDir } }],
        initContainers: [
          { name: 'side', ...bb, restartPolicy: 'Always', command: ['sleep', '3600'] },
          { name: 'setup', ...bb, command: ['true'] },
        ],
        containers: [
          {
            name: 'app',
            ...bb,
            command: ['sleep', '3600'],
            volumeMounts: [{ name: 'h', mountPath: '/h' }],
            lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo bye > /h/prestop'] } } },
          },
        ],
      }),
    );
    await create(
      podOn(name, 'absent', {
        containers: [{ name: 'c', image: 'docker.io/library/absent:1', imagePullPolicy: 'Never' }],
      }),
    );
    const pod = await waitFor(
      'sidecars Running',
      () => get('sidecars'),
      (p) => p.status?.phase === 'Running',
    );
    const [side, setup] = pod.status!.initContainerStatuses!;
    assert.ok(side!.state?.running, JSON.stringify(side));
    assert.equal(side!.started, true);
    assert.equal(setup!.state?.terminated?.reason, 'Completed');
    assert.equal(pod.status!.conditions!.find((c) => c.type === 'Ready')?.status, 'True');
    const absent = await waitFor(
      'absent waiting',
      () => get('absent'),
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImageNeverPull',
    );
    assert.equal(
      absent.status!.containerStatuses![0]!.state!.waiting!.message,
      'Container image "docker.io/library/absent:1" is not present with pull policy of Never',
    );
    await testNode.core.deleteNamespacedPod({ name: 'sidecars', namespace: 'default' });
    await waitFor(
      'sidecars gone',
      () =>
        get('sidecars').then(
          () => false,
          () => true,
        ),
      (gone) => gone,
      20_000,
    );
    assert.equal(readFileSync(join(hookDir, 'prestop'), 'utf8'), 'bye\n');
  });

  test('a restarted kubelet adopts running containers and removes those of deleted pods', async () => {
    await create(
      podOn(name, 'keep', {
        containers: [
          { name: 'c', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] },
        ],
      }),
    );
    await create(
      podOn(name, 'orphan', {
        containers: [
          { name: 'c', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] },
        ],
      }),
    );
    const before = await waitFor(
      'keep Running',
      () => get('keep'),
      (p) => p.status?.phase === 'Running',
    );
    const orphan = await waitFor(
      'orphan Running',
      () => get('orphan'),
      (p) => p.status?.phase === 'Running',
    );
    // Exits a few seconds after the restart: its next start needs the adopted pod's volumes.
    await create(
      podOn(name, 'flaky', {
        volumes: [{ name: 'scratch', emptyDir: {} }],
        containers: [
          {
            name: 'c',
            image: BUSYBOX_IMAGE,
            imagePullPolicy: 'IfNotPresent',
            command: ['sh', '-c', 'echo run >> /scratch/runs; sleep 4; exit 1'],
            volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
          },
        ],
      }),
    );
    await waitFor(
      'flaky Running',
      () => get('flaky'),
      (p) => p.status?.phase === 'Running',
    );
    const id = before.status!.containerStatuses![0]!.containerID;
    await kubelet.stop();
    await testNode.core.deleteNamespacedPod({ name: 'orphan', namespace: 'default', gracePeriodSeconds: 0 });
    kubelet = new Kubelet(options);
    await kubelet.start();
    const orphanUid = orphan.metadata!.uid!;
    await waitFor(
      'orphan removed from the runtime',
      async () =>
        (
          await node.cri.runtime.listContainers({
            filter: { labelSelector: { 'io.kubernetes.pod.uid': orphanUid } },
          })
        ).containers.length,
      (n) => n === 0,
      20_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    const after = await get('keep');
    const cs = after.status!.containerStatuses![0]!;
    assert.equal(cs.containerID, id);
    assert.equal(cs.restartCount, 0);
    assert.ok(cs.state?.running);
    assert.equal(after.status!.phase, 'Running');
    const flaky = await waitFor(
      'flaky restarted by the new kubelet',
      () => get('flaky'),
      (p) =>
        (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 &&
        !!p.status?.containerStatuses?.[0]?.state?.running,
      20_000,
    );
    const runs = kubelet.findContainer('default', 'flaky', 'c', {});
    assert.ok(runs?.running, JSON.stringify(flaky.status));
    const list = await node.cri.runtime.listContainers({
      filter: { labelSelector: { 'io.kubernetes.pod.name': 'keep' } },
    });
    assert.equal(list.containers.length, 1);
  });
});
