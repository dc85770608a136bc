/**
 * ControllerRevisions as upstream's controller/history and the StatefulSet and DaemonSet
 * controllers write them: the template as a `$patch: replace` strategic merge patch, named
 * `<owner>-<hash>`, numbered, with collisions resolved by a counter mixed into the hash.
 */
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import type { ResourceStore } from '../../registry/store.ts';
import { safeEncodeString } from '../util/hash.ts';
import type { PodTemplate } from '../util/types.ts';

export const controllerRevisionHashLabel = 'controller.kubernetes.io/hash';

export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision: number;
}

/** Go's json.Marshal of a decoded map: keys sorted at every level, HTML characters escaped. */
export function goJson(v: unknown): string {
  const sorted = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sorted);
    if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .sort()
          .map((k) => [k, sorted(o[k])]),
      );
    }
    return x;
  };
  return JSON.stringify(sorted(v))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** getPatch: `{"spec":{"template":{…,"$patch":"replace"}}}` of a StatefulSet or DaemonSet. */
export function templatePatch(template: PodTemplate | undefined): string {
  return goJson({ spec: { template: { ...(template ?? {}), $patch: 'replace' } } });
}

/** The template a revision records (ApplyRevision's result for spec.template). */
export function templateOf(revision: ControllerRevision): PodTemplate {
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const t = { ...(data?.spec?.template ?? {}) };
  delete t.$patch;
  return structuredClone(t) as PodTemplate;
}

/** FNV-1 (not 1a), as Go's hash/fnv New32. */
export function fnv32(data: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (const b of data) h = (Math.imul(h, 0x01000193) ^ b) >>> 0;
  return h >>> 0;
}

/** HashControllerRevision: FNV-1 of the raw data, then the collision count in decimal. */
export function hashRevision(raw: string, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32(enc.encode(raw));
  if (collisionCount !== undefined) h = fnv32(enc.encode(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

/** ControllerRevisionName: the prefix cut to 223 characters, a dash, the hash. */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

export const rawOf = (r: ControllerRevision) => goJson(r.data ?? null);

export function sortRevisions(revs: ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort(
    (a, b) => a.revision - b.revision || a.metadata.name!.localeCompare(b.metadata.name!),
  );
}

export function nextRevision(revs: readonly ControllerRevision[]): number {
  return revs.reduce((m, r) => Math.max(m, r.revision), 0) + 1;
}

/**
 * Creates a revision, or returns the existing one with the same data; a name taken by other
 * data bumps the collision count and tries the next name (CreateControllerRevision).
 */
export async function createRevision(
  store: ResourceStore,
  build: (collisionCount: number) => ControllerRevision,
  collisionCount: { value: number },
): Promise<ControllerRevision> {
  for (;;) {
    const rev = build(collisionCount.value);
    try {
      return (await store.create(rev.metadata.namespace, rev)) as ControllerRevision;
    } catch (e) {
      if (!(isStatusError(e) && e.code === 409)) throw e;
      const existing = (await store.get(rev.metadata.namespace, rev.metadata.name!)) as ControllerRevision;
      if (rawOf(existing) === rawOf(rev)) return existing;
      collisionCount.value++;
    }
  }
}

/** A revision object (NewControllerRevision) before naming. */
export function newRevisionObject(
  owner: KubeObject,
  ref: OwnerReference,
  labels: Record<string, string> | undefined,
  raw: string,
  revision: number,
): ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      namespace: owner.metadata.namespace,
      labels: { ...labels },
      ...(owner.metadata.annotations ? { annotations: { ...owner.metadata.annotations } } : {}),
      ownerReferences: [ref],
    },
    data: JSON.parse(raw),
    revision,
  };
}
