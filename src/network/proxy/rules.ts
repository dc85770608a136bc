/**
 * The Service proxy as one nftables table per IP family, built from the agent's caches by a pure
 * function (kube-proxy's nftables mode, pkg/proxy/nftables, in skiff's own words):
 *
 *   nat-prerouting / nat-output ─► services:
 *       client outside the cluster CIDR → @cluster-ips: mark for masquerade
 *       daddr . proto . port vmap @service-ips        (cluster IPs, external IPs, LB ingress)
 *       node address . proto . port vmap @service-nodeports
 *   svc-… : one rule, `dnat to numgen random mod N map { i : endpoint . port }`; with
 *           ClientIP affinity: affinity sets first, then numgen → ep-… chains (update, dnat)
 *   svl-… : the same over this node's endpoints only (internal/externalTrafficPolicy Local)
 *   ext-… : Cluster → mark for masquerade, goto svc-…; Local → keep the client's address
 *   nat-postrouting ─► masquerading: marked packets, and hairpin (an endpoint reaching itself
 *       through its Service: saddr . daddr in @hairpin); cluster CIDR → outside: masquerade
 *   filter input/forward/output ─► reject new connections to Services without endpoints
 *
 * Endpoints live in the rule of their Service's chain, not in chains of their own, so the table
 * holds about one rule per Service port: nft's time per transaction grows with the table.
 */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import {
  addrOrPrefix,
  anonSet,
  bitAnd,
  bitOr,
  bitXor,
  concat,
  ct,
  drop,
  type Expr,
  fib,
  jump,
  masquerade,
  match,
  meta,
  payload,
  Ruleset,
  reject,
  ret,
  type Statement,
  setMark,
  setRef,
  vmap,
} from '../nftables/index.ts';
import { chains, defaultTable, masqueradeMark, sets } from './names.ts';
import { familyOf, type IpFamily, skipsProxy, sliceKey, slicesByService } from './service-ports.ts';
import { elementKey, type FragmentCtx, type FragmentElement, serviceFragment } from './service-rules.ts';

export interface ProxyInput {
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
  nodeName: string;
  /** The node's addresses: NodePorts answer on these (all local addresses when none of a family). */
  nodeIps: string[];
  /** The cluster CIDR(s), comma-separated for dual-stack (`10.42.0.0/16,fd00:42::/56`). */
  clusterCidr?: string;
  /** This node's pod CIDR(s); used to tell pod traffic when no cluster CIDR is given. */
  podCidr?: string;
  /** Masquerade all traffic to Service IPs, not only traffic from outside the cluster CIDR. */
  masqueradeAll?: boolean;
  /** The table name; default `skiff`. */
  table?: string;
  warn?: (msg: string) => void;
}

export { chains, defaultTable, masqueradeMark, sets };

const cidrsOf = (list: string | undefined, family: IpFamily): string[] =>
  (list ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c && familyOf(c.split('/')[0]!) === family);

interface Ctx extends FragmentCtx {
  rs: Ruleset;
  daddr: Expr;
  masqueradeAll: boolean;
}

/** Builds the table for one IP family. Pure: the same caches give the same Ruleset. */
export function buildRuleset(input: ProxyInput, family: IpFamily = 'ip'): Ruleset {
  const rs = new Ruleset(family, input.table ?? defaultTable);
  const clusterRanges = cidrsOf(input.clusterCidr, family);
  const nodeIps = input.nodeIps.filter((ip) => familyOf(ip) === family);
  const ctx: Ctx = {
    rs,
    family,
    addrType: family === 'ip' ? 'ipv4_addr' : 'ipv6_addr',
    saddr: payload(family, 'saddr'),
    daddr: payload(family, 'daddr'),
    nodeName: input.nodeName,
    familyNodeIps: nodeIps,
    podRanges: clusterRanges.length ? clusterRanges : cidrsOf(input.podCidr, family),
    masqueradeAll: input.masqueradeAll ?? false,
  };
  baseSkeleton(ctx, nodeIps, clusterRanges);
  for (const set of rs.sets.values()) {
    set.index = new Map(set.elements.map((e) => [elementKey(e), { elem: e, sig: elementKey(e) }]));
  }
  const warn = input.warn ?? (() => {});
  const bySvc = slicesByService(input.endpointSlices, family);
  for (const svc of input.services) {
    if (skipsProxy(svc)) continue;
    const slices = bySvc.get(sliceKey(svc.metadata?.namespace ?? 'default', svc.metadata?.name ?? '')) ?? [];
    const fragment = serviceFragment(ctx, svc, slices, warn);
    for (const [name, rules] of fragment.chains) rs.chains.set(name, { rules });
    for (const [name, spec] of fragment.sets) rs.set(name, spec);
    for (const e of fragment.elements) addElement(rs, e, warn);
  }
  return rs;
}

/** Shared elements (one endpoint in two Services' hairpin) are fine; a claimed key is not. */
const sharedSets: ReadonlySet<string> = new Set([sets.hairpin, sets.clusterIps, sets.nodePortIps]);

/** Adds an element; of two Services claiming one address and port, the first one wins. */
function addElement(rs: Ruleset, e: FragmentElement, warn: (msg: string) => void): void {
  const set = rs.sets.get(e.set)!;
  const index = set.index!;
  if (index.has(e.key)) {
    if (!sharedSets.has(e.set))
      warn(`${e.set}: ${e.key} is claimed by more than one Service; keeping the first`);
    return;
  }
  index.set(e.key, { elem: e.elem, sig: e.sig });
  set.elements.push(e.elem);
}

/** Both families' tables. */
export function buildRulesets(input: ProxyInput, families: IpFamily[] = ['ip', 'ip6']): Ruleset[] {
  return families.map((f) => buildRuleset(input, f));
}

function baseSkeleton(ctx: Ctx, nodeIps: string[], clusterRanges: string[]): void {
  const { rs, addrType, daddr, saddr } = ctx;
  const svcKey = ['inet_proto', 'inet_service'];
  rs.set(sets.serviceIps, { type: [addrType, ...svcKey], map: 'verdict' });
  rs.set(sets.serviceNodePorts, { type: svcKey, map: 'verdict' });
  rs.set(sets.noEndpointServices, { type: [addrType, ...svcKey], map: 'verdict' });
  rs.set(sets.noEndpointNodePorts, { type: svcKey, map: 'verdict' });

  // NodePorts answer on the node's addresses; without any, on every local address but loopback.
  const loopback = ctx.family === 'ip' ? '127.0.0.0/8' : '::1';
  const onNode: Statement[] = nodeIps.length
    ? [match(daddr, '==', setRef(sets.nodePortIps))]
    : [match(fib(['daddr'], 'type'), '==', 'local'), match(daddr, '!=', addrOrPrefix(loopback))];
  if (nodeIps.length) rs.set(sets.nodePortIps, { type: addrType, elements: [...new Set(nodeIps)] });
  const proto = meta('l4proto');
  const dport = payload('th', 'dport');

  rs.chain(chains.natPrerouting, { type: 'nat', hook: 'prerouting', prio: -100 });
  rs.chain(chains.natOutput, { type: 'nat', hook: 'output', prio: -100 });
  rs.chain(chains.natPostrouting, { type: 'nat', hook: 'postrouting', prio: 100 });
  rs.rule(chains.natPrerouting, [jump(chains.services)]);
  rs.rule(chains.natOutput, [jump(chains.services)]);
  rs.rule(chains.natPostrouting, [jump(chains.masquerading)]);
  rs.rule(chains.natPostrouting, [jump(chains.clusterEgress)]);

  rs.chain(chains.services);
  rs.set(sets.clusterIps, { type: addrType });
  if (ctx.masqueradeAll) {
    rs.rule(chains.services, [match(daddr, '==', setRef(sets.clusterIps)), jump(chains.markForMasquerade)]);
  } else if (ctx.podRanges.length) {
    const pods =
      ctx.podRanges.length === 1 ? addrOrPrefix(ctx.podRanges[0]!) : anonSet(ctx.podRanges.map(addrOrPrefix));
    rs.rule(chains.services, [
      match(saddr, '!=', pods),
      match(daddr, '==', setRef(sets.clusterIps)),
      jump(chains.markForMasquerade),
    ]);
  }
  rs.rule(chains.services, [vmap(concat(daddr, proto, dport), setRef(sets.serviceIps))]);
  rs.rule(chains.services, [...onNode, vmap(concat(proto, dport), setRef(sets.serviceNodePorts))]);

  // Connections to Services without endpoints are refused before DNAT would be tried.
  for (const [name, hook] of [
    [chains.filterInput, 'input'],
    [chains.filterForward, 'forward'],
    [chains.filterOutput, 'output'],
  ] as const) {
    rs.chain(name, { type: 'filter', hook, prio: -110 });
    rs.rule(name, [match(ct('state'), 'in', 'new'), jump(chains.endpointsCheck)]);
  }
  // A node IP on loopback means route_localnet is on (host-settings.ts): what arrives for
  // 127.0.0.0/8 from another interface must not open connections to loopback services.
  if (ctx.family === 'ip' && nodeIps.some((ip) => ip.startsWith('127.'))) {
    rs.rule(
      chains.filterInput,
      [
        match(meta('iifname'), '!=', 'lo'),
        match(daddr, '==', addrOrPrefix('127.0.0.0/8')),
        match(ct('state'), 'in', 'new'),
        drop(),
      ],
      'no new connections to loopback from outside (route_localnet)',
    );
  }
  rs.chain(chains.endpointsCheck);
  rs.rule(chains.endpointsCheck, [vmap(concat(daddr, proto, dport), setRef(sets.noEndpointServices))]);
  rs.rule(chains.endpointsCheck, [...onNode, vmap(concat(proto, dport), setRef(sets.noEndpointNodePorts))]);
  rs.chain(chains.rejectChain);
  rs.rule(chains.rejectChain, [reject()]);

  rs.chain(chains.markForMasquerade);
  rs.rule(chains.markForMasquerade, [setMark(bitOr(meta('mark'), masqueradeMark))]);
  rs.chain(chains.masquerading);
  rs.rule(chains.masquerading, [match(bitAnd(meta('mark'), masqueradeMark), '==', 0), ret()]);
  rs.rule(chains.masquerading, [setMark(bitXor(meta('mark'), masqueradeMark)), masquerade()]);
  rs.set(sets.hairpin, { type: [addrType, addrType] });
  rs.rule(
    chains.natPostrouting,
    // Only connections the proxy DNATed: 127.0.0.1 → 127.0.0.1 is also every local connection
    // to a loopback endpoint (the API server behind `kubernetes`), which must stay untouched.
    [
      match(ct('status'), 'in', 'dnat'),
      match(concat(saddr, daddr), '==', setRef(sets.hairpin)),
      masquerade(),
    ],
    'hairpin',
  );

  // Pods reaching outside the cluster CIDR leave with the node's address; pod to pod is not NATed.
  rs.chain(chains.clusterEgress);
  for (const cidr of clusterRanges) {
    rs.rule(
      chains.clusterEgress,
      [match(saddr, '==', addrOrPrefix(cidr)), match(daddr, '!=', addrOrPrefix(cidr)), masquerade()],
      'pod traffic leaving the cluster CIDR',
    );
  }
}
