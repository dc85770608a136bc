/** policy/v1 PodDisruptionBudgets: upstream's ValidatePodDisruptionBudget. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { goPointer, goValue } from '../shared/go-syntax.ts';
import { notMoreThan100Percent, validateIntOrPercent } from '../shared/int-or-percent.ts';
import { validateLabelSelector } from '../shared/selector.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { present, spec, str } from '../shared/values.ts';

const evictionPolicies = ['AlwaysAllow', 'IfHealthyBudget'];

export function validatePodDisruptionBudget(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const errs: FieldError[] = [];
  if (present(s.minAvailable) && present(s.maxUnavailable)) {
    const shown = `policy.PodDisruptionBudgetSpec{MinAvailable:${goPointer('intstr.IntOrString', s.minAvailable)}, Selector:${goPointer(
      'v1.LabelSelector',
      s.selector,
    )}, MaxUnavailable:${goPointer('intstr.IntOrString', s.maxUnavailable)}, UnhealthyPodEvictionPolicy:${goPointer(
      'policy.UnhealthyPodEvictionPolicyType',
      s.unhealthyPodEvictionPolicy,
    )}}`;
    errs.push(field.invalid('spec', goValue(shown), 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const f of ['minAvailable', 'maxUnavailable']) {
    if (!present(s[f])) continue;
    errs.push(...validateIntOrPercent(s[f], `spec.${f}`), ...notMoreThan100Percent(s[f], `spec.${f}`));
  }
  errs.push(...validateLabelSelector(s.selector, 'spec.selector'));
  const policy = str(s.unhealthyPodEvictionPolicy);
  if (present(s.unhealthyPodEvictionPolicy) && !evictionPolicies.includes(policy))
    errs.push(field.notSupported('spec.unhealthyPodEvictionPolicy', policy, evictionPolicies));
  return errs;
}

export function podDisruptionBudgetStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, { validate: validatePodDisruptionBudget });
}
