/** v1 LimitRanges: the main rules of upstream's ValidateLimitRange. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import { qualifiedNameErrors } from '../../../api/selectors/validation.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { parseQuantity, quantityFormatError } from '../shared/quantity.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { type Obj, objects, spec, str, view } from '../shared/values.ts';

const limitTypes = ['Pod', 'Container', 'PersistentVolumeClaim'];
const containerResources = ['cpu', 'memory', 'ephemeral-storage'];

function validateResourceName(type: string, name: string, path: string): FieldError[] {
  const errs = qualifiedNameErrors(name).map((msg) => field.invalid(path, name, msg));
  if (errs.length > 0 || name.includes('/')) return errs;
  if (
    (type === 'Pod' || type === 'Container') &&
    !containerResources.includes(name) &&
    !name.startsWith('hugepages-')
  )
    return [field.invalid(path, name, 'must be a standard resource for containers')];
  return [];
}

function validateLimit(limit: Obj, path: string, seen: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(limit.type);
  errs.push(...qualifiedNameErrors(type).map((msg) => field.invalid(`${path}.type`, type, msg)));
  if (errs.length === 0 && !type.includes('/') && !limitTypes.includes(type))
    errs.push(field.invalid(`${path}.type`, type, 'must be a standard limit type or fully qualified'));
  if (seen.has(type)) errs.push(field.duplicate(`${path}.type`, type));
  seen.add(type);
  const values: Record<string, Record<string, number>> = {};
  for (const kind of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) {
    const map = view(limit, kind);
    if (type === 'Pod' && (kind === 'default' || kind === 'defaultRequest')) {
      if (Object.keys(map).length > 0)
        errs.push(field.forbidden(`${path}.${kind}`, "may not be specified when `type` is 'Pod'"));
      continue;
    }
    values[kind] = {};
    for (const [name, q] of Object.entries(map)) {
      const at = `${path}.${kind}[${name}]`;
      errs.push(...validateResourceName(type, name, at));
      const n = parseQuantity(q);
      if (n === undefined) errs.push(field.invalid(at, String(q), quantityFormatError));
      else values[kind]![name] = n;
    }
  }
  if (
    type === 'PersistentVolumeClaim' &&
    !('storage' in view(limit, 'min')) &&
    !('storage' in view(limit, 'max'))
  )
    errs.push(
      field.required(
        `${path}.limits`,
        'either minimum or maximum storage value is required, but neither was provided',
      ),
    );
  const text = (kind: string, name: string) => String(view(limit, kind)[name]);
  for (const name of Object.keys(values.min ?? {})) {
    const max = values.max?.[name];
    if (max !== undefined && values.min![name]! > max)
      errs.push(
        field.invalid(
          `${path}.min[${name}]`,
          text('min', name),
          `min value ${text('min', name)} is greater than max value ${text('max', name)}`,
        ),
      );
  }
  for (const [name, ratio] of Object.entries(values.maxLimitRequestRatio ?? {})) {
    if (ratio < 1)
      errs.push(
        field.invalid(
          `${path}.maxLimitRequestRatio[${name}]`,
          text('maxLimitRequestRatio', name),
          `ratio ${text('maxLimitRequestRatio', name)} is less than 1`,
        ),
      );
  }
  return errs;
}

export function validateLimitRange(obj: KubeObject): FieldError[] {
  const seen = new Set<string>();
  return objects(spec(obj).limits).flatMap((limit, i) => validateLimit(limit, `spec.limits[${i}]`, seen));
}

export function limitRangeStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, { validate: validateLimitRange });
}
