/**
 * Keeps configMap and secret volumes current without polling: one watch on each kind tells
 * which pods of this node mount a changed object, and those pods rewrite their volumes at once
 * (upstream's kubelet waits for its next periodic sync, up to a minute and more).
 */
import { CoreV1Api, type KubeConfig, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import type pino from 'pino';
import { keyOf, Reflector } from '../../sim/reflector.ts';

/** The cache keys (as ApiObjectSource's) of the configMaps and secrets a pod's volumes show. */
export function volumeObjectKeys(pod: V1Pod): string[] {
  const ns = pod.metadata?.namespace ?? 'default';
  const keys = new Set<string>();
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap?.name) keys.add(`cm/${ns}/${v.configMap.name}`);
    if (v.secret?.secretName) keys.add(`secret/${ns}/${v.secret.secretName}`);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap?.name) keys.add(`cm/${ns}/${s.configMap.name}`);
      if (s.secret?.name) keys.add(`secret/${ns}/${s.secret.name}`);
    }
  }
  return [...keys];
}

export class VolumeObjectWatch {
  /** object key → uids of the pods mounting it. */
  private readonly mounts = new Map<string, Set<string>>();
  private readonly byPod = new Map<string, string[]>();
  private readonly reflectors: Reflector<KubernetesObject>[];
  private readonly log: pino.Logger;

  constructor(kc: KubeConfig, log: pino.Logger, changed: (key: string, pods: string[]) => void) {
    this.log = log;
    const core = kc.makeApiClient(CoreV1Api);
    const notify = (prefix: string) => (o: KubernetesObject) => {
      const key = `${prefix}/${keyOf(o)}`;
      const pods = this.mounts.get(key);
      if (pods?.size) changed(key, [...pods]);
    };
    const watch = (prefix: string, path: string, list: () => Promise<{ items: KubernetesObject[] }>) =>
      new Reflector<KubernetesObject>({
        kc,
        path,
        list,
        // Only keys are kept; an object is reported only when a pod here mounts it.
        filter: () => true,
        upsert: notify(prefix),
        remove: (_key, o) => {
          if (o) notify(prefix)(o);
        },
        log,
      });
    this.reflectors = [
      watch('cm', '/api/v1/configmaps', () => core.listConfigMapForAllNamespaces()),
      watch('secret', '/api/v1/secrets', () => core.listSecretForAllNamespaces()),
    ];
  }

  start(): void {
    for (const r of this.reflectors)
      r.start().catch((e: unknown) =>
        this.log.warn({ err: String(e) }, 'cannot watch volume objects; volumes refresh every minute'),
      );
  }

  stop(): void {
    for (const r of this.reflectors) r.stop();
  }

  /** Records (again) which objects the pod mounts. */
  track(uid: string, pod: V1Pod): void {
    this.untrack(uid);
    const keys = volumeObjectKeys(pod);
    if (keys.length === 0) return;
    this.byPod.set(uid, keys);
    for (const k of keys) {
      const pods = this.mounts.get(k) ?? new Set<string>();
      this.mounts.set(k, pods);
      pods.add(uid);
    }
  }

  untrack(uid: string): void {
    for (const k of this.byPod.get(uid) ?? []) {
      const pods = this.mounts.get(k);
      pods?.delete(uid);
      if (pods?.size === 0) this.mounts.delete(k);
    }
    this.byPod.delete(uid);
  }
}
