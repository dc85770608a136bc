/** Upstream's ValidateContainerResourceRequirements: names, quantities, requests ≤ limits. */
import { type FieldError, field } from '../../api/field-errors.ts';
import { isObject } from '../../api/object.ts';
import { qualifiedNameErrors } from '../../api/selectors/validation.ts';
import { nonNegativeMessage } from './paths.ts';
import {
  compareQuantities,
  milliValue,
  type Quantity,
  QuantityError,
  quantityFrom,
  quantityString,
  zeroQuantity,
} from './quantity.ts';

const containerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
/** Upstream's standardResources (names valid without a domain anywhere, quota included). */
const standardResources = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
]);

const isHugePages = (name: string) => name.startsWith('hugepages-');
const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
export const isExtendedResource = (name: string) =>
  !isNative(name) && !name.startsWith('requests.') && qualifiedNameErrors(`requests.${name}`).length === 0;
/** Requests may be below limits only for native resources other than huge pages. */
const overcommitAllowed = (name: string) => isNative(name) && !isHugePages(name);

function resourceNameErrors(name: string, path: string): FieldError[] {
  const errs = qualifiedNameErrors(name).map((msg) => field.invalid(path, name, msg));
  if (
    errs.length === 0 &&
    !name.includes('/') &&
    !standardResources.has(name) &&
    !isHugePages(name) &&
    !name.startsWith('requests.hugepages-')
  )
    errs.push(field.invalid(path, name, 'must be a standard resource type or fully qualified'));
  if (!name.includes('/')) {
    if (!containerResources.has(name) && !isHugePages(name))
      errs.push(field.invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && !isExtendedResource(name)) {
    errs.push(field.invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** A quantity's own errors; the parsed quantity when it has none that stop the checks. */
function quantityErrors(name: string, value: unknown, path: string): { q?: Quantity; errs: FieldError[] } {
  let q: Quantity;
  try {
    q = quantityFrom(value);
  } catch (e) {
    if (!(e instanceof QuantityError)) throw e;
    return { errs: [field.invalid(path, value, e.message)] };
  }
  const errs: FieldError[] = [];
  if (compareQuantities(q, zeroQuantity) < 0)
    errs.push(field.invalid(path, quantityString(q), nonNegativeMessage));
  if (isExtendedResource(name) && milliValue(q) % 1000n !== 0n)
    errs.push(field.invalid(path, quantityString(q), 'must be an integer'));
  return { q, errs };
}

export function validateResources(resources: unknown, path: string): FieldError[] {
  if (!isObject(resources)) return [];
  const limPath = `${path}.limits`;
  const reqPath = `${path}.requests`;
  const limits = isObject(resources.limits) ? resources.limits : {};
  const requests = isObject(resources.requests) ? resources.requests : {};
  const errs: FieldError[] = [];
  const parsedLimits = new Map<string, Quantity>();
  let cpuOrMemory = false;
  let hugePages = false;
  for (const [name, value] of Object.entries(limits)) {
    const p = `${limPath}[${name}]`;
    errs.push(...resourceNameErrors(name, p));
    const { q, errs: qErrs } = quantityErrors(name, value, p);
    errs.push(...qErrs);
    if (q) parsedLimits.set(name, q);
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    if (isHugePages(name)) hugePages = true;
  }
  for (const [name, value] of Object.entries(requests)) {
    const p = `${reqPath}[${name}]`;
    errs.push(...resourceNameErrors(name, p));
    const { q, errs: qErrs } = quantityErrors(name, value, p);
    errs.push(...qErrs);
    const limit = parsedLimits.get(name);
    if (q && limit) {
      const cmp = compareQuantities(q, limit);
      const shown = quantityString(q);
      if (cmp !== 0 && !overcommitAllowed(name))
        errs.push(
          field.invalid(reqPath, shown, `must be equal to ${name} limit of ${quantityString(limit)}`),
        );
      else if (cmp > 0)
        errs.push(
          field.invalid(
            reqPath,
            shown,
            `must be less than or equal to ${name} limit of ${quantityString(limit)}`,
          ),
        );
    } else if (!(name in limits) && !overcommitAllowed(name)) {
      errs.push(field.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    if (isHugePages(name)) hugePages = true;
  }
  if (!cpuOrMemory && hugePages) errs.push(field.forbidden(path, 'HugePages require cpu or memory'));
  return errs;
}
