/**
 * The kubelet's pod lifecycle over CRI: watches the pods bound to this node, runs one
 * serialised worker per pod (parallel across pods), notices container changes by polling the
 * runtime each second, and posts pod status through a coalescing queue.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CoreV1Api, type KubeConfig, type V1Pod, type V1Service } from '@kubernetes/client-node';
import type pino from 'pino';
import { shareConnections } from '../../sim/api.ts';
import { KeyedQueue } from '../../sim/queue.ts';
import { keyOf, Reflector } from '../../sim/reflector.ts';
import type { RegistriesConfig } from '../images/registries.ts';
import { PodVolumes } from '../volumes/index.ts';
import type { ObjectSource } from '../volumes/source.ts';
import { Backoff } from './backoff.ts';
import type { WorkerContext } from './context.ts';
import type { KubeletCri } from './cri-types.ts';
import type { EnsureImage, ProbesLike, RunHook } from './deps.ts';
import { KubeletEvents } from './events.ts';
import { criExec, hookRunner, imageManagerEnsure, Probes } from './integrations.ts';
import { ApiObjectSource } from './object-source.ts';
import { PodWorker } from './pod-worker.ts';
import { instancesOf } from './runtime.ts';
import { parseResolvConf, podLogDirectory, podUidLabel } from './sandbox-config.ts';
import { StatusPoster } from './status-poster.ts';
import { VolumeObjectWatch } from './volume-objects.ts';

export interface KubeletOptions {
  nodeName: string;
  kc: KubeConfig;
  cri: KubeletCri;
  agentDir: string;
  cgroupParent: string;
  clusterDns: string[];
  clusterDomain: string;
  nodeIp: string;
  log: pino.Logger;
  /** Replacements for the image manager, prober and hooks (tests). */
  ensureImage?: EnsureImage;
  /** registries.yaml as loaded: credentials for pulls from those registries. */
  registries?: () => RegistriesConfig;
  probes?: ProbesLike;
  runHook?: RunHook;
  /** How often the runtime is polled for container changes (ms). */
  pollMs?: number;
}

export interface FoundContainer {
  podUid: string;
  containerId: string;
  logPath: string;
  running: boolean;
}

function memoryCapacity(): number {
  try {
    const m = /MemTotal:\s+(\d+) kB/.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function hostResolvConf() {
  try {
    return parseResolvConf(fs.readFileSync('/etc/resolv.conf', 'utf8'));
  } catch {
    return { servers: [], searches: [], options: [] };
  }
}

export class Kubelet {
  private readonly o: KubeletOptions;
  private readonly core: CoreV1Api;
  private readonly ctx: WorkerContext;
  private readonly workers = new Map<string, PodWorker>();
  /** namespace/name → uid of the pod of that name on this node. */
  private readonly byKey = new Map<string, string>();
  private readonly queue: KeyedQueue;
  private readonly statuses: StatusPoster;
  private readonly wakeups = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly signatures = new Map<string, string>();
  private readonly reflector: Reflector<V1Pod>;
  private readonly volumeObjects: VolumeObjectWatch;
  private readonly probes: ProbesLike;
  private pollTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private up = false;
  private stopped = false;
  private services: { at: number; list: Promise<V1Service[]> } | undefined;

  constructor(o: KubeletOptions) {
    this.o = o;
    shareConnections(o.kc);
    this.core = o.kc.makeApiClient(CoreV1Api);
    const api = new ApiObjectSource(this.core);
    const source: ObjectSource = api;
    this.volumeObjects = new VolumeObjectWatch(o.kc, o.log, (key, uids) => {
      api.invalidate(key);
      for (const uid of uids) {
        this.workers.get(uid)?.refreshVolumesSoon();
        this.queue.add(uid);
      }
    });
    const events = new KubeletEvents(this.core, o.nodeName, o.log);
    const exec = criExec(o.cri);
    this.probes = o.probes ?? new Probes(exec, events, (uid) => this.queue.add(uid), o.log);
    this.ctx = {
      cri: o.cri,
      nodeName: o.nodeName,
      nodeIp: o.nodeIp,
      facts: {
        agentDir: o.agentDir,
        cgroupParent: o.cgroupParent,
        clusterDns: o.clusterDns,
        clusterDomain: o.clusterDomain,
        hostDns: hostResolvConf(),
      },
      memoryCapacity: memoryCapacity(),
      source,
      services: () => this.listServices(),
      ensureImage: o.ensureImage ?? imageManagerEnsure(o.cri, source, events, o.registries),
      makeVolumes: (pod, podDir) => new PodVolumes({ podDir, pod, source, log: o.log, nodeName: o.nodeName }),
      probes: this.probes,
      runHook: o.runHook ?? hookRunner(exec),
      events,
      backoff: new Backoff(),
      postStatus: (uid, pod, status) => this.statuses.post(uid, pod, status),
      flushStatus: (uid) => this.statuses.flush(uid),
      deletePod: (pod) => this.statuses.deletePod(pod),
      wake: (uid, at) => this.wake(uid, at),
      log: o.log,
    };
    this.queue = new KeyedQueue(16, (uid) => this.syncPod(uid));
    this.statuses = new StatusPoster(this.core, o.log);
    const fieldSelector = `spec.nodeName=${o.nodeName}`;
    this.reflector = new Reflector<V1Pod>({
      kc: o.kc,
      path: '/api/v1/pods',
      fieldSelector,
      list: () => this.core.listPodForAllNamespaces({ fieldSelector }),
      filter: (p) => p.spec?.nodeName === o.nodeName,
      upsert: (p) => this.upsert(p),
      remove: (key, p) => this.remove(key, p),
      log: o.log,
    });
  }

  /** Resolves once the pods are listed and what the runtime already runs is adopted. */
  async start(): Promise<void> {
    await this.reflector.start();
    this.volumeObjects.start();
    await this.poll();
    this.pollTimer = setInterval(() => void this.poll(), this.o.pollMs ?? 1000);
    this.resyncTimer = setInterval(() => {
      for (const uid of this.workers.keys()) this.queue.add(uid);
    }, 10_000);
  }

  /** Stops watching and working; containers keep running. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.reflector.stop();
    this.volumeObjects.stop();
    clearInterval(this.pollTimer);
    clearInterval(this.resyncTimer);
    for (const w of this.wakeups.values()) clearTimeout(w.timer);
    this.wakeups.clear();
    this.queue.stop();
    this.statuses.stop();
    this.probes.stop();
    await Promise.race([this.queue.idle(), new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  runtimeUp(): boolean {
    return this.up;
  }

  findContainer(
    ns: string,
    pod: string,
    container: string | undefined,
    o: { previous?: boolean } = {},
  ): FoundContainer | undefined {
    const uid = this.byKey.get(`${ns}/${pod}`);
    const w = uid ? this.workers.get(uid) : undefined;
    if (!w?.pod) return undefined;
    const name = container ?? w.pod.spec?.containers?.[0]?.name ?? '';
    const i = instancesOf(w.runtime, name)[o.previous ? 1 : 0];
    if (!i) return undefined;
    return {
      podUid: w.uid,
      containerId: i.id,
      logPath: path.join(podLogDirectory(this.o.agentDir, w.pod), name, `${i.restartCount}.log`),
      running: i.state === 'CONTAINER_RUNNING',
    };
  }

  private upsert(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const key = keyOf(pod);
    const before = this.byKey.get(key);
    if (before && before !== uid) this.forgetPod(before);
    this.byKey.set(key, uid);
    this.volumeObjects.track(uid, pod);
    const w = this.workers.get(uid);
    if (w) w.pod = pod;
    else this.workers.set(uid, new PodWorker(this.ctx, uid, pod));
    this.statuses.seen(uid, pod);
    this.queue.add(uid);
  }

  private remove(key: string, pod: V1Pod | undefined): void {
    const uid = pod?.metadata?.uid ?? this.byKey.get(key);
    if (this.byKey.get(key) === uid) this.byKey.delete(key);
    if (uid) this.forgetPod(uid);
  }

  /** The pod is gone from the API: its worker removes what is left, then is dropped. */
  private forgetPod(uid: string): void {
    const w = this.workers.get(uid);
    this.volumeObjects.untrack(uid);
    if (!w) return;
    w.pod = undefined;
    this.statuses.forget(uid);
    this.queue.add(uid);
  }

  private async syncPod(uid: string): Promise<void> {
    const w = this.workers.get(uid);
    if (!w || this.stopped) return;
    try {
      const keep = await w.sync();
      if (!keep) {
        this.workers.delete(uid);
        this.statuses.forget(uid);
        this.signatures.delete(uid);
        const t = this.wakeups.get(uid);
        if (t) clearTimeout(t.timer);
        this.wakeups.delete(uid);
      }
    } catch (e) {
      this.o.log.warn({ pod: w.pod ? keyOf(w.pod) : uid, err: String(e) }, 'pod sync failed; retrying');
      this.wake(uid, Date.now() + 2000);
    }
  }

  private wake(uid: string, at?: number): void {
    if (this.stopped) return;
    if (at === undefined || at <= Date.now()) {
      this.queue.add(uid);
      return;
    }
    const known = this.wakeups.get(uid);
    if (known && known.at <= at && known.at > Date.now()) return;
    if (known) clearTimeout(known.timer);
    const timer = setTimeout(() => {
      this.wakeups.delete(uid);
      this.queue.add(uid);
    }, at - Date.now());
    timer.unref();
    this.wakeups.set(uid, { at, timer });
  }

  /** One look at the runtime: pods whose sandboxes or containers changed are synced. */
  private async poll(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      const [sandboxes, containers] = await Promise.all([
        this.o.cri.runtime.listPodSandbox({}),
        this.o.cri.runtime.listContainers({}),
      ]);
      this.up = true;
      const sig = new Map<string, string[]>();
      for (const s of sandboxes.items ?? []) {
        const uid = s.labels?.[podUidLabel];
        if (uid) sig.set(uid, [...(sig.get(uid) ?? []), `${s.id}:${s.state}`]);
      }
      for (const c of containers.containers ?? []) {
        const uid = c.labels?.[podUidLabel];
        if (uid) sig.set(uid, [...(sig.get(uid) ?? []), `${c.id}:${c.state}`]);
      }
      for (const [uid, parts] of sig) {
        const text = parts.sort().join(',');
        if (this.signatures.get(uid) === text) continue;
        this.signatures.set(uid, text);
        // Sandboxes or containers of a pod this node does not run (any more): remove them.
        if (!this.workers.has(uid)) this.workers.set(uid, new PodWorker(this.ctx, uid, undefined));
        this.queue.add(uid);
      }
      for (const uid of [...this.signatures.keys()]) if (!sig.has(uid)) this.signatures.delete(uid);
    } catch (e) {
      if (this.up) this.o.log.warn({ err: String(e) }, 'container runtime not answering');
      this.up = false;
    } finally {
      this.polling = false;
    }
  }

  private listServices(): Promise<V1Service[]> {
    if (this.services && Date.now() - this.services.at < 10_000) return this.services.list;
    const list = this.core.listServiceForAllNamespaces().then(
      (r) => r.items,
      () => [] as V1Service[],
    );
    this.services = { at: Date.now(), list };
    return list;
  }
}
