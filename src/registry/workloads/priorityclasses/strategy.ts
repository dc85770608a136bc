/** scheduling.k8s.io/v1 PriorityClasses: upstream's defaults and ValidatePriorityClass{,Update}. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { immutable, num, present, str } from '../shared/values.ts';

const highestUserDefinable = 1_000_000_000;
const systemClasses: Record<string, number> = {
  'system-node-critical': 2_000_001_000,
  'system-cluster-critical': 2_000_000_000,
};
const preemptionPolicies = ['Never', 'PreemptLowerPriority'];

export function defaultPriorityClass(obj: KubeObject): void {
  // value is a plain int32 upstream: leaving it out means 0.
  if (!present(obj.value)) obj.value = 0;
  if (!present(obj.preemptionPolicy)) obj.preemptionPolicy = 'PreemptLowerPriority';
}

/** upstream's IsKnownSystemPriorityClass error. */
function systemClassError(name: string, value: number, globalDefault: boolean): string | undefined {
  const want = systemClasses[name];
  if (want === undefined) return `${name} is not a known system priority class`;
  if (value !== want) return `value of ${name} PriorityClass must be ${want}`;
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

export function validatePriorityClass(obj: KubeObject): FieldError[] {
  const name = obj.metadata.name ?? '';
  const value = num(obj.value) ?? 0;
  const errs: FieldError[] = [];
  if (name.startsWith('system-')) {
    const err = systemClassError(name, value, obj.globalDefault === true);
    if (err)
      errs.push(
        field.forbidden(
          'metadata.name',
          `priority class names with 'system-' prefix are reserved for system use only. error: ${err}`,
        ),
      );
  } else if (value > highestUserDefinable) {
    errs.push(
      field.forbidden('value', `maximum allowed value of a user defined priority is ${highestUserDefinable}`),
    );
  }
  const policy = str(obj.preemptionPolicy);
  if (present(obj.preemptionPolicy) && !preemptionPolicies.includes(policy))
    errs.push(field.notSupported('preemptionPolicy', policy, preemptionPolicies));
  return errs;
}

export function validatePriorityClassUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (num(obj.value) !== num(old.value))
    errs.push(field.forbidden('value', 'may not be changed in an update.'));
  errs.push(...immutable(obj.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy'));
  return errs;
}

export function priorityClassStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    defaults: defaultPriorityClass,
    validate: validatePriorityClass,
    validateUpdate: validatePriorityClassUpdate,
  });
}
