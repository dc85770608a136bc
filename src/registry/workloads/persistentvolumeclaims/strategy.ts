/** v1 PersistentVolumeClaims: upstream's defaults, ValidatePersistentVolumeClaim{,Update}. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { parseQuantity } from '../shared/quantity.ts';
import { validateLabelSelector } from '../shared/selector.ts';
import {
  specDiff,
  validateAccessModes,
  validateClassName,
  validatePositiveQuantity,
  validateVolumeMode,
} from '../shared/storage.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { child, type Obj, present, same, setDefault, spec, str, view } from '../shared/values.ts';

/** Defaults of a claim, also those in a StatefulSet's volumeClaimTemplates. */
export function defaultClaimTemplate(claim: Obj): void {
  setDefault(child(claim, 'spec'), 'volumeMode', 'Filesystem');
  const status = child(claim, 'status');
  if (!status.phase) status.phase = 'Pending';
}

export function validateClaimSpec(s: Obj, path: string): FieldError[] {
  const errs = validateAccessModes(s, `${path}.accessModes`, 'at least 1 access mode is required');
  errs.push(...validateLabelSelector(s.selector, `${path}.selector`));
  const requests = view(view(s, 'resources'), 'requests');
  // sic: upstream's path for a missing request is `spec.resources[storage]`.
  if (!present(requests.storage)) errs.push(field.required(`${path}.resources[storage]`));
  else errs.push(...validatePositiveQuantity(requests.storage, `${path}.resources[storage]`));
  errs.push(
    ...validateClassName(s, `${path}.storageClassName`),
    ...validateVolumeMode(s, `${path}.volumeMode`),
  );
  return errs;
}

export function validateClaimUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const next = structuredClone(spec(obj));
  const prev = structuredClone(spec(old));
  // The volume is bound once; a bound claim may be resized.
  if (!str(prev.volumeName)) prev.volumeName = next.volumeName;
  const bound = view(obj, 'status').phase === 'Bound';
  if (bound)
    child(child(next, 'resources'), 'requests').storage = view(view(prev, 'resources'), 'requests').storage;
  const errs: FieldError[] = [];
  if (!same(next, prev)) {
    errs.push(
      field.forbidden(
        'spec',
        `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${specDiff('core.PersistentVolumeClaimSpec', prev, next)}`,
      ),
    );
  }
  const size = (o: KubeObject) => parseQuantity(view(view(spec(o), 'resources'), 'requests').storage) ?? 0;
  const capacity = parseQuantity(view(view(old, 'status'), 'capacity').storage) ?? 0;
  // RecoverVolumeExpansionFailure (on in 1.32): a request may shrink back, not below capacity.
  if (size(obj) < size(old) && size(obj) <= capacity)
    errs.push(
      field.forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'),
    );
  return errs;
}

export function persistentVolumeClaimStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    generation: false,
    defaults: (obj) => defaultClaimTemplate(obj),
    validate: (obj) => validateClaimSpec(spec(obj), 'spec'),
    validateUpdate: validateClaimUpdate,
  });
}
