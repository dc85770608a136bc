/** autoscaling/v2 HorizontalPodAutoscalers: upstream's defaults and ValidateHorizontalPodAutoscaler. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { pathSegmentName } from '../../../api/names.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { child, list, num, type Obj, present, setDefault, spec, str, view } from '../shared/values.ts';
import { validateBehavior, validateMetrics } from './metrics.ts';

const scaleUpPolicies = () => [
  { type: 'Pods', value: 4, periodSeconds: 15 },
  { type: 'Percent', value: 100, periodSeconds: 15 },
];
const scaleDownPolicies = () => [{ type: 'Percent', value: 100, periodSeconds: 15 }];

function defaultRules(behavior: Obj, key: string, window: number, policies: () => unknown[]): void {
  const rules = child(behavior, key);
  setDefault(rules, 'stabilizationWindowSeconds', window);
  setDefault(rules, 'selectPolicy', 'Max');
  if (list(rules.policies).length === 0) rules.policies = policies();
}

export function defaultHorizontalPodAutoscaler(obj: KubeObject): void {
  const s = spec(obj);
  setDefault(s, 'minReplicas', 1);
  if (list(s.metrics).length === 0) {
    s.metrics = [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ];
  }
  // Only a behavior the user gave gets its missing rules filled.
  if (present(s.behavior)) {
    const behavior = child(s, 'behavior');
    defaultRules(behavior, 'scaleUp', 0, scaleUpPolicies);
    defaultRules(behavior, 'scaleDown', 300, scaleDownPolicies);
  }
}

function validateTargetRef(ref: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['kind', 'name']) {
    const v = str(ref[k]);
    if (v === '') errs.push(field.required(`${path}.${k}`));
    else errs.push(...pathSegmentName(v).map((msg) => field.invalid(`${path}.${k}`, v, msg)));
  }
  return errs;
}

export function validateHorizontalPodAutoscaler(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const errs: FieldError[] = [];
  const min = num(s.minReplicas);
  const max = num(s.maxReplicas) ?? 0;
  if (min !== undefined && min < 1)
    errs.push(field.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(field.invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (min !== undefined && max < min)
    errs.push(field.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  errs.push(...validateTargetRef(view(s, 'scaleTargetRef'), 'spec.scaleTargetRef'));
  errs.push(...validateMetrics(s.metrics, 'spec.metrics'), ...validateBehavior(s.behavior, 'spec.behavior'));
  return errs;
}

export function horizontalPodAutoscalerStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    generation: false,
    defaults: defaultHorizontalPodAutoscaler,
    validate: validateHorizontalPodAutoscaler,
  });
}
