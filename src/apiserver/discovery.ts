import type { Registry } from '../registry/registry.ts';
import type { ResourceInfo } from '../registry/resource.ts';
import { metricsAggregatedGroup, metricsApiGroup } from './metrics-api/discovery.ts';

/** Subresources served so far, with their verbs and the kind they answer with. */
const subresourceVerbs: Record<
  string,
  { verbs: string[]; kind?: { group: string; version: string; kind: string } }
> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { verbs: ['get', 'patch', 'update'], kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
  binding: { verbs: ['create'], kind: { group: '', version: 'v1', kind: 'Binding' } },
  eviction: { verbs: ['create'], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } },
  token: { verbs: ['create'], kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' } },
  log: { verbs: ['get'], kind: { group: '', version: 'v1', kind: 'Pod' } },
  exec: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodExecOptions' } },
  attach: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodAttachOptions' } },
  portforward: {
    verbs: ['create', 'get'],
    kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' },
  },
};

export const aggregatedV2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const aggregatedV2beta1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** Which aggregated discovery the Accept header asks for, if any. */
export function aggregatedVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    const p = part.replace(/\s/g, '');
    if (!p.includes('as=APIGroupDiscoveryList') || !p.includes('g=apidiscovery.k8s.io')) continue;
    if (p.includes('v=v2beta1')) return 'v2beta1';
    if (p.includes('v=v2')) return 'v2';
  }
  return undefined;
}

interface GroupVersions {
  name: string;
  versions: string[];
}

/** Groups in the order upstream lists them (core first), each with its versions. */
export function groupsOf(registry: Registry): GroupVersions[] {
  const groups = new Map<string, string[]>();
  for (const s of registry.all()) {
    const versions = groups.get(s.info.group) ?? [];
    if (!versions.includes(s.info.version)) versions.push(s.info.version);
    groups.set(s.info.group, versions);
  }
  return [...groups].map(([name, versions]) => ({ name, versions }));
}

function resourcesOf(registry: Registry, group: string, version: string): ResourceInfo[] {
  return registry
    .all()
    .map((s) => s.info)
    .filter((i) => i.group === group && i.version === version);
}

export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(g: GroupVersions) {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

/** `metrics`: whether metrics.k8s.io is served (its routes live in metrics-api/). */
export function apiGroupList(registry: Registry, metrics = false) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [
      ...groupsOf(registry)
        .filter((g) => g.name !== '')
        .map(apiGroup),
      ...(metrics ? [metricsApiGroup()] : []),
    ],
  };
}

export function apiGroupDoc(registry: Registry, group: string) {
  const g = groupsOf(registry).find((x) => x.name === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) } : undefined;
}

/** The legacy per-group-version document: /api/v1, /apis/<group>/<version>. */
export function apiResourceList(registry: Registry, group: string, version: string) {
  const infos = resourcesOf(registry, group, version);
  if (infos.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const i of infos) {
    resources.push({
      name: i.plural,
      singularName: i.singular,
      namespaced: i.namespaced,
      kind: i.kind,
      verbs: i.verbs,
      ...(i.shortNames.length ? { shortNames: i.shortNames } : {}),
      ...(i.categories.length ? { categories: i.categories } : {}),
    });
    for (const sub of i.subresources) {
      const s = subresourceVerbs[sub];
      if (!s) continue;
      resources.push({
        name: `${i.plural}/${sub}`,
        singularName: '',
        namespaced: i.namespaced,
        ...(s.kind ? { group: s.kind.group, version: s.kind.version } : {}),
        kind: s.kind?.kind ?? i.kind,
        verbs: s.verbs,
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

function discoveryResource(i: ResourceInfo) {
  const subresources = i.subresources
    .filter((sub) => subresourceVerbs[sub])
    .map((sub) => {
      const s = subresourceVerbs[sub]!;
      return {
        subresource: sub,
        responseKind: s.kind ?? { group: i.group, version: i.version, kind: i.kind },
        verbs: s.verbs,
      };
    });
  return {
    resource: i.plural,
    responseKind: { group: i.group, version: i.version, kind: i.kind },
    scope: i.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: i.singular,
    verbs: i.verbs,
    ...(i.shortNames.length ? { shortNames: i.shortNames } : {}),
    ...(i.categories.length ? { categories: i.categories } : {}),
    ...(subresources.length ? { subresources } : {}),
  };
}

/** Aggregated discovery: the core group for /api, every other group for /apis. */
export function aggregatedDiscovery(
  registry: Registry,
  core: boolean,
  version: 'v2' | 'v2beta1',
  metrics = false,
) {
  const items = groupsOf(registry)
    .filter((g) => (g.name === '') === core)
    .map((g) => ({
      metadata: { name: g.name },
      versions: g.versions.map((v) => ({
        version: v,
        resources: resourcesOf(registry, g.name, v).map(discoveryResource),
        freshness: 'Current',
      })),
    }));
  const all = !core && metrics ? [...items, metricsAggregatedGroup()] : items;
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: all,
  };
}
