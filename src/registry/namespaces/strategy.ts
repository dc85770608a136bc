import { field } from '../../api/field-errors.ts';
import { isObject, type KubeObject } from '../../api/object.ts';
import type { ResourceInfo } from '../resource.ts';
import { genericStrategy, keepAllBut, type Strategy } from '../strategy.ts';

/** The finalizer the namespace controller removes once the namespace is empty. */
export const namespaceFinalizer = 'kubernetes';

function spec(obj: KubeObject): { finalizers?: string[] } {
  if (!isObject(obj.spec)) obj.spec = {};
  return obj.spec as { finalizers?: string[] };
}

function phase(obj: KubeObject, value: 'Active' | 'Terminating'): void {
  obj.status = { ...(isObject(obj.status) ? obj.status : {}), phase: value };
}

/**
 * Namespaces: Active on create with the `kubernetes` finalizer in spec; deleting one turns it
 * Terminating until the namespace controller has emptied it and removed that finalizer
 * (through the finalize subresource).
 */
export function namespaceStrategy(info: ResourceInfo): Strategy {
  const base = genericStrategy(info);
  return {
    ...base,
    prepareForCreate(obj) {
      spec(obj).finalizers = [namespaceFinalizer];
      phase(obj, 'Active');
    },
    prepareForSubresourceUpdate(subresource, obj, old) {
      if (subresource !== 'finalize') return base.prepareForSubresourceUpdate(subresource, obj, old);
      const finalizers = spec(obj).finalizers ?? [];
      keepAllBut(
        obj,
        old,
        (o) => o.spec,
        (o) => {
          o.spec = { ...spec(o), finalizers };
        },
      );
    },
    prepareForUpdate(obj, old) {
      // spec.finalizers only change through /finalize; status through /status.
      spec(obj).finalizers = spec(old).finalizers ?? [];
      obj.status = old.status;
    },
    validate(obj) {
      const errs = [];
      for (const [i, f] of (spec(obj).finalizers ?? []).entries()) {
        if (typeof f !== 'string' || f === '')
          errs.push(field.invalid(`spec.finalizers[${i}]`, f, 'must be a name'));
      }
      return errs;
    },
    selectableFields: (obj) => ({
      'metadata.name': obj.metadata.name ?? '',
      'status.phase': String((obj.status as { phase?: string } | undefined)?.phase ?? ''),
    }),
    pendingFinalizers: (obj) => [...(obj.metadata.finalizers ?? []), ...(spec(obj).finalizers ?? [])],
    prepareForDelete(obj) {
      phase(obj, 'Terminating');
    },
  };
}
