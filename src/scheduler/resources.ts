/**
 * Resource arithmetic as the scheduler sees it (upstream's framework.Resource and
 * component-helpers' PodRequests): cpu in millicores, everything else in whole units.
 */
import { isObject, type KubeObject } from '../api/object.ts';
import { milliValue, type Quantity, roundUp, tryQuantity } from '../registry/pods/quantity.ts';

export type ResourceList = Record<string, number>;

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  scalar: Record<string, number>;
}

export const emptyResource = (): Resource => ({
  milliCPU: 0,
  memory: 0,
  ephemeralStorage: 0,
  allowedPodNumber: 0,
  scalar: {},
});

export const cloneResource = (r: Resource): Resource => ({ ...r, scalar: { ...r.scalar } });

/** Upstream's DefaultMilliCPURequest and DefaultMemoryRequest, for pods that request none. */
export const defaultMilliCPURequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;
export const nonZeroDefaults: ResourceList = { cpu: defaultMilliCPURequest, memory: defaultMemoryRequest };

const native = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods']);

/** Extended, huge-page and prefixed native resources (upstream's IsScalarResourceName). */
export function isScalarResource(name: string): boolean {
  if (native.has(name)) return false;
  return name.includes('/') || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

/** Quantity.Value(): the value rounded up to a whole unit. */
function wholeValue(q: Quantity): number {
  const r = roundUp(q, 0);
  return Number(r.mantissa * 10n ** BigInt(r.scale));
}

/** A JSON ResourceList as numbers: cpu in millicores, the rest in units. */
export function parseResourceList(v: unknown): ResourceList {
  const out: ResourceList = {};
  if (!isObject(v)) return out;
  for (const [name, raw] of Object.entries(v)) {
    const q = tryQuantity(raw);
    if (q) out[name] = name === 'cpu' ? Number(milliValue(q)) : wholeValue(q);
  }
  return out;
}

function addInto(into: ResourceList, list: ResourceList): void {
  for (const [k, v] of Object.entries(list)) into[k] = (into[k] ?? 0) + v;
}

function maxInto(into: ResourceList, list: ResourceList): void {
  for (const [k, v] of Object.entries(list)) into[k] = Math.max(into[k] ?? 0, v);
}

function withDefaults(list: ResourceList, defaults: ResourceList | undefined): ResourceList {
  if (!defaults) return list;
  const out = { ...list };
  for (const [k, v] of Object.entries(defaults)) if (!(k in out)) out[k] = v;
  return out;
}

const containers = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isObject) : []);

const requestsOf = (c: Record<string, unknown>): ResourceList =>
  parseResourceList(isObject(c.resources) ? c.resources.requests : undefined);

/**
 * What a pod requests (PodRequests): the sum of its containers and sidecars, at least what any
 * init container needs while it runs (with the sidecars started before it), plus overhead.
 * `defaults` fills requests a container leaves out (NonMissingContainerRequests).
 */
export function podRequests(pod: KubeObject, defaults?: ResourceList): ResourceList {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const reqs: ResourceList = {};
  for (const c of containers(spec.containers)) addInto(reqs, withDefaults(requestsOf(c), defaults));
  const sidecars: ResourceList = {};
  const initMax: ResourceList = {};
  for (const c of containers(spec.initContainers)) {
    const own = withDefaults(requestsOf(c), defaults);
    let running: ResourceList;
    if (c.restartPolicy === 'Always') {
      addInto(reqs, own);
      addInto(sidecars, own);
      running = sidecars;
    } else {
      running = { ...own };
      addInto(running, sidecars);
    }
    maxInto(initMax, running);
  }
  maxInto(reqs, initMax);
  addInto(reqs, parseResourceList(spec.overhead));
  return reqs;
}

/** A ResourceList folded into a Resource (upstream's Resource.Add). */
export function toResource(list: ResourceList): Resource {
  const r = emptyResource();
  for (const [name, v] of Object.entries(list)) {
    if (name === 'cpu') r.milliCPU += v;
    else if (name === 'memory') r.memory += v;
    else if (name === 'ephemeral-storage') r.ephemeralStorage += v;
    else if (name === 'pods') r.allowedPodNumber += v;
    else if (isScalarResource(name)) r.scalar[name] = (r.scalar[name] ?? 0) + v;
  }
  return r;
}

/** A node's allocatable resources (falling back to capacity when a node reports none). */
export function nodeAllocatable(node: KubeObject): Resource {
  const status = isObject(node.status) ? node.status : {};
  return toResource(parseResourceList(status.allocatable ?? status.capacity));
}

/** Adds (sign 1) or subtracts (sign -1) `r` into `into`. */
export function addResource(into: Resource, r: Resource, sign: 1 | -1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [k, v] of Object.entries(r.scalar)) into.scalar[k] = (into.scalar[k] ?? 0) + sign * v;
}
