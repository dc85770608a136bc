/** A pod's QoS class, as upstream's qos.ComputePodQOS decides it (container resources only). */
import { isObject } from '../../api/object.ts';
import { type Obj, objects } from './json.ts';
import { addQuantities, compareQuantities, type Quantity, tryQuantity, zeroQuantity } from './quantity.ts';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const computeResources = ['cpu', 'memory'];

/** Adds each positive cpu/memory quantity of `list` into `sums`; returns the names added. */
function accumulate(sums: Map<string, Quantity>, list: unknown): Set<string> {
  const found = new Set<string>();
  if (!isObject(list)) return found;
  for (const [name, value] of Object.entries(list)) {
    if (!computeResources.includes(name)) continue;
    const q = tryQuantity(value);
    if (!q || compareQuantities(q, zeroQuantity) <= 0) continue;
    found.add(name);
    const sum = sums.get(name);
    sums.set(name, sum ? addQuantities(sum, q) : q);
  }
  return found;
}

export function computePodQOS(spec: Obj): QOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const c of [...objects(spec.containers), ...objects(spec.initContainers)]) {
    const resources = isObject(c.resources) ? c.resources : {};
    accumulate(requests, resources.requests);
    const found = accumulate(limits, resources.limits);
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || compareQuantities(lim, req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
