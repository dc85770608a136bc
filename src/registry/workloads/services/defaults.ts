/**
 * Service defaults (upstream's SetDefaults_Service, plus the IP-family fields its allocator
 * fills on a single-stack IPv4 cluster) and the update-time fixes of the Service REST storage:
 * clusterIP/clusterIPs kept in step, allocated values carried over, fields of a former type
 * dropped.
 */
import type { KubeObject } from '../../../api/object.ts';
import { is4, isIP } from '../shared/ip.ts';
import {
  child,
  num,
  type Obj,
  objects,
  present,
  same,
  setDefault,
  spec,
  str,
  strings,
  view,
} from '../shared/values.ts';

export const isHeadless = (s: Obj): boolean => {
  const ips = strings(s.clusterIPs);
  return ips.length === 1 && ips[0] === 'None';
};

export const externallyAccessible = (s: Obj): boolean =>
  s.type === 'LoadBalancer' ||
  s.type === 'NodePort' ||
  (s.type === 'ClusterIP' && strings(s.externalIPs).length > 0);

export const needsHealthCheck = (s: Obj): boolean =>
  s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
const needsClusterIP = (s: Obj) => s.type !== 'ExternalName';
const needsNodePort = (s: Obj) => s.type === 'NodePort' || s.type === 'LoadBalancer';

export function defaultService(obj: KubeObject): void {
  const s = spec(obj);
  if (!s.sessionAffinity) s.sessionAffinity = 'None';
  if (s.sessionAffinity === 'None') delete s.sessionAffinityConfig;
  if (s.sessionAffinity === 'ClientIP') {
    const clientIP = child(child(s, 'sessionAffinityConfig'), 'clientIP');
    setDefault(clientIP, 'timeoutSeconds', 10800);
  }
  if (!s.type) s.type = 'ClusterIP';
  for (const port of objects(s.ports)) {
    if (!port.protocol) port.protocol = 'TCP';
    if (!present(port.targetPort) || port.targetPort === 0 || port.targetPort === '')
      port.targetPort = port.port;
  }
  if (externallyAccessible(s) && !s.externalTrafficPolicy) s.externalTrafficPolicy = 'Cluster';
  if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(str(s.type)))
    setDefault(s, 'internalTrafficPolicy', 'Cluster');
  if (s.type === 'LoadBalancer') setDefault(s, 'allocateLoadBalancerNodePorts', true);
  setDefault(child(obj, 'status'), 'loadBalancer', {});
  if (needsClusterIP(s)) {
    const selectorless = Object.keys(view(s, 'selector')).length === 0;
    setDefault(s, 'ipFamilyPolicy', isHeadless(s) && selectorless ? 'RequireDualStack' : 'SingleStack');
    if (strings(s.ipFamilies).length === 0) {
      const first = strings(s.clusterIPs)[0] ?? '';
      s.ipFamilies = [isIP(first) && !is4(first) ? 'IPv6' : 'IPv4'];
    }
  }
}

/** upstream's NormalizeClusterIPs: what a client meant by clusterIP and clusterIPs. */
export function normalizeClusterIPs(s: Obj, old: Obj | undefined): void {
  const ip = str(s.clusterIP);
  const ips = strings(s.clusterIPs);
  if (!old) {
    if (ip && ips.length === 0) s.clusterIPs = [ip];
    return;
  }
  const oldIP = str(old.clusterIP);
  const oldIPs = strings(old.clusterIPs);
  if (oldIPs.length > 0 && ips.length === 0 && oldIP === ip) s.clusterIPs = oldIPs;
  if (oldIP !== ip) {
    const sameIPs = same(strings(s.clusterIPs), oldIPs);
    if (oldIP && !ip && sameIPs) delete s.clusterIPs;
    if (ip && sameIPs) s.clusterIPs = [ip];
  }
}

/** upstream's patchAllocatedValues: an update that leaves allocated values out keeps them. */
export function patchAllocatedValues(s: Obj, old: Obj): void {
  if (needsClusterIP(old) && needsClusterIP(s)) {
    if (!str(s.clusterIP) && present(old.clusterIP)) s.clusterIP = old.clusterIP;
    if (strings(s.clusterIPs).length === 0 && strings(old.clusterIPs).length > 0)
      s.clusterIPs = old.clusterIPs;
  }
  if (needsNodePort(old) && needsNodePort(s)) {
    const used = new Set(objects(s.ports).map((p) => num(p.nodePort) ?? 0));
    const byName = new Map(objects(old.ports).map((p) => [str(p.name), num(p.nodePort) ?? 0]));
    for (const p of objects(s.ports)) {
      const previous = byName.get(str(p.name)) ?? 0;
      if (!num(p.nodePort) && previous && !used.has(previous)) p.nodePort = previous;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(s) && !num(s.healthCheckNodePort))
    s.healthCheckNodePort = old.healthCheckNodePort;
}

/** upstream's dropTypeDependentFields: a new type sheds what it no longer uses, if unchanged. */
export function dropTypeDependentFields(obj: KubeObject, old: KubeObject): void {
  const s = spec(obj);
  const o = spec(old);
  if (needsClusterIP(o) && !needsClusterIP(s)) {
    if (str(s.clusterIP) === str(o.clusterIP) && same(s.clusterIPs, o.clusterIPs)) {
      delete s.clusterIP;
      delete s.clusterIPs;
    }
    if (same(s.ipFamilies, o.ipFamilies)) delete s.ipFamilies;
    if (str(s.ipFamilyPolicy) === str(o.ipFamilyPolicy)) delete s.ipFamilyPolicy;
  }
  const nodePorts = (x: Obj) =>
    objects(x.ports)
      .map((p) => num(p.nodePort) ?? 0)
      .filter((n) => n !== 0);
  if (needsNodePort(o) && !needsNodePort(s) && nodePorts(s).every((n) => nodePorts(o).includes(n))) {
    for (const p of objects(s.ports)) delete p.nodePort;
  }
  if (needsHealthCheck(o) && !needsHealthCheck(s) && s.healthCheckNodePort === o.healthCheckNodePort)
    delete s.healthCheckNodePort;
  if (o.type === 'LoadBalancer' && s.type !== 'LoadBalancer') {
    if (
      present(s.allocateLoadBalancerNodePorts) &&
      s.allocateLoadBalancerNodePorts === o.allocateLoadBalancerNodePorts
    )
      delete s.allocateLoadBalancerNodePorts;
    if (same(s.loadBalancerClass, o.loadBalancerClass)) delete s.loadBalancerClass;
  }
  if (
    externallyAccessible(o) &&
    !externallyAccessible(s) &&
    s.externalTrafficPolicy === o.externalTrafficPolicy
  )
    delete s.externalTrafficPolicy;
  if (s.type !== 'LoadBalancer' && view(obj, 'status').loadBalancer !== undefined)
    (obj.status as Obj).loadBalancer = {};
}
