import { dns1123Label, dns1123Subdomain, type NameValidator, pathSegmentName } from '../api/names.ts';
import { type InformerHandle, sharedInformers } from '../client/shared.ts';
import type { Backend } from '../storage/types.ts';
import { CachedReads } from './admission/cached-reads.ts';
import { namespaceLifecycle } from './admission/namespace-lifecycle.ts';
import { builtinResources } from './catalogue.ts';
import { crdStrategy } from './crd/index.ts';
import { eventStrategy } from './events/strategy.ts';
import { namespaceStrategy } from './namespaces/strategy.ts';
import { nodeStrategy } from './nodes/strategy.ts';
import { podStrategies } from './pods/index.ts';
import { priorityAdmission } from './pods/priority-admission.ts';
import type { ResourceInfo } from './resource.ts';
import { ResourceStore } from './store.ts';
import { genericStrategy, type Strategy } from './strategy.ts';
import { addServedVersions } from './versions/index.ts';
import { dns1035Label, workloadStrategies } from './workloads/index.ts';

/** Per-resource choices beside the generic ones, keyed `<group>/<plural>`. */
export interface ResourceOverrides {
  strategy?: (info: ResourceInfo) => Strategy;
  validateName?: NameValidator;
}

const overrides: Record<string, ResourceOverrides> = {
  '/namespaces': { validateName: dns1123Label, strategy: namespaceStrategy },
  '/services': { validateName: dns1035Label },
  'apps/statefulsets': { validateName: dns1123Label },
  '/events': { strategy: eventStrategy },
  '/nodes': { strategy: nodeStrategy },
  'rbac.authorization.k8s.io/roles': { validateName: pathSegmentName },
  'rbac.authorization.k8s.io/rolebindings': { validateName: pathSegmentName },
  'rbac.authorization.k8s.io/clusterroles': { validateName: pathSegmentName },
  'rbac.authorization.k8s.io/clusterrolebindings': { validateName: pathSegmentName },
  'apiextensions.k8s.io/customresourcedefinitions': { strategy: crdStrategy },
};

export const resourceId = (group: string, plural: string) => `${group}/${plural}`;

const strategies: Record<string, (info: ResourceInfo) => Strategy> = {
  ...podStrategies,
  ...workloadStrategies,
};

/** Every served resource's store, found by group, version and plural. */
export class Registry {
  private readonly stores = new Map<string, ResourceStore>();
  readonly backend: Backend;
  /** The reads admission makes per create: store reads until startAdmissionCaches(). */
  private readonly namespaceReads: CachedReads | undefined;
  private readonly priorityClassReads: CachedReads | undefined;
  private admissionInformers: InformerHandle[] = [];

  constructor(backend: Backend, resources: readonly ResourceInfo[] = builtinResources) {
    this.backend = backend;
    for (const info of resources) this.add(info);
    if (resources === builtinResources) addServedVersions(this);
    const nsStore = this.byResource('', 'namespaces');
    this.namespaceReads = nsStore ? new CachedReads(nsStore) : undefined;
    const pods = this.byResource('', 'pods');
    const classes = this.byResource('scheduling.k8s.io', 'priorityclasses');
    this.priorityClassReads = classes ? new CachedReads(classes) : undefined;
    if (pods && this.priorityClassReads) pods.admit = priorityAdmission(this.priorityClassReads, pods.admit);
  }

  /**
   * Serves admission's per-create reads (Namespaces, PriorityClasses) from shared informers
   * from now on; resolves once their caches are filled. The server's controllers start this.
   */
  async startAdmissionCaches(): Promise<void> {
    if (this.admissionInformers.length > 0) return;
    const pairs: [CachedReads | undefined, ResourceStore | undefined][] = [
      [this.namespaceReads, this.byResource('', 'namespaces')],
      [this.priorityClassReads, this.byResource('scheduling.k8s.io', 'priorityclasses')],
    ];
    for (const [reads, store] of pairs) {
      if (!reads || !store) continue;
      const informer = sharedInformers(this).forStore(store);
      this.admissionInformers.push(informer);
      reads.useInformer(informer);
    }
    await Promise.all(this.admissionInformers.map((i) => i.start()));
  }

  stopAdmissionCaches(): void {
    this.namespaceReads?.useInformer(undefined);
    this.priorityClassReads?.useInformer(undefined);
    for (const i of this.admissionInformers) i.stop();
    this.admissionInformers = [];
  }

  /** Admission every namespaced store runs before it writes. */
  private admitNamespaced(store: ResourceStore): void {
    if (!store.info.namespaced || !this.byResource('', 'namespaces')) return;
    const lifecycle = namespaceLifecycle((name) =>
      this.namespaceReads
        ? this.namespaceReads.get(name)
        : this.byResource('', 'namespaces')!.get(undefined, name),
    );
    store.admit = async (op, obj) => {
      if (op === 'create') await lifecycle(obj.metadata.namespace);
    };
  }

  add(info: ResourceInfo, strategy?: Strategy): ResourceStore {
    const o = overrides[resourceId(info.group, info.plural)] ?? {};
    const store = new ResourceStore(
      this.backend,
      info,
      strategy ??
        o.strategy?.(info) ??
        strategies[resourceId(info.group, info.plural)]?.(info) ??
        genericStrategy(info),
      o.validateName ?? dns1123Subdomain,
    );
    this.stores.set(`${info.group}/${info.version}/${info.plural}`, store);
    this.admitNamespaced(store);
    return store;
  }

  remove(group: string, version: string, plural: string): void {
    this.stores.delete(`${group}/${version}/${plural}`);
  }

  find(group: string, version: string, plural: string): ResourceStore | undefined {
    return this.stores.get(`${group}/${version}/${plural}`);
  }

  /** The store of a resource in whichever version is served (for internal clients). */
  byResource(group: string, plural: string): ResourceStore | undefined {
    for (const s of this.stores.values()) if (s.info.group === group && s.info.plural === plural) return s;
    return undefined;
  }

  all(): ResourceStore[] {
    return [...this.stores.values()];
  }
}
