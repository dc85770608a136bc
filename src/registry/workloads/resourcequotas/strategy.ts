/** v1 ResourceQuotas: the main rules of upstream's ValidateResourceQuota. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import { qualifiedNameErrors } from '../../../api/selectors/validation.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { goStrings, goValue } from '../shared/go-syntax.ts';
import { validateNonNegativeQuantity } from '../shared/storage.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { spec, strings, view } from '../shared/values.ts';

const quotaResources = new Set([
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'cpu',
  'memory',
  'ephemeral-storage',
]);
const scopes = [
  'Terminating',
  'NotTerminating',
  'BestEffort',
  'NotBestEffort',
  'PriorityClass',
  'CrossNamespacePodAffinity',
];

function validateHard(hard: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, q] of Object.entries(hard)) {
    const at = `${path}[${name}]`;
    const nameErrs = qualifiedNameErrors(name).map((msg) => field.invalid(at, name, msg));
    errs.push(...nameErrs);
    const standard = quotaResources.has(name) || /^(requests\.)?hugepages-/.test(name);
    if (nameErrs.length === 0 && !name.includes('/') && !standard)
      errs.push(field.invalid(at, name, 'must be a standard resource for quota'));
    errs.push(...validateNonNegativeQuantity(q, at));
  }
  return errs;
}

export function validateResourceQuota(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const errs = validateHard(view(s, 'hard'), 'spec.hard');
  const given = strings(s.scopes);
  const shown = goValue(goStrings(given, '[]core.ResourceQuotaScope'));
  for (const scope of given)
    if (!scopes.includes(scope)) errs.push(field.invalid('spec.scopes', shown, 'unsupported scope'));
  for (const [a, b] of [
    ['BestEffort', 'NotBestEffort'],
    ['Terminating', 'NotTerminating'],
  ]) {
    if (given.includes(a!) && given.includes(b!))
      errs.push(field.invalid('spec.scopes', shown, 'conflicting scopes'));
  }
  return errs;
}

export function resourceQuotaStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, { generation: false, validate: validateResourceQuota });
}
