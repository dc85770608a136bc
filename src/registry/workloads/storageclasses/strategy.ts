/** storage.k8s.io/v1 StorageClasses: upstream's defaults and ValidateStorageClass{,Update}. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { isObject, type KubeObject } from '../../../api/object.ts';
import { qualifiedNameErrors } from '../../../api/selectors/validation.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { immutable, present, same, str } from '../shared/values.ts';

export function defaultStorageClass(obj: KubeObject): void {
  if (!present(obj.reclaimPolicy)) obj.reclaimPolicy = 'Delete';
  if (!present(obj.volumeBindingMode)) obj.volumeBindingMode = 'Immediate';
}

export function validateStorageClass(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const provisioner = str(obj.provisioner);
  if (provisioner === '') errs.push(field.required('provisioner'));
  else {
    const lower = provisioner.toLowerCase();
    errs.push(...qualifiedNameErrors(lower).map((msg) => field.invalid('provisioner', lower, msg)));
  }
  const params = isObject(obj.parameters) ? obj.parameters : {};
  const keys = Object.keys(params);
  if (keys.length > 512)
    errs.push(
      field.invalid(
        'parameters',
        'Provisioner Parameters exceeded max allowed',
        'must have at most 512 parameters',
      ),
    );
  else {
    let size = 0;
    for (const k of keys) {
      if (k.length < 1) errs.push(field.invalid('parameters', k, 'field can not be empty.'));
      size += Buffer.byteLength(k) + Buffer.byteLength(String(params[k] ?? ''));
    }
    if (size > 256 * 1024) errs.push(field.tooLong('parameters', 256 * 1024));
  }
  const reclaim = str(obj.reclaimPolicy);
  if (reclaim && !['Delete', 'Retain'].includes(reclaim))
    errs.push(field.notSupported('reclaimPolicy', reclaim, ['Delete', 'Retain']));
  const binding = str(obj.volumeBindingMode);
  if (!present(obj.volumeBindingMode)) errs.push(field.required('volumeBindingMode'));
  else if (!['Immediate', 'WaitForFirstConsumer'].includes(binding))
    errs.push(field.notSupported('volumeBindingMode', binding, ['Immediate', 'WaitForFirstConsumer']));
  return errs;
}

export function validateStorageClassUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!same(obj.parameters, old.parameters))
    errs.push(field.forbidden('parameters', 'updates to parameters are forbidden.'));
  if (str(obj.provisioner) !== str(old.provisioner))
    errs.push(field.forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (str(obj.reclaimPolicy) !== str(old.reclaimPolicy))
    errs.push(field.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...immutable(obj.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
  return errs;
}

export function storageClassStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    defaults: defaultStorageClass,
    validate: validateStorageClass,
    validateUpdate: validateStorageClassUpdate,
  });
}
