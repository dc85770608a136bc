/** v1 ConfigMaps: upstream's ValidateConfigMap{,Update}. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { isObject, type KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { decodedSize, maxDataBytes, validateImmutable, validateKeys } from '../shared/bytes-fields.ts';
import { kindStrategy } from '../shared/strategy.ts';

export function validateConfigMap(obj: KubeObject): FieldError[] {
  const data = isObject(obj.data) ? obj.data : {};
  const binary = isObject(obj.binaryData) ? obj.binaryData : {};
  const errs = validateKeys(data, 'data');
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    if (k in binary) errs.push(field.invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(typeof v === 'string' ? v : '');
  }
  errs.push(...validateKeys(binary, 'binaryData'));
  total += decodedSize(obj, 'binaryData');
  // The error is about the whole object, so upstream gives it an empty path.
  if (total > maxDataBytes) errs.push(field.tooLong('', maxDataBytes));
  return errs;
}

export function configMapStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    prepareForCreate: (obj) => void decodedSize(obj, 'binaryData'),
    prepareForUpdate: (obj) => void decodedSize(obj, 'binaryData'),
    validate: validateConfigMap,
    validateUpdate: (obj, old) => validateImmutable(obj, old, ['data', 'binaryData']),
  });
}
