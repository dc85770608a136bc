/**
 * The volumes of one pod on this node: set up before its containers are created, kept current
 * while it runs (`refresh`), torn down when it is gone. Layout as the kubelet's:
 * `<podDir>/volumes/<plugin>/<name>` (e.g. `kubernetes.io~empty-dir`).
 *
 * Failures never escape as crashes: setUp/refresh reject with a VolumeSetUpError whose
 * `failures` carry one `MountVolume.SetUp failed for volume "x" : …` message per volume (the
 * kubelet records each as a FailedMount event and retries later); `mounts` throws MountError,
 * which the kubelet reports as CreateContainerConfigError.
 */
import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type Payload, type WriteOptions, writeAtomically } from './atomic-writer.ts';
import { resolveClaim } from './claim.ts';
import { type VolumeFailure, VolumeSetUpError } from './errors.ts';
import { checkHostPathType } from './hostpath.ts';
import { apiKinds, type Kind, kindOf, memoryVolumeSize, pluginDirs } from './kinds.ts';
import { HostMounter, type Mounter } from './mounter.ts';
import { type CriMount, containerMounts, type MountableVolume } from './mounts.ts';
import { applyFsGroup, fsGroupFileMode } from './ownership.ts';
import { defaultFileMode, downwardPayload, objectPayload, projectedPayload } from './payload.ts';
import type { ObjectSource } from './source.ts';
import { TokenCache } from './tokens.ts';

export { type VolumeFailure, VolumeSetUpError } from './errors.ts';
export type { CriMount } from './mounts.ts';
export { MountError } from './mounts.ts';

export interface PodVolumesOptions {
  /** The pod's own directory (`<data-dir>/agent/pods/<uid>`). */
  podDir: string;
  pod: V1Pod;
  source: ObjectSource;
  log?: Logger;
  nodeName?: string;
  /** The node's allocatable resources, read by resourceFieldRef for limits a container leaves unset. */
  allocatable?: Record<string, string>;
  mounter?: Mounter;
  now?: () => number;
}

export class PodVolumes {
  readonly podDir: string;
  #pod: V1Pod;
  readonly #source: ObjectSource;
  readonly #log: Logger | undefined;
  readonly #allocatable: Record<string, string> | undefined;
  readonly #mounter: Mounter;
  readonly #tokens: TokenCache;
  readonly #ready = new Map<string, MountableVolume>();
  /** setUp, refresh and tearDown run one at a time. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: PodVolumesOptions) {
    this.podDir = options.podDir;
    this.#pod = options.pod;
    this.#source = options.source;
    this.#log = options.log;
    this.#allocatable = options.allocatable;
    this.#mounter = options.mounter ?? new HostMounter();
    this.#tokens = new TokenCache(options.source, options.now ?? Date.now);
    if (options.nodeName && !this.#pod.spec?.nodeName) {
      this.#pod = { ...this.#pod, spec: { ...this.#pod.spec!, nodeName: options.nodeName } };
    }
  }

  get volumesDir(): string {
    return join(this.podDir, 'volumes');
  }

  #dir(kind: Kind, name: string): string {
    return join(this.volumesDir, pluginDirs[kind]!, name);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Sets up every volume not yet set up; safe to call again after a failure. */
  setUp(): Promise<void> {
    return this.#serial(() => this.#setUpAll());
  }

  async #setUpAll(): Promise<void> {
    const failures: VolumeFailure[] = [];
    for (const v of this.#pod.spec?.volumes ?? []) {
      if (this.#ready.has(v.name)) continue;
      try {
        this.#ready.set(v.name, await this.#setUpOne(v));
      } catch (err) {
        failures.push(this.#failure(v.name, err));
      }
    }
    if (failures.length > 0) throw new VolumeSetUpError(failures);
  }

  /** Rewrites the API-data volumes from the current objects and `pod` (labels, annotations), renewing due tokens. */
  refresh(pod: V1Pod): Promise<void> {
    return this.#serial(() => this.#refresh(pod));
  }

  async #refresh(pod: V1Pod): Promise<void> {
    const nodeName = this.#pod.spec?.nodeName;
    this.#pod = pod.spec?.nodeName || !nodeName ? pod : { ...pod, spec: { ...pod.spec!, nodeName } };
    const failures: VolumeFailure[] = [];
    for (const v of this.#pod.spec?.volumes ?? []) {
      const kind = kindOf(v);
      if (!kind || !apiKinds.has(kind) || !this.#ready.has(v.name)) continue;
      try {
        const changed = await this.#write(this.#dir(kind, v.name), await this.#payload(v, kind));
        if (changed) this.#log?.debug({ volume: v.name }, 'volume updated');
      } catch (err) {
        failures.push(this.#failure(v.name, err));
      }
    }
    if (failures.length > 0) throw new VolumeSetUpError(failures);
  }

  /** When (ms since epoch) a projected token is due for renewal; the kubelet calls refresh() then. */
  nextRefresh(): number | undefined {
    return this.#tokens.nextRefresh();
  }

  /** Names of the pod's volumes that are set up. */
  readyVolumes(): string[] {
    return [...this.#ready.keys()];
  }

  /**
   * The CRI mounts of one container. `env` is the container's resolved environment, used by
   * subPathExpr. Throws MountError (CreateContainerConfigError) for a bad mount.
   */
  mounts(container: V1Container, env: readonly { key: string; value: string }[] = []): CriMount[] {
    return containerMounts(container, this.#ready, new Map(env.map((e) => [e.key, e.value])));
  }

  /** Unmounts every mount under the pod's volumes directory and removes it. */
  tearDown(): Promise<void> {
    return this.#serial(() => this.#tearDown());
  }

  async #tearDown(): Promise<void> {
    this.#ready.clear();
    this.#tokens.clear();
    const errors: string[] = [];
    for (const point of await this.#mounter.mountPointsUnder(this.volumesDir)) {
      try {
        await this.#mounter.unmount(point);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    const left = await this.#mounter.mountPointsUnder(this.volumesDir);
    if (left.length > 0) {
      // Never delete recursively through a mount: the files would be someone else's.
      throw new Error(
        `volumes of pod ${this.podDir} still mounted: ${left.join(', ')}; ${errors.join('; ')}`,
      );
    }
    await rm(this.volumesDir, { recursive: true, force: true });
  }

  #failure(volume: string, err: unknown): VolumeFailure {
    const message = err instanceof Error ? err.message : String(err);
    this.#log?.warn({ volume, err: message }, 'volume set-up failed');
    return { volume, message: `MountVolume.SetUp failed for volume "${volume}" : ${message}` };
  }

  async #setUpOne(v: V1Volume): Promise<MountableVolume> {
    const kind = kindOf(v);
    switch (kind) {
      case 'hostPath':
        await checkHostPathType(v.hostPath!.path, v.hostPath!.type);
        return { hostPath: v.hostPath!.path, readOnly: false };
      case 'persistentVolumeClaim': {
        const ref = v.persistentVolumeClaim!;
        const claimed = await resolveClaim(this.#source, this.#namespace, ref);
        return { hostPath: claimed.hostPath, readOnly: ref.readOnly === true };
      }
      case 'emptyDir': {
        const dir = this.#dir(kind, v.name);
        const medium = v.emptyDir!.medium ?? '';
        if (medium !== '' && medium !== 'Memory')
          throw new Error(`emptyDir medium ${medium} is not supported`);
        await mkdir(dir, { recursive: true });
        if (medium === 'Memory')
          await this.#ensureTmpfs(dir, memoryVolumeSize(this.#pod, v.emptyDir!.sizeLimit, this.#allocatable));
        await chmod(dir, 0o777);
        const gid = this.#fsGroup;
        if (gid !== undefined) await applyFsGroup(dir, gid, false);
        return { hostPath: dir, readOnly: false };
      }
      case 'configMap':
      case 'secret':
      case 'downwardAPI':
      case 'projected': {
        const dir = this.#dir(kind, v.name);
        const payload = await this.#payload(v, kind);
        await mkdir(dir, { recursive: true });
        if (kind === 'secret' || kind === 'projected') await this.#ensureTmpfs(dir);
        const gid = this.#fsGroup;
        if (gid !== undefined) await applyFsGroup(dir, gid, true, false);
        await this.#write(dir, payload);
        return { hostPath: dir, readOnly: true };
      }
      default:
        throw new Error(`volume "${v.name}" has a type skiff does not support`);
    }
  }

  get #fsGroup(): number | undefined {
    const gid = this.#pod.spec?.securityContext?.fsGroup;
    return typeof gid === 'number' ? gid : undefined;
  }

  /** Writes an API-data volume, with fsGroup ownership applied before the new files show. */
  #write(dir: string, payload: Payload): Promise<boolean> {
    const gid = this.#fsGroup;
    if (gid === undefined) return writeAtomically(dir, payload);
    const owned: Payload = new Map(
      [...payload].map(([k, f]) => [k, { data: f.data, mode: fsGroupFileMode(f.mode, true) }]),
    );
    const options: WriteOptions = { prepare: (versionDir) => applyFsGroup(versionDir, gid, true) };
    return writeAtomically(dir, owned, options);
  }

  get #namespace(): string {
    return this.#pod.metadata?.namespace ?? 'default';
  }

  async #ensureTmpfs(dir: string, size?: number): Promise<void> {
    if (await this.#mounter.isMountPoint(dir)) return;
    // A fresh tmpfs must start empty: anything written on disk below it would be hidden and leak.
    if ((await readdir(dir)).length > 0)
      await rm(dir, { recursive: true, force: true }).then(() => mkdir(dir));
    await this.#mounter.mountTmpfs(dir, size);
  }

  async #payload(v: V1Volume, kind: Kind): Promise<Payload> {
    const ns = this.#namespace;
    switch (kind) {
      case 'configMap': {
        const { name = '', items, defaultMode = defaultFileMode, optional = false } = v.configMap!;
        return objectPayload(this.#source, 'configmap', ns, name, items, defaultMode, optional);
      }
      case 'secret': {
        const { secretName = '', items, defaultMode = defaultFileMode, optional = false } = v.secret!;
        return objectPayload(this.#source, 'secret', ns, secretName, items, defaultMode, optional);
      }
      case 'downwardAPI':
        return downwardPayload(
          v.downwardAPI!.items,
          this.#pod,
          v.downwardAPI!.defaultMode ?? defaultFileMode,
          this.#allocatable,
        );
      default: {
        const meta = this.#pod.metadata ?? {};
        const identity = {
          namespace: ns,
          serviceAccount: this.#pod.spec?.serviceAccountName || 'default',
          podName: meta.name ?? '',
          podUid: meta.uid ?? '',
        };
        return projectedPayload(
          v.projected!,
          this.#pod,
          this.#source,
          (i, p) => this.#tokens.get(`${v.name}#${i}`, identity, p),
          this.#allocatable,
        );
      }
    }
  }
}
