import type { ResourceInfo } from './resource.ts';

/**
 * Storage keys, as kube-apiserver lays them out in etcd: `/registry/<group>/<plural>/<ns>/<name>`
 * (the core group is `core`; cluster-scoped objects have no namespace segment).
 */
export function resourcePrefix(info: ResourceInfo): string {
  return `/registry/${info.group || 'core'}/${info.plural}/`;
}

export function objectKey(info: ResourceInfo, namespace: string | undefined, name: string): string {
  return info.namespaced ? `${resourcePrefix(info)}${namespace}/${name}` : `${resourcePrefix(info)}${name}`;
}

/** The prefix of a list: one namespace, or every object of the resource. */
export function listPrefix(info: ResourceInfo, namespace: string | undefined): string {
  return info.namespaced && namespace ? `${resourcePrefix(info)}${namespace}/` : resourcePrefix(info);
}
