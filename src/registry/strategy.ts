import type { FieldError } from '../api/field-errors.ts';
import type { KubeObject } from '../api/object.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import type { ResourceInfo } from './resource.ts';

/**
 * What one resource decides for itself (upstream's RESTCreateStrategy/RESTUpdateStrategy); the
 * generic store owns the order: prepare → default → validate → store.
 */
export interface Strategy {
  /** Clears what a create may not choose (status), sets generation 1. */
  prepareForCreate(obj: KubeObject): void;
  /** Keeps what an update of the main resource may not change (status), bumps generation. */
  prepareForUpdate(obj: KubeObject, old: KubeObject): void;
  /** For a subresource write (status, finalize): keeps all of the old object but that part. */
  prepareForSubresourceUpdate(subresource: string, obj: KubeObject, old: KubeObject): void;
  /** Fills defaults as upstream's defaulting does. */
  applyDefaults(obj: KubeObject): void;
  validate(obj: KubeObject): FieldError[];
  /** `subresource` says which write this is (status, binding, …), undefined for the main one. */
  validateUpdate(obj: KubeObject, old: KubeObject, subresource?: string): FieldError[];
  /** Whether PUT of a missing object creates it (upstream: a few kinds, such as endpoints). */
  readonly allowCreateOnUpdate: boolean;
  /** The field-selector values of an object: `metadata.name`, `spec.nodeName`, … */
  selectableFields(obj: KubeObject): Record<string, string>;
  /**
   * What still holds a deleted object back: its metadata.finalizers, plus whatever the
   * resource adds (a namespace's spec.finalizers). Empty: the object can go.
   */
  pendingFinalizers(obj: KubeObject): string[];
  /** Marks an object being deleted (a namespace turns Terminating). */
  prepareForDelete(obj: KubeObject): void;
  /**
   * Graceful deletion: the seconds an object may take to go, given the grace the client asked
   * for; 0 or undefined deletes it at once (upstream's CheckGracefulDelete; pods use it).
   */
  gracePeriod?(obj: KubeObject, requested: number | undefined): number | undefined;
}

/** Everything but metadata and status: a change here bumps metadata.generation. */
function specPart(obj: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return canonicalJson(rest);
}

export function metadataFields(obj: KubeObject, namespaced: boolean): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (namespaced) fields['metadata.namespace'] = obj.metadata.namespace ?? '';
  return fields;
}

/** Turns `obj` into a copy of `old` except for the one part `get`/`set` name. */
export function keepAllBut(
  obj: KubeObject,
  old: KubeObject,
  get: (o: KubeObject) => unknown,
  set: (o: KubeObject, v: unknown) => void,
): void {
  const part = get(obj);
  for (const key of Object.keys(obj)) delete obj[key];
  Object.assign(obj, structuredClone(old));
  if (part === undefined) delete obj.status;
  else set(obj, part);
}

/**
 * The strategy a resource gets unless its folder says otherwise: resources with a status
 * subresource track generation and keep status out of main-resource writes.
 */
export function genericStrategy(info: ResourceInfo, overrides: Partial<Strategy> = {}): Strategy {
  const hasStatus = info.subresources.includes('status');
  const base: Strategy = {
    prepareForCreate(obj) {
      if (!hasStatus) return;
      delete obj.status;
      obj.metadata.generation = 1;
    },
    prepareForUpdate(obj, old) {
      if (!hasStatus) return;
      if (old.status === undefined) delete obj.status;
      else obj.status = old.status;
      const generation = old.metadata.generation ?? 1;
      obj.metadata.generation = specPart(obj) === specPart(old) ? generation : generation + 1;
    },
    prepareForSubresourceUpdate(subresource, obj, old) {
      // binding and other writer-built subresources arrive as the whole new object.
      if (subresource !== 'status') return;
      // As upstream's status strategies: everything but status comes from the stored object,
      // except metadata, whose changes (annotations, say) a status write may carry; labels
      // stay as stored.
      const meta = obj.metadata;
      keepAllBut(
        obj,
        old,
        (o) => o.status,
        (o, v) => {
          o.status = v;
        },
      );
      obj.metadata = { ...meta, labels: old.metadata.labels };
      if (obj.metadata.labels === undefined) delete obj.metadata.labels;
    },
    applyDefaults() {},
    validate: () => [],
    validateUpdate: () => [],
    allowCreateOnUpdate: false,
    selectableFields: (obj) => metadataFields(obj, info.namespaced),
    pendingFinalizers: (obj) => obj.metadata.finalizers ?? [],
    prepareForDelete() {},
  };
  return { ...base, ...overrides };
}
