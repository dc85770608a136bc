/**
 * Flattens Services and EndpointSlices into one record per (Service, port, IP family): the
 * addresses it is reached on and the endpoints behind it, as kube-proxy's service and endpoint
 * change trackers do. Headless and ExternalName Services produce nothing.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';

export type IpFamily = 'ip' | 'ip6';
export type L4Proto = 'tcp' | 'udp' | 'sctp';

export interface Endpoint {
  ip: string;
  port: number;
  /** On this node (endpoint.nodeName === the agent's node). */
  local: boolean;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export interface ServicePort {
  /** `namespace/name/proto/portName` — stable, and unique per family. */
  id: string;
  namespace: string;
  name: string;
  portName: string;
  proto: L4Proto;
  port: number;
  clusterIps: string[];
  nodePort?: number;
  /** externalIPs, LoadBalancer ingress IPs, and (for LoadBalancer, as ServiceLB) node IPs. */
  externalIps: string[];
  externalLocal: boolean;
  internalLocal: boolean;
  /** ClientIP session affinity timeout in seconds, when enabled. */
  affinitySeconds?: number;
  endpoints: Endpoint[];
}

export const serviceNameLabel = 'kubernetes.io/service-name';
const defaultAffinitySeconds = 10800;

export const familyOf = (ip: string): IpFamily | null => (isIPv4(ip) ? 'ip' : isIPv6(ip) ? 'ip6' : null);

const protoOf = (p: string | undefined): L4Proto | null =>
  p === undefined || p === 'TCP' ? 'tcp' : p === 'UDP' ? 'udp' : p === 'SCTP' ? 'sctp' : null;

/** True for Services that kube-proxy skips: headless (clusterIP None) and ExternalName. */
/** Services every node agent serves itself (the cluster DNS): no proxy rules for them. */
export const NODE_LOCAL_LABEL = 'skiff.io/node-local';

export function skipsProxy(svc: V1Service): boolean {
  const spec = svc.spec;
  if (!spec || spec.type === 'ExternalName') return true;
  if (svc.metadata?.labels?.[NODE_LOCAL_LABEL] === 'true') return true;
  const ip = spec.clusterIP;
  return ip === undefined || ip === '' || ip === 'None';
}

/** The addresses ServiceLB publishes as status.loadBalancer.ingress for a LoadBalancer Service. */
export function loadBalancerIngress(nodeIps: string[]): { ip: string; ipMode: 'VIP' }[] {
  return nodeIps.filter((ip) => familyOf(ip)).map((ip) => ({ ip, ipMode: 'VIP' }));
}

export const sliceKey = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

/** EndpointSlices grouped by `namespace/service`, keeping only those of one address family. */
export function slicesByService(slices: V1EndpointSlice[], family: IpFamily): Map<string, V1EndpointSlice[]> {
  const want = family === 'ip' ? 'IPv4' : 'IPv6';
  const out = new Map<string, V1EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata?.labels?.[serviceNameLabel];
    if (!svc || s.addressType !== want) continue;
    const key = sliceKey(s.metadata?.namespace, svc);
    const list = out.get(key);
    if (list) list.push(s);
    else out.set(key, [s]);
  }
  return out;
}

function endpointsFor(
  slices: V1EndpointSlice[],
  portName: string,
  proto: L4Proto,
  family: IpFamily,
  nodeName: string,
): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const s of slices) {
    const sp = (s.ports ?? []).find((p) => (p.name ?? '') === portName && protoOf(p.protocol) === proto);
    if (!sp || typeof sp.port !== 'number') continue;
    for (const ep of s.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!ip || familyOf(ip) !== family) continue;
      const ready = ep.conditions?.ready ?? true;
      const e: Endpoint = {
        ip,
        port: sp.port,
        local: ep.nodeName === nodeName,
        ready,
        serving: ep.conditions?.serving ?? ready,
        terminating: ep.conditions?.terminating ?? false,
      };
      const key = `${ip}/${sp.port}`;
      if (!seen.has(key) || (e.ready && !seen.get(key)?.ready)) seen.set(key, e);
    }
  }
  return [...seen.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.port - b.port));
}

/**
 * The ports of all proxied Services for one family. Problems in one Service (an unknown
 * protocol) skip that port and are reported through `warn`, never thrown.
 */
export function servicePorts(
  services: V1Service[],
  slices: V1EndpointSlice[],
  family: IpFamily,
  nodeName: string,
  nodeIps: string[],
  warn: (msg: string) => void = () => {},
): ServicePort[] {
  const bySvc = slicesByService(slices, family);
  const familyNodeIps = nodeIps.filter((ip) => familyOf(ip) === family);
  return services.flatMap((svc) => {
    if (skipsProxy(svc)) return [];
    const mySlices =
      bySvc.get(sliceKey(svc.metadata?.namespace ?? 'default', svc.metadata?.name ?? '')) ?? [];
    return portsOfService(svc, mySlices, family, nodeName, familyNodeIps, warn);
  });
}

/** One proxied Service's ports, from its own EndpointSlices (of this family). */
export function portsOfService(
  svc: V1Service,
  mySlices: V1EndpointSlice[],
  family: IpFamily,
  nodeName: string,
  familyNodeIps: string[],
  warn: (msg: string) => void,
): ServicePort[] {
  const out: ServicePort[] = [];
  const spec = svc.spec!;
  const namespace = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  const clusterIps = (spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP!]).filter(
    (ip) => familyOf(ip) === family,
  );
  if (clusterIps.length === 0) return out;
  const external = [
    ...(spec.externalIPs ?? []),
    ...(spec.type === 'LoadBalancer'
      ? [...(svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? ''), ...familyNodeIps]
      : []),
  ].filter((ip) => familyOf(ip) === family);
  const hasNodePort = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  const affinity =
    spec.sessionAffinity === 'ClientIP'
      ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? defaultAffinitySeconds)
      : undefined;
  for (const p of spec.ports ?? []) {
    const proto = protoOf(p.protocol);
    const portName = p.name ?? '';
    if (!proto) {
      warn(`service ${namespace}/${name} port ${portName || p.port}: unsupported protocol ${p.protocol}`);
      continue;
    }
    const sp: ServicePort = {
      id: `${namespace}/${name}/${proto}/${portName}`,
      namespace,
      name,
      portName,
      proto,
      port: p.port,
      clusterIps,
      externalIps: [...new Set(external)],
      externalLocal: spec.externalTrafficPolicy === 'Local',
      internalLocal: spec.internalTrafficPolicy === 'Local',
      endpoints: endpointsFor(mySlices, portName, proto, family, nodeName),
    };
    if (hasNodePort && p.nodePort) sp.nodePort = p.nodePort;
    if (affinity !== undefined) sp.affinitySeconds = affinity;
    out.push(sp);
  }
  return out;
}

/**
 * The endpoints traffic may use, as kube-proxy's CategorizeEndpoints: the ready ones, or when
 * none is ready, the serving-and-terminating ones (so connections drain during a rollout).
 */
export function usableEndpoints(eps: Endpoint[]): Endpoint[] {
  const ready = eps.filter((e) => e.ready);
  return ready.length ? ready : eps.filter((e) => e.serving && e.terminating);
}
