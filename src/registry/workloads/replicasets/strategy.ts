/** apps/v1 ReplicaSets: upstream's SetDefaults_ReplicaSet, ValidateReplicaSet and strategy. */
import type { FieldError } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { defaultTemplate, requiredSelector, validateAlwaysTemplate } from '../shared/pod-template.ts';
import { selectorText } from '../shared/selector.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { immutable, nonNegative, num, setDefault, spec, view } from '../shared/values.ts';

export function defaultReplicaSet(obj: KubeObject): void {
  const s = spec(obj);
  setDefault(s, 'replicas', 1);
  defaultTemplate(s);
}

export function validateReplicaSet(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const errs = [
    ...nonNegative(s.replicas, 'spec.replicas'),
    ...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'),
  ];
  const { errs: selectorErrs, selector } = requiredSelector(
    s.selector,
    'spec.selector',
    // sic: upstream shares the Deployment's wording here.
    'empty selector is invalid for deployment',
    'invalid label selector',
  );
  errs.push(...selectorErrs);
  if (selector) errs.push(...validateAlwaysTemplate(s.template, selector, 'spec.template', 'ReplicaSet'));
  return errs;
}

export function replicaSetStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    defaults: defaultReplicaSet,
    validate: validateReplicaSet,
    validateUpdate: (obj, old) =>
      immutable(spec(obj).selector, spec(old).selector, 'spec.selector', selectorText),
    fields: (obj) => ({ 'status.replicas': String(num(view(obj, 'status').replicas) ?? 0) }),
  });
}
