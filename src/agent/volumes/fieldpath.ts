/**
 * Downward API values: fieldRef paths over a pod (upstream's pkg/fieldpath and the kubelet's
 * podFieldSelectorRuntimeValue) and resourceFieldRef values of a container
 * (pkg/api/v1/resource ExtractContainerResourceValue), shared by env vars and volumes.
 */
import type {
  V1Container,
  V1ObjectFieldSelector,
  V1Pod,
  V1ResourceFieldSelector,
} from '@kubernetes/client-node';
import { parseQuantity, type Quantity, roundUp } from '../../registry/pods/quantity.ts';

/** Addresses the pod has at the moment the value is read (the kubelet knows them, not the pod object). */
export interface PodAddresses {
  podIp?: string;
  podIps?: string[];
  hostIp?: string;
  hostIps?: string[];
}

/** A Go `%q` rendering of a string (what FormatMap prints for label and annotation values). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** `key="value"` lines sorted by key, as upstream's fieldpath.FormatMap. */
export function formatMap(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return keys.map((k) => `${k}=${goQuote(m![k]!)}`).join('\n');
}

/** Splits `metadata.labels['x']` into its path and subscript. */
function splitSubscript(path: string): [string, string | undefined] {
  const m = /^(.*)\['(.*)'\]$/.exec(path);
  return m ? [m[1]!, m[2]!] : [path, undefined];
}

/** The string value of a fieldRef; throws with upstream's message for unsupported paths. */
export function fieldRefValue(ref: V1ObjectFieldSelector, pod: V1Pod, addrs: PodAddresses = {}): string {
  const path = ref.fieldPath;
  const meta = pod.metadata ?? {};
  switch (path) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return addrs.hostIp ?? addrs.hostIps?.[0] ?? pod.status?.hostIP ?? '';
    case 'status.hostIPs':
      return (
        addrs.hostIps ?? (addrs.hostIp ? [addrs.hostIp] : (pod.status?.hostIPs ?? []).map((i) => i.ip))
      ).join(',');
    case 'status.podIP':
      return addrs.podIp ?? addrs.podIps?.[0] ?? pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (
        addrs.podIps ?? (addrs.podIp ? [addrs.podIp] : (pod.status?.podIPs ?? []).map((i) => i.ip))
      ).join(',');
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.annotations':
      return formatMap(meta.annotations);
  }
  const [base, key] = splitSubscript(path);
  if (key !== undefined && base === 'metadata.labels') return meta.labels?.[key] ?? '';
  if (key !== undefined && base === 'metadata.annotations') return meta.annotations?.[key] ?? '';
  throw new Error(`unsupported fieldPath: ${path}`);
}

const defaultedLimits = ['cpu', 'memory', 'ephemeral-storage'];

/**
 * The container with limits it does not set taken from the node's allocatable (the kubelet's
 * defaultPodLimitsForDownwardAPI), so `limits.*` always reads a value.
 */
export function withDefaultLimits(
  container: V1Container,
  allocatable: Record<string, string> = {},
): V1Container {
  const limits: Record<string, string> = { ...(container.resources?.limits ?? {}) };
  for (const name of defaultedLimits) {
    const have = limits[name];
    const isZero = have === undefined || parseQuantity(String(have)).mantissa === 0n;
    if (isZero && allocatable[name] !== undefined) limits[name] = allocatable[name]!;
  }
  return { ...container, resources: { ...(container.resources ?? {}), limits } };
}

function value(q: Quantity): number {
  const r = roundUp(q, 0);
  return Number(r.mantissa) * 10 ** r.scale;
}

function milli(q: Quantity): number {
  const r = roundUp(q, -3);
  return Number(r.mantissa) * 10 ** (r.scale + 3);
}

/** The value of a resourceFieldRef against a container whose limits were defaulted already. */
export function resourceFieldValue(ref: V1ResourceFieldSelector, container: V1Container): string {
  const dot = ref.resource.indexOf('.');
  const kind = ref.resource.slice(0, dot);
  const name = ref.resource.slice(dot + 1);
  const supported =
    (kind === 'limits' || kind === 'requests') &&
    (name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-'));
  if (!supported) throw new Error(`unsupported container resource : ${ref.resource}`);
  const list = (kind === 'limits' ? container.resources?.limits : container.resources?.requests) ?? {};
  const raw = list[name];
  const amount = parseQuantity(raw === undefined ? '0' : String(raw));
  let divisor = parseQuantity(ref.divisor === undefined ? '1' : String(ref.divisor));
  if (divisor.mantissa === 0n) divisor = parseQuantity('1');
  const n =
    name === 'cpu' ? Math.ceil(milli(amount) / milli(divisor)) : Math.ceil(value(amount) / value(divisor));
  return String(n);
}

/** Finds a container of the pod by name (regular, init or ephemeral). */
export function findContainer(pod: V1Pod, name: string): V1Container | undefined {
  const spec = pod.spec;
  return (
    spec?.containers?.find((c) => c.name === name) ??
    spec?.initContainers?.find((c) => c.name === name) ??
    (spec?.ephemeralContainers?.find((c) => c.name === name) as V1Container | undefined)
  );
}
