/**
 * The CustomResourceDefinition strategy (apiextensions' registry/customresourcedefinition): status
 * belongs to the controller, storedVersions records every storage version, generation follows spec,
 * and deleting a CRD first adds the cleanup finalizer and the Terminating condition, so its custom
 * resources are removed before it goes.
 */
import type { KubeObject } from '../../api/object.ts';
import type { ResourceInfo } from '../resource.ts';
import { genericStrategy, keepAllBut, type Strategy } from '../strategy.ts';
import { isConditionTrue, setCondition } from './conditions.ts';
import { deepEqual } from './schema-util.ts';
import { type CustomResourceDefinition, cleanupFinalizer } from './types.ts';
import { validateCRD, validateCRDUpdate } from './validation.ts';

const asCRD = (o: KubeObject) => o as CustomResourceDefinition;

function storageVersion(crd: CustomResourceDefinition): string | undefined {
  return crd.spec?.versions?.find((v) => v.storage)?.name;
}

function recordStoredVersion(crd: CustomResourceDefinition): void {
  const v = storageVersion(crd);
  crd.status ??= {};
  crd.status.storedVersions ??= [];
  if (v !== undefined && !crd.status.storedVersions.includes(v)) crd.status.storedVersions.push(v);
}

/** v1's defaulting: singular and listKind from kind, conversion None, explicit served/storage. */
export function defaultCRD(crd: CustomResourceDefinition): void {
  const spec = crd.spec;
  if (!spec) return;
  const names = spec.names;
  if (names?.kind) {
    if (!names.singular) names.singular = names.kind.toLowerCase();
    if (!names.listKind) names.listKind = `${names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
  for (const v of spec.versions ?? []) {
    v.served ??= false;
    v.storage ??= false;
  }
  if (crd.status && (crd.status.storedVersions ?? []).length === 0) {
    const v = storageVersion(crd);
    if (v !== undefined) crd.status.storedVersions = [v];
  }
}

export function crdStrategy(info: ResourceInfo): Strategy {
  return genericStrategy(info, {
    prepareForCreate(obj) {
      const crd = asCRD(obj);
      crd.status = { acceptedNames: { plural: '', kind: '' }, storedVersions: [] };
      recordStoredVersion(crd);
      crd.metadata.generation = 1;
    },
    prepareForUpdate(obj, old) {
      const crd = asCRD(obj);
      const before = asCRD(old);
      if (before.status === undefined) delete crd.status;
      else crd.status = structuredClone(before.status);
      const generation = old.metadata.generation ?? 1;
      const changed = !deepEqual(crd.spec ?? null, before.spec ?? null);
      crd.metadata.generation = changed ? generation + 1 : generation;
      recordStoredVersion(crd);
    },
    prepareForSubresourceUpdate(_subresource, obj, old) {
      // A status write may change status and, as upstream allows it, the finalizers.
      const finalizers = obj.metadata.finalizers;
      keepAllBut(
        obj,
        old,
        (o) => o.status,
        (o, v) => {
          o.status = v;
        },
      );
      if (finalizers === undefined || finalizers.length === 0) delete obj.metadata.finalizers;
      else obj.metadata.finalizers = finalizers;
    },
    applyDefaults: (obj) => defaultCRD(asCRD(obj)),
    validate: (obj) => validateCRD(asCRD(obj)),
    validateUpdate: (obj, old) =>
      validateCRDUpdate(asCRD(obj), asCRD(old), isConditionTrue(asCRD(old), 'Established')),
    pendingFinalizers(obj) {
      const finalizers = obj.metadata.finalizers ?? [];
      if (obj.metadata.deletionTimestamp || finalizers.includes(cleanupFinalizer)) return finalizers;
      return [...finalizers, cleanupFinalizer];
    },
    prepareForDelete(obj) {
      if (obj.metadata.deletionTimestamp) return;
      const finalizers = obj.metadata.finalizers ?? [];
      if (!finalizers.includes(cleanupFinalizer)) obj.metadata.finalizers = [...finalizers, cleanupFinalizer];
      setCondition(asCRD(obj), {
        type: 'Terminating',
        status: 'True',
        reason: 'InstanceDeletionPending',
        message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
      });
    },
  });
}
