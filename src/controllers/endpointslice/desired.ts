/**
 * What the EndpointSlice controller wants for a Service (upstream's reconcileByAddressType
 * front half, podToEndpoint and getEndpointPorts): endpoints grouped by port mapping and
 * address type, with ready/serving/terminating conditions.
 */
import { isIPv6 } from 'node:net';
import type { KubeObject } from '../../api/object.ts';
import {
  findPort,
  hostnameFor,
  isPodReady,
  obj,
  objs,
  podIPs,
  podRef,
  shouldPodBeInEndpoints,
  str,
} from '../endpoints/pods.ts';
import { type DesiredGroup, portMapKey, type SliceEndpoint, type SlicePort } from './slices.ts';

export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const controllerName = 'endpointslice-controller.k8s.io';
export const zoneLabel = 'topology.kubernetes.io/zone';

/** upstream's getAddressTypesForService. */
export function addressTypesFor(svc: KubeObject): string[] {
  const spec = obj(svc.spec);
  const families = Array.isArray(spec.ipFamilies) ? spec.ipFamilies : [];
  const types = ['IPv4', 'IPv6'].filter((t) => families.includes(t));
  if (types.length > 0) return types;
  const clusterIP = str(spec.clusterIP);
  if (clusterIP && clusterIP !== 'None') return [isIPv6(clusterIP) ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

/** upstream's getEndpointPorts: ports whose targetPort the pod resolves. */
export function endpointPorts(svc: KubeObject, pod: KubeObject): SlicePort[] {
  const spec = obj(svc.spec);
  const out: SlicePort[] = [];
  for (const sp of objs(spec.ports)) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: SlicePort = { name: str(sp.name), port, protocol: str(sp.protocol) || 'TCP' };
    if (str(sp.appProtocol)) p.appProtocol = str(sp.appProtocol);
    out.push(p);
  }
  return out;
}

/** upstream's podToEndpoint. */
export function podToEndpoint(
  pod: KubeObject,
  node: KubeObject | undefined,
  svc: KubeObject,
  addressType: string,
): SliceEndpoint {
  const serving = isPodReady(pod);
  const terminating = pod.metadata.deletionTimestamp !== undefined;
  const ready = obj(svc.spec).publishNotReadyAddresses === true || (serving && !terminating);
  const e: SliceEndpoint = {
    addresses: podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
  };
  const hostname = hostnameFor(pod, svc);
  if (hostname) e.hostname = hostname;
  e.targetRef = podRef(pod);
  const nodeName = str(obj(pod.spec).nodeName);
  if (nodeName) e.nodeName = nodeName;
  const zone = node?.metadata.labels?.[zoneLabel];
  if (zone) e.zone = zone;
  return e;
}

/**
 * The groups a Service wants. A pod bound to a node the cache does not know is left out
 * (unless the Service publishes not-ready addresses), as upstream does.
 */
export function desiredGroups(
  svc: KubeObject,
  pods: readonly KubeObject[],
  nodeOf: (name: string) => KubeObject | undefined,
): DesiredGroup[] {
  const groups = new Map<string, DesiredGroup>();
  const publish = obj(svc.spec).publishNotReadyAddresses === true;
  for (const addressType of addressTypesFor(svc)) {
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ports = endpointPorts(svc, pod);
      const key = portMapKey(addressType, ports);
      let group = groups.get(key);
      if (!group) {
        group = { addressType, ports, endpoints: [] };
        groups.set(key, group);
      }
      const node = nodeOf(str(obj(pod.spec).nodeName));
      if (!node && !publish) continue;
      const e = podToEndpoint(pod, node, svc, addressType);
      if (e.addresses.length > 0) group.endpoints.push(e);
    }
  }
  return [...groups.values()];
}

const reserved = new Set([serviceNameLabel, managedByLabel]);

/** upstream's setEndpointSliceLabels: the Service's labels, the two owner labels, headless. */
export function sliceLabels(svc: KubeObject, manager = controllerName): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (!reserved.has(k)) labels[k] = v;
  labels[serviceNameLabel] = svc.metadata.name ?? '';
  labels[managedByLabel] = manager;
  if (str(obj(svc.spec).clusterIP) === 'None') labels['service.kubernetes.io/headless'] = '';
  else delete labels['service.kubernetes.io/headless'];
  return labels;
}

/** upstream's getEndpointSlicePrefix. */
export function slicePrefix(name: string): string {
  const prefix = `${name}-`;
  return prefix.length <= 253 - 5 ? prefix : name;
}
