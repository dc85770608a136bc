/**
 * networking/v1 NetworkPolicy semantics, independent of nftables: which local pods a policy
 * isolates (per direction, with policyTypes defaulted as upstream does), which pods a peer
 * selects anywhere in the cluster, and a rule's ports with named ports resolved.
 */
import type {
  V1Namespace,
  V1NetworkPolicy,
  V1NetworkPolicyPeer,
  V1NetworkPolicyPort,
  V1Pod,
} from '@kubernetes/client-node';
import { fromLabelSelectorObject, type LabelSelector } from '../../api/selectors/labels.ts';

export type Direction = 'ingress' | 'egress';
export type Proto = 'tcp' | 'udp' | 'sctp';

/** One port clause: a protocol with no port (all), a number (or range), or a container port name. */
export interface PortSpec {
  proto: Proto;
  port?: number;
  endPort?: number;
  name?: string;
}

export interface PeerSpec {
  /** Pods chosen by podSelector and/or namespaceSelector: their IPs, cluster-wide. */
  pods?: V1Pod[];
  ipBlock?: { cidr: string; except: string[] };
}

export interface RuleSpec {
  /** Empty: any peer. */
  peers: PeerSpec[];
  /** Empty: any port. */
  ports: PortSpec[];
}

export interface CompiledPolicy {
  key: string;
  namespace: string;
  types: Set<Direction>;
  selector: LabelSelector;
  ingress: RuleSpec[];
  egress: RuleSpec[];
}

/** Upstream's defaulting: Ingress always, Egress when there are egress rules. */
export function policyTypes(p: V1NetworkPolicy): Set<Direction> {
  const given = p.spec?.policyTypes;
  if (given && given.length > 0) {
    return new Set(
      given.map((t) => t.toLowerCase()).filter((t): t is Direction => t === 'ingress' || t === 'egress'),
    );
  }
  const types = new Set<Direction>(['ingress']);
  if ((p.spec?.egress ?? []).length > 0) types.add('egress');
  return types;
}

/** Pods that count as peers: with an address, not host-network, not finished. */
export function podHasIp(pod: V1Pod): boolean {
  if (pod.spec?.hostNetwork) return false;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  return podIps(pod).length > 0;
}

export function podIps(pod: V1Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips;
}

const protoOf = (p: string | undefined): Proto | undefined => {
  const v = (p ?? 'TCP').toLowerCase();
  return v === 'tcp' || v === 'udp' || v === 'sctp' ? v : undefined;
};

export interface Cluster {
  pods: V1Pod[];
  namespaces: V1Namespace[];
}

/**
 * Compiles one policy against the cluster's pods and namespaces. Throws (with a readable
 * message) for an invalid selector or protocol; the caller skips the policy's allowances and
 * keeps its isolation.
 */
export function compilePolicy(
  p: V1NetworkPolicy,
  cluster: Cluster,
  byNs: Map<string, V1Pod[]>,
): CompiledPolicy {
  const namespace = p.metadata?.namespace ?? 'default';
  const key = `${namespace}/${p.metadata?.name ?? ''}`;
  // An absent podSelector is invalid upstream; treat it as {} (all pods), as the defaulted form.
  const selector = fromLabelSelectorObject(p.spec?.podSelector ?? {});
  const peer = (x: V1NetworkPolicyPeer): PeerSpec => {
    if (x.ipBlock) return { ipBlock: { cidr: x.ipBlock.cidr, except: x.ipBlock.except ?? [] } };
    if (!x.podSelector && !x.namespaceSelector)
      throw new Error('a peer needs podSelector, namespaceSelector or ipBlock');
    const podSel = x.podSelector ? fromLabelSelectorObject(x.podSelector) : undefined;
    let candidates: V1Pod[];
    if (x.namespaceSelector) {
      const nsSel = fromLabelSelectorObject(x.namespaceSelector);
      candidates = [];
      for (const ns of cluster.namespaces) {
        if (!nsSel.matches(ns.metadata?.labels)) continue;
        candidates.push(...(byNs.get(ns.metadata?.name ?? '') ?? []));
      }
    } else candidates = byNs.get(namespace) ?? [];
    return { pods: podSel ? candidates.filter((pod) => podSel.matches(pod.metadata?.labels)) : candidates };
  };
  const ports = (list: V1NetworkPolicyPort[] | undefined): PortSpec[] =>
    (list ?? []).map((x) => {
      const proto = protoOf(x.protocol);
      if (!proto) throw new Error(`unsupported protocol ${JSON.stringify(x.protocol)}`);
      const port = x.port as number | string | undefined;
      if (port === undefined || port === null) return { proto };
      if (typeof port === 'string' && !/^\d+$/.test(port)) return { proto, name: port };
      const n = Number(port);
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`invalid port ${JSON.stringify(port)}`);
      if (x.endPort !== undefined && x.endPort !== null) {
        if (x.endPort < n || x.endPort > 65535) throw new Error(`invalid endPort ${x.endPort} for port ${n}`);
        return { proto, port: n, endPort: x.endPort };
      }
      return { proto, port: n };
    });
  return {
    key,
    namespace,
    types: policyTypes(p),
    selector,
    ingress: (p.spec?.ingress ?? []).map((r) => ({ peers: fromOf(r).map(peer), ports: ports(r.ports) })),
    egress: (p.spec?.egress ?? []).map((r) => ({ peers: (r.to ?? []).map(peer), ports: ports(r.ports) })),
  };
}

/**
 * An ingress rule's `from`: client-node's typed lists deserialize it as `_from`, while watch
 * events (and YAML) carry the wire name `from`.
 */
function fromOf(r: object): V1NetworkPolicyPeer[] {
  const x = r as { _from?: V1NetworkPolicyPeer[]; from?: V1NetworkPolicyPeer[] };
  return x._from ?? x.from ?? [];
}

/** A pod's container ports with this name and protocol (a named port may resolve to several). */
export function namedPorts(pod: V1Pod, name: string, proto: Proto): number[] {
  const out: number[] = [];
  for (const c of pod.spec?.containers ?? [])
    for (const p of c.ports ?? [])
      if (p.name === name && protoOf(p.protocol) === proto && !out.includes(p.containerPort))
        out.push(p.containerPort);
  return out;
}

/** Pods grouped by namespace, peers only (see podHasIp). */
export function podsByNamespace(pods: V1Pod[]): Map<string, V1Pod[]> {
  const m = new Map<string, V1Pod[]>();
  for (const pod of pods) {
    if (!podHasIp(pod)) continue;
    const ns = pod.metadata?.namespace ?? 'default';
    let list = m.get(ns);
    if (!list) {
      list = [];
      m.set(ns, list);
    }
    list.push(pod);
  }
  return m;
}
