/** coordination.k8s.io/v1 Leases: upstream's ValidateLease. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { num, spec } from '../shared/values.ts';

export function validateLease(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const errs: FieldError[] = [];
  const duration = num(s.leaseDurationSeconds);
  if (duration !== undefined && duration <= 0)
    errs.push(field.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = num(s.leaseTransitions);
  if (transitions !== undefined && transitions < 0)
    errs.push(field.invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  return errs;
}

export function leaseStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, { validate: validateLease });
}
