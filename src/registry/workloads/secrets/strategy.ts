/** v1 Secrets: stringData folded into data, type defaults, upstream's ValidateSecret{,Update}. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { isObject, type KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { toBase64 } from '../shared/base64.ts';
import { decodedSize, maxDataBytes, validateImmutable, validateKeys } from '../shared/bytes-fields.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { immutable, str } from '../shared/values.ts';
import { jsonObjectError } from './docker-config.ts';

/**
 * Upstream's conversion writes stringData over data (as UTF-8 bytes) and drops it: the API
 * never stores or returns stringData. Bad base64 in data is a 400, as decoding is upstream.
 */
export function foldStringData(obj: KubeObject): void {
  const strings = obj.stringData;
  delete obj.stringData;
  if (isObject(strings) && Object.keys(strings).length > 0) {
    const data = isObject(obj.data) ? obj.data : {};
    for (const [k, v] of Object.entries(strings)) data[k] = toBase64(String(v ?? ''));
    obj.data = data;
  }
  decodedSize(obj, 'data');
}

const dataKey = (k: string) => `data[${k}]`;
const has = (data: Record<string, unknown>, k: string) => k in data;

function validateType(obj: KubeObject, data: Record<string, unknown>): FieldError[] {
  const bytes = (k: string) => Buffer.from(str(data[k]), 'base64');
  const errs: FieldError[] = [];
  const json = (k: string) => {
    if (!has(data, k)) return errs.push(field.required(dataKey(k)));
    const err = jsonObjectError(bytes(k).toString('utf8'));
    if (err) errs.push(field.invalid(dataKey(k), '<secret contents redacted>', err));
  };
  switch (obj.type) {
    case 'kubernetes.io/service-account-token':
      if (!obj.metadata.annotations?.['kubernetes.io/service-account.name'])
        errs.push(field.required('metadata.annotations[kubernetes.io/service-account.name]'));
      break;
    case 'kubernetes.io/dockercfg':
      json('.dockercfg');
      break;
    case 'kubernetes.io/dockerconfigjson':
      json('.dockerconfigjson');
      break;
    case 'kubernetes.io/basic-auth':
      if (!has(data, 'username') && !has(data, 'password'))
        errs.push(field.required(dataKey('username')), field.required(dataKey('password')));
      break;
    case 'kubernetes.io/ssh-auth':
      if (bytes('ssh-privatekey').length === 0) errs.push(field.required(dataKey('ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      if (!has(data, 'tls.crt')) errs.push(field.required(dataKey('tls.crt')));
      if (!has(data, 'tls.key')) errs.push(field.required(dataKey('tls.key')));
      break;
  }
  return errs;
}

export function validateSecret(obj: KubeObject): FieldError[] {
  const data = isObject(obj.data) ? obj.data : {};
  const errs = validateKeys(data, 'data');
  if (decodedSize(obj, 'data') > maxDataBytes) errs.push(field.tooLong('data', maxDataBytes));
  errs.push(...validateType(obj, data));
  return errs;
}

export function secretStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    defaults(obj) {
      if (!obj.type) obj.type = 'Opaque';
    },
    prepareForCreate: foldStringData,
    prepareForUpdate: foldStringData,
    validate: validateSecret,
    validateUpdate: (obj, old) => [
      ...immutable(obj.type, old.type, 'type'),
      ...validateImmutable(obj, old, ['data']),
    ],
    fields: (obj) => ({ type: str(obj.type) }),
  });
}
