/**
 * The Endpoints a Service with a selector should have (upstream's endpoints controller
 * syncService body and endpoints.RepackSubsets), as a pure function of the Service and pods.
 */
import type { KubeObject } from '../../api/object.ts';
import {
  findPort,
  hostnameFor,
  isPodReady,
  type Obj,
  obj,
  objs,
  podIPFor,
  podRef,
  serviceFamily,
  shouldPodBeInEndpoints,
  str,
} from './pods.ts';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace?: string; name?: string; uid?: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** upstream's maxCapacity: more addresses than this are truncated and annotated. */
export const maxEndpointsCapacity = 1000;

function address(pod: KubeObject, svc: KubeObject): EndpointAddress | undefined {
  const ip = podIPFor(pod, serviceFamily(svc, pod));
  if (!ip) return undefined;
  const a: EndpointAddress = { ip };
  const hostname = hostnameFor(pod, svc);
  if (hostname) a.hostname = hostname;
  const node = str(obj(pod.spec).nodeName);
  if (node) a.nodeName = node;
  a.targetRef = podRef(pod);
  return a;
}

export function endpointPort(servicePort: Obj, port: number): EndpointPort {
  const p: EndpointPort = { port, protocol: str(servicePort.protocol) || 'TCP' };
  if (str(servicePort.name)) p.name = str(servicePort.name);
  if (str(servicePort.appProtocol)) p.appProtocol = str(servicePort.appProtocol);
  return p;
}

const addrKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort) => `${p.name ?? ''}/${p.port}/${p.protocol}/${p.appProtocol ?? ''}`;
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * upstream's RepackSubsets: one subset per distinct set of addresses sharing the same ports,
 * an address ready if it is ready for any subset it appears in; sorted.
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const addrs = new Map<string, EndpointAddress>();
  const byPort = new Map<string, { port?: EndpointPort; ready: Map<string, boolean> }>();
  const note = (port: EndpointPort | undefined, a: EndpointAddress, ready: boolean) => {
    const key = addrKey(a);
    if (!addrs.has(key)) addrs.set(key, a);
    const pk = port ? portKey(port) : '';
    let entry = byPort.get(pk);
    if (!entry) {
      entry = { ...(port ? { port } : {}), ready: new Map() };
      byPort.set(pk, entry);
    }
    if (!entry.ready.get(key)) entry.ready.set(key, ready);
  };
  for (const s of subsets) {
    const ports = s.ports && s.ports.length > 0 ? s.ports : [undefined];
    for (const port of ports) {
      for (const a of s.addresses ?? []) note(port, a, true);
      for (const a of s.notReadyAddresses ?? []) note(port, a, false);
    }
  }
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, ready } of byPort.values()) {
    const key = [...ready]
      .map(([k, r]) => `${k}=${r}`)
      .sort()
      .join(',');
    let g = groups.get(key);
    if (!g) {
      g = { ready, ports: [] };
      groups.set(key, g);
    }
    if (port) g.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const { ready, ports } of groups.values()) {
    const list = (want: boolean) =>
      [...ready]
        .filter(([, r]) => r === want)
        .map(([k]) => addrs.get(k)!)
        .sort((a, b) => compare(addrKey(a), addrKey(b)));
    const subset: EndpointSubset = {};
    const readyAddrs = list(true);
    const notReady = list(false);
    if (readyAddrs.length > 0) subset.addresses = readyAddrs;
    if (notReady.length > 0) subset.notReadyAddresses = notReady;
    if (ports.length > 0) subset.ports = ports.sort((a, b) => compare(portKey(a), portKey(b)));
    out.push(subset);
  }
  const subsetKey = (s: EndpointSubset) =>
    JSON.stringify([(s.addresses ?? []).map(addrKey), (s.notReadyAddresses ?? []).map(addrKey), s.ports]);
  return out.sort((a, b) => compare(subsetKey(a), subsetKey(b)));
}

/** The subsets for a Service from its selected pods (those in its namespace matching it). */
export function desiredSubsets(svc: KubeObject, pods: readonly KubeObject[]): EndpointSubset[] {
  const spec = obj(svc.spec);
  const publishNotReady = spec.publishNotReadyAddresses === true;
  const headless = str(spec.clusterIP) === 'None';
  const servicePorts = objs(spec.ports);
  const subsets: EndpointSubset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const a = address(pod, svc);
    if (!a) continue;
    const ready = publishNotReady || isPodReady(pod);
    const add = (ports: EndpointPort[]) =>
      subsets.push(ready ? { addresses: [a], ports } : { notReadyAddresses: [a], ports });
    if (servicePorts.length === 0) {
      if (headless) add([]);
      continue;
    }
    for (const sp of servicePorts) {
      const port = findPort(pod, sp);
      if (port !== undefined) add([endpointPort(sp, port)]);
    }
  }
  return repackSubsets(subsets);
}

/** Keeps at most `max` addresses, ready ones first (upstream's truncation when over capacity). */
export function truncateSubsets(subsets: EndpointSubset[], max = maxEndpointsCapacity): EndpointSubset[] {
  let left = max;
  const take = (list: EndpointAddress[] | undefined) => {
    const kept = (list ?? []).slice(0, Math.max(0, left));
    left -= kept.length;
    return kept;
  };
  const ready = subsets.map((s) => take(s.addresses));
  const out = subsets.map((s, i) => {
    const r: EndpointSubset = {};
    const notReady = take(s.notReadyAddresses);
    if (ready[i]!.length > 0) r.addresses = ready[i];
    if (notReady.length > 0) r.notReadyAddresses = notReady;
    if (s.ports) r.ports = s.ports;
    return r;
  });
  return out.filter((s) => s.addresses || s.notReadyAddresses);
}

export const countAddresses = (subsets: EndpointSubset[]) =>
  subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
