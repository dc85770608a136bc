/** autoscaling/v2 metric specs and scaling behavior, checked as upstream's validation does. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { parseQuantity } from '../shared/quantity.ts';
import { num, type Obj, objects, present, str, view } from '../shared/values.ts';

const sourceTypes = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const sourceFields: Record<string, string> = {
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  External: 'external',
  ContainerResource: 'containerResource',
};

function validateTarget(t: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(t.type);
  if (type === '') errs.push(field.required(`${path}.type`, 'must specify a metric target type'));
  if (!['Utilization', 'Value', 'AverageValue'].includes(type))
    errs.push(field.invalid(`${path}.type`, type, 'must be either Utilization, Value, or AverageValue'));
  for (const f of ['value', 'averageValue']) {
    if (present(t[f]) && !((parseQuantity(t[f]) ?? 0) > 0))
      errs.push(field.invalid(`${path}.${f}`, String(t[f]), 'must be positive'));
  }
  const utilization = num(t.averageUtilization);
  if (utilization !== undefined && utilization < 1)
    errs.push(field.invalid(`${path}.averageUtilization`, utilization, 'must be greater than 0'));
  return errs;
}

function validateResourceSource(src: Obj, path: string, container: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(src.name)) errs.push(field.required(`${path}.name`, 'must specify a resource name'));
  if (container && !str(src.container))
    errs.push(field.required(`${path}.container`, 'must specify a container'));
  const target = view(src, 'target');
  errs.push(...validateTarget(target, `${path}.target`));
  if (!present(target.averageUtilization) && !present(target.averageValue))
    errs.push(
      field.required(
        `${path}.target.averageUtilization`,
        'must set either a target raw value or a target utilization',
      ),
    );
  if (present(target.averageUtilization) && present(target.averageValue))
    errs.push(
      field.forbidden(
        `${path}.target.averageValue`,
        'may not set both a target raw value and a target utilization',
      ),
    );
  return errs;
}

function validateSource(kind: string, src: Obj, path: string): FieldError[] {
  if (kind === 'resource' || kind === 'containerResource')
    return validateResourceSource(src, path, kind === 'containerResource');
  const errs: FieldError[] = [];
  if (!str(view(src, 'metric').name))
    errs.push(field.required(`${path}.metric.name`, 'must specify a metric name'));
  if (kind === 'object') {
    const ref = view(src, 'describedObject');
    if (!str(ref.kind)) errs.push(field.required(`${path}.describedObject.kind`));
    if (!str(ref.name)) errs.push(field.required(`${path}.describedObject.name`));
  }
  errs.push(...validateTarget(view(src, 'target'), `${path}.target`));
  return errs;
}

function validateMetric(m: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(m.type);
  if (type === '') errs.push(field.required(`${path}.type`, 'must specify a metric source type'));
  if (!sourceTypes.includes(type)) errs.push(field.notSupported(`${path}.type`, type, sourceTypes));
  const present_ = ['object', 'external', 'pods', 'resource', 'containerResource'].filter((k) =>
    present(m[k]),
  );
  if (present_.length > 0)
    errs.push(...validateSource(present_[0]!, view(m, present_[0]!), `${path}.${present_[0]}`));
  const expected = sourceFields[type];
  if (expected === undefined) errs.push(field.notSupported(`${path}.type`, type, sourceTypes));
  else if (!present(m[expected]))
    errs.push(field.required(`${path}.${expected}`, 'must populate information for the given metric source'));
  if (present_.length !== 1)
    for (const k of present_.filter((k) => k !== expected))
      errs.push(field.forbidden(`${path}.${k}`, 'must populate the given metric source only'));
  return errs;
}

export function validateMetrics(metrics: unknown, path: string): FieldError[] {
  return objects(metrics).flatMap((m, i) => validateMetric(m, `${path}[${i}]`));
}

function validateRules(rules: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const window = num(rules.stabilizationWindowSeconds);
  if (window !== undefined && window < 0)
    errs.push(
      field.invalid(`${path}.stabilizationWindowSeconds`, window, 'must be greater than or equal to zero'),
    );
  if (window !== undefined && window > 3600)
    errs.push(
      field.invalid(`${path}.stabilizationWindowSeconds`, window, 'must be less than or equal to 3600'),
    );
  const select = str(rules.selectPolicy);
  if (present(rules.selectPolicy) && !['Disabled', 'Max', 'Min'].includes(select))
    errs.push(field.notSupported(`${path}.selectPolicy`, select, ['Disabled', 'Max', 'Min']));
  const policies = objects(rules.policies);
  if (policies.length === 0)
    errs.push(field.required(`${path}.policies`, 'must specify at least one Policy'));
  policies.forEach((p, i) => {
    const at = `${path}.policies[${i}]`;
    const type = str(p.type);
    if (type !== 'Pods' && type !== 'Percent')
      errs.push(field.notSupported(`${at}.type`, type, ['Percent', 'Pods']));
    const value = num(p.value) ?? 0;
    if (value <= 0) errs.push(field.invalid(`${at}.value`, value, 'must be greater than zero'));
    const period = num(p.periodSeconds) ?? 0;
    if (period <= 0) errs.push(field.invalid(`${at}.periodSeconds`, period, 'must be greater than zero'));
    if (period > 1800)
      errs.push(field.invalid(`${at}.periodSeconds`, period, 'must be less than or equal to 1800'));
  });
  return errs;
}

export function validateBehavior(behavior: unknown, path: string): FieldError[] {
  if (!present(behavior)) return [];
  const errs: FieldError[] = [];
  for (const k of ['scaleUp', 'scaleDown']) {
    const rules = view(behavior, k);
    if (present((behavior as Obj)[k])) errs.push(...validateRules(rules, `${path}.${k}`));
  }
  return errs;
}
