/**
 * The indexes controllers share on the shared informers (upstream's cache.NamespaceIndex and the
 * pod-by-node / controller-UID indexers of kube-controller-manager). One name means one
 * function: every controller files objects the same way, so the index is built once.
 */
import type { KubeObject } from '../api/object.ts';
import type { IndexFunc } from './informer.ts';

interface Indexable {
  addIndexer(name: string, fn: IndexFunc): void;
  byIndex(name: string, value: string): KubeObject[];
}

const controllerRef = (o: KubeObject) => o.metadata.ownerReferences?.find((r) => r.controller === true);

export const namespaceIndex = 'namespace';
export const byNamespace: IndexFunc = (o) => [o.metadata.namespace ?? ''];

/** Objects by the UID of the owner reference that has controller: true. */
export const controllerUidIndex = 'controllerUID';
export const byControllerUid: IndexFunc = (o) => {
  const uid = controllerRef(o)?.uid;
  return uid ? [uid] : [];
};

/** Objects without a controller (adoption candidates), by namespace. */
export const orphanNamespaceIndex = 'orphanNamespace';
export const byOrphanNamespace: IndexFunc = (o) => (controllerRef(o) ? [] : [o.metadata.namespace ?? '']);

/** Pods by spec.nodeName (unscheduled pods are in no entry). */
export const nodeNameIndex = 'nodeName';
export const byNodeName: IndexFunc = (o) => {
  const node = (o.spec as { nodeName?: unknown } | undefined)?.nodeName;
  return typeof node === 'string' && node ? [node] : [];
};

export function indexByNamespace(informer: Indexable): void {
  informer.addIndexer(namespaceIndex, byNamespace);
}

export function indexByNodeName(informer: Indexable): void {
  informer.addIndexer(nodeNameIndex, byNodeName);
}

/** The indexes claimObjects' candidates come from: controlled-by and orphans-in-namespace. */
export function indexForClaims(informer: Indexable): void {
  informer.addIndexer(controllerUidIndex, byControllerUid);
  informer.addIndexer(orphanNamespaceIndex, byOrphanNamespace);
}

/**
 * What an owner may claim: the objects it controls plus the orphans in its namespace. Objects
 * another owner controls are left out, as claimObjects would skip them anyway.
 */
export function claimCandidates(informer: Indexable, owner: KubeObject): KubeObject[] {
  const owned = informer.byIndex(controllerUidIndex, owner.metadata.uid ?? '');
  const orphans = informer.byIndex(orphanNamespaceIndex, owner.metadata.namespace ?? '');
  return owned.length === 0 ? orphans : orphans.length === 0 ? owned : [...owned, ...orphans];
}

/** The objects in one namespace. */
export function inNamespace(informer: Indexable, namespace: string | undefined): KubeObject[] {
  return informer.byIndex(namespaceIndex, namespace ?? '');
}

/** The pods bound to one node. */
export function onNode(informer: Indexable, node: string): KubeObject[] {
  return informer.byIndex(nodeNameIndex, node);
}
