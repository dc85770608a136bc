/**
 * Pod facts the endpoints and EndpointSlice controllers share (upstream's podutil and
 * endpointslice/util): readiness, whether a pod belongs in endpoints, its IP for a Service
 * and the container port a Service port's targetPort names.
 */
import { isIPv6 } from 'node:net';
import { isObject, type KubeObject } from '../../api/object.ts';
import { labelSelectorFromSet } from '../../api/selectors/index.ts';

export type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj => (isObject(v) ? v : {});
export const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The Ready condition is True (upstream's IsPodReady). */
export function isPodReady(pod: KubeObject): boolean {
  return objs(obj(pod.status).conditions).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * upstream's ShouldPodBeInEndpoints: it has an IP, is not terminating (unless
 * `includeTerminating`), and has not finished for good under its restart policy.
 */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  const status = obj(pod.status);
  if (!str(status.podIP) && objs(status.podIPs).length === 0) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  const policy = str(obj(pod.spec).restartPolicy);
  const phase = str(status.phase);
  if (policy === 'Never') return phase !== 'Failed' && phase !== 'Succeeded';
  if (policy === 'OnFailure') return phase !== 'Succeeded';
  return true;
}

/** The pod's addresses, podIPs first, podIP when that is all it has. */
export function podIPs(pod: KubeObject): string[] {
  const status = obj(pod.status);
  const ips = objs(status.podIPs)
    .map((p) => str(p.ip))
    .filter(Boolean);
  return ips.length > 0 ? ips : str(status.podIP) ? [str(status.podIP)] : [];
}

/** The Service's primary family: ipFamilies[0], else inferred as upstream does. */
export function serviceFamily(svc: KubeObject, pod?: KubeObject): 'IPv4' | 'IPv6' {
  const spec = obj(svc.spec);
  const families = Array.isArray(spec.ipFamilies) ? spec.ipFamilies : [];
  if (families.length > 0) return families[0] === 'IPv6' ? 'IPv6' : 'IPv4';
  const clusterIP = str(spec.clusterIP);
  if (clusterIP && clusterIP !== 'None') return isIPv6(clusterIP) ? 'IPv6' : 'IPv4';
  return pod && isIPv6(podIPs(pod)[0] ?? '') ? 'IPv6' : 'IPv4';
}

/** The pod's address in a family, undefined when it has none. */
export function podIPFor(pod: KubeObject, family: 'IPv4' | 'IPv6'): string | undefined {
  return podIPs(pod).find((ip) => isIPv6(ip) === (family === 'IPv6'));
}

const restartable = (c: Obj) => c.restartPolicy === 'Always';

/**
 * upstream's FindPort: a numeric targetPort is the port; a named one is looked up among the
 * containers' (and sidecar init containers') ports of the same protocol.
 */
export function findPort(pod: KubeObject, servicePort: Obj): number | undefined {
  const target = servicePort.targetPort;
  if (typeof target === 'number') return target;
  const protocol = str(servicePort.protocol) || 'TCP';
  if (typeof target !== 'string' || target === '')
    return typeof servicePort.port === 'number' ? servicePort.port : undefined;
  const spec = obj(pod.spec);
  const containers = [...objs(spec.containers), ...objs(spec.initContainers).filter(restartable)];
  for (const c of containers) {
    for (const p of objs(c.ports)) {
      if (p.name === target && (str(p.protocol) || 'TCP') === protocol && typeof p.containerPort === 'number')
        return p.containerPort;
    }
  }
  return undefined;
}

/** A Service's selector, undefined when it selects nothing (no selector, or an empty one). */
export function serviceSelector(svc: KubeObject) {
  const sel = obj(obj(svc.spec).selector) as Record<string, string>;
  return Object.keys(sel).length === 0 ? undefined : labelSelectorFromSet(sel);
}

/** upstream's ShouldSetHostname: the pod's hostname under a Service that is its subdomain. */
export function hostnameFor(pod: KubeObject, svc: KubeObject): string | undefined {
  const spec = obj(pod.spec);
  const hostname = str(spec.hostname);
  if (!hostname || str(spec.subdomain) !== svc.metadata.name) return undefined;
  return pod.metadata.namespace === svc.metadata.namespace ? hostname : undefined;
}

export const podRef = (pod: KubeObject) => ({
  kind: 'Pod',
  namespace: pod.metadata.namespace,
  name: pod.metadata.name,
  uid: pod.metadata.uid,
});
