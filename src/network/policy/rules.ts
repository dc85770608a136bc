/**
 * The NetworkPolicy ruleset for one address family, as a pure function of the caches. One
 * table (`ip skiff-policy` / `ip6 skiff-policy`) with two base chains:
 *
 *   forward (filter, after the service proxy's DNAT: it sees real pod addresses)
 *     ct state established,related accept        replies of allowed connections
 *     <saddr> vmap @egress                        local pod isolated for egress → its chain
 *     <daddr> vmap @ingress                       local pod isolated for ingress → its chain
 *   input (pods talking to the node itself, e.g. the cluster DNS on the node's loopback)
 *     ct state established,related accept
 *     <saddr> vmap @egress
 *
 * Each isolated local pod gets one chain per direction holding the allowances of every policy
 * that selects it (policies are additive): a match returns (egress: ingress is still checked)
 * or accepts (ingress); the chain ends in drop. Pods no policy selects are in neither map and
 * stay open. Traffic from the node's own addresses to its pods is always let in (probes).
 * Peers chosen by selectors are named sets of pod addresses (cluster-wide), one per policy
 * peer; ipBlocks are prefixes with anonymous except sets; named ports resolve against the
 * selected pod (ingress) or the peer pod (egress, an `addr . proto . port` set).
 */
import type { V1Namespace, V1NetworkPolicy, V1Pod } from '@kubernetes/client-node';
import { fromLabelSelectorObject, LabelSelector } from '../../api/selectors/labels.ts';
import {
  accept,
  addrOrPrefix,
  anonSet,
  concat,
  counter,
  ct,
  drop,
  jump,
  match,
  meta,
  payload,
  Ruleset,
  ret,
  type Statement,
  setRef,
  vmap,
} from '../nftables/index.ts';
import type { Expr } from '../nftables/types.ts';
import { objName } from '../proxy/names.ts';
import {
  type CompiledPolicy,
  compilePolicy,
  type Direction,
  namedPorts,
  type PeerSpec,
  type PortSpec,
  podHasIp,
  podIps,
  podsByNamespace,
} from './model.ts';

export type IpFamily = 'ip' | 'ip6';
export const defaultPolicyTable = 'skiff-policy';

export interface PolicyInput {
  policies: V1NetworkPolicy[];
  pods: V1Pod[];
  namespaces: V1Namespace[];
  /** Pods with this spec.nodeName are the ones this node enforces for. */
  nodeName: string;
  /** The node's own addresses: always allowed in to its pods. */
  nodeIps: string[];
  table?: string;
  warn?: (msg: string) => void;
}

export const chains = { forward: 'forward', input: 'input' } as const;
export const maps = { ingress: 'ingress', egress: 'egress' } as const;

const isV6 = (ip: string) => ip.includes(':');
const ofFamily = (family: IpFamily) => (ip: string) => (family === 'ip6') === isV6(ip);
const addrType = (family: IpFamily) => (family === 'ip' ? 'ipv4_addr' : 'ipv6_addr');

/** A CIDR with its host bits cleared (nft refuses them in a prefix), or null when invalid. */
export function normalizeCidr(cidr: string): string | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (m) {
    const bytes = m.slice(1, 5).map(Number);
    const len = Number(m[5]);
    if (bytes.some((b) => b > 255) || len > 32) return null;
    const n = bytes.reduce((a, b) => a * 256 + b, 0);
    const mask = len === 0 ? 0 : 2 ** 32 - 2 ** (32 - len);
    const net = Number((BigInt(n) & BigInt(mask)).toString());
    return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${len}`;
  }
  if (/^[0-9a-fA-F:]+\/\d{1,3}$/.test(cidr) && cidr.includes(':') && Number(cidr.split('/')[1]) <= 128)
    return cidr;
  return null;
}

export function buildPolicyRuleset(input: PolicyInput, family: IpFamily): Ruleset {
  const rs = new Ruleset(family, input.table ?? defaultPolicyTable);
  const warn = input.warn ?? (() => {});
  const fam = ofFamily(family);
  const saddr = payload(family, 'saddr');
  const daddr = payload(family, 'daddr');
  const established = match(ct('state'), 'in', ['established', 'related']);
  rs.chain(chains.forward, { type: 'filter', hook: 'forward', prio: 0, policy: 'accept' });
  rs.chain(chains.input, { type: 'filter', hook: 'input', prio: 0, policy: 'accept' });
  const ingressMap = rs.set(maps.ingress, { type: addrType(family), map: 'verdict' });
  const egressMap = rs.set(maps.egress, { type: addrType(family), map: 'verdict' });
  rs.rule(chains.forward, [established, accept()]);
  rs.rule(chains.forward, [vmap(saddr, setRef(maps.egress))]);
  rs.rule(chains.forward, [vmap(daddr, setRef(maps.ingress))]);
  rs.rule(chains.input, [established, accept()]);
  rs.rule(chains.input, [vmap(saddr, setRef(maps.egress))]);

  const byNs = podsByNamespace(input.pods);
  const compiled: CompiledPolicy[] = [];
  const sorted = [...input.policies].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  for (const p of sorted) {
    try {
      compiled.push(compilePolicy(p, input, byNs));
    } catch (e) {
      // Isolation still applies; the broken policy allows nothing.
      warn(`NetworkPolicy ${keyOf(p)}: ${(e as Error).message}; it allows no traffic`);
      compiled.push({
        key: keyOf(p),
        namespace: p.metadata?.namespace ?? 'default',
        types: new Set(policyTypesSafe(p)),
        selector: safeSelector(p),
        ingress: [],
        egress: [],
      });
    }
  }
  // Terminating pods last: when an address is reused, the live pod's rules win.
  const local = input.pods
    .filter((pod) => pod.spec?.nodeName === input.nodeName && podHasIp(pod) && podIps(pod).some(fam))
    .sort((a, b) => Number(!!a.metadata?.deletionTimestamp) - Number(!!b.metadata?.deletionTimestamp));
  const claimed = new Set<string>();
  const nodeIps = input.nodeIps.filter(fam);
  const peerSets = new Set<string>();
  const everyone = [...byNs.values()].flat();

  for (const pod of local) {
    const ns = pod.metadata?.namespace ?? 'default';
    const id = `${ns}/${pod.metadata?.name ?? ''}`;
    const ips = podIps(pod).filter((ip) => fam(ip) && !claimed.has(ip));
    for (const ip of ips) claimed.add(ip);
    if (ips.length === 0) continue;
    for (const dir of ['ingress', 'egress'] as const) {
      const selecting = compiled.filter(
        (c) => c.namespace === ns && c.types.has(dir) && c.selector.matches(pod.metadata?.labels),
      );
      if (selecting.length === 0) continue;
      const chain = objName(dir === 'ingress' ? 'in' : 'eg', id);
      rs.chain(chain);
      if (dir === 'ingress' && nodeIps.length)
        rs.rule(chain, [match(saddr, '==', anonSet(nodeIps)), accept()], 'from the node');
      for (const c of selecting) {
        c[dir].forEach((rule, ri) => {
          const ruleId = `${c.key}/${dir}/${ri}`;
          const ctx = { rs, family, dir, pod, ruleId, peerSets, everyone, warn };
          for (const alt of alternatives(ctx, rule.peers, rule.ports))
            rs.rule(chain, [...alt, dir === 'ingress' ? accept() : ret()], comment(ruleId));
        });
      }
      rs.rule(chain, [counter(), drop()], `${dir} isolated`);
      const target = dir === 'ingress' ? ingressMap : egressMap;
      for (const ip of ips) target.push([ip, jump(chain)]);
    }
  }
  return rs;
}

/** nft keeps at most 128 bytes of a comment. */
const comment = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}...` : s);

const keyOf = (p: V1NetworkPolicy) => `${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''}`;

function policyTypesSafe(p: V1NetworkPolicy): Direction[] {
  const given = p.spec?.policyTypes;
  if (given?.length) return given.map((t) => t.toLowerCase() as Direction);
  return (p.spec?.egress ?? []).length ? ['ingress', 'egress'] : ['ingress'];
}

function safeSelector(p: V1NetworkPolicy): LabelSelector {
  // A policy whose own podSelector is broken selects nothing (it cannot be evaluated).
  try {
    return fromLabelSelectorObject(p.spec?.podSelector ?? {});
  } catch {
    return LabelSelector.nothing();
  }
}

/**
 * The match alternatives of one rule for one selected pod: peers × ports, each a list of
 * statements; no peers or no ports mean "any". A rule that can match nothing yields none.
 */
interface AltContext {
  rs: Ruleset;
  family: IpFamily;
  dir: Direction;
  /** The selected local pod whose chain this is. */
  pod: V1Pod;
  ruleId: string;
  /** Named sets already filled (they are shared by all pods a policy selects). */
  peerSets: Set<string>;
  /** Every peer pod in the cluster. */
  everyone: V1Pod[];
  warn: (msg: string) => void;
}

function alternatives(ctx: AltContext, peers: PeerSpec[], ports: PortSpec[]): Statement[][] {
  const { rs, family, dir, pod, ruleId, peerSets, warn } = ctx;
  const fam = ofFamily(family);
  const peerAddr = payload(family, dir === 'ingress' ? 'saddr' : 'daddr');
  const proto = meta('l4proto');
  const dport = payload('th', 'dport');
  const out: Statement[][] = [];
  const peerList: (PeerSpec | null)[] = peers.length ? peers : [null];
  const portList: (PortSpec | null)[] = ports.length ? ports : [null];
  for (const [pi, peer] of peerList.entries()) {
    let peerMatch: Statement[] = [];
    if (peer?.ipBlock) {
      const cidr = normalizeCidr(peer.ipBlock.cidr);
      if (!cidr) {
        warn(`${ruleId}: invalid ipBlock cidr ${JSON.stringify(peer.ipBlock.cidr)}; ignored`);
        continue;
      }
      if (!fam(cidr)) continue;
      peerMatch = [match(peerAddr, '==', addrOrPrefix(cidr))];
      const except = peer.ipBlock.except
        .map((e) => normalizeCidr(e))
        .filter((e): e is string => !!e && fam(e));
      if (except.length) peerMatch.push(match(peerAddr, '!=', anonSet(except.map(addrOrPrefix))));
    } else if (peer?.pods) {
      const name = objName('peer', `${ruleId}/${pi}`);
      if (!peerSets.has(name)) {
        peerSets.add(name);
        const elems = rs.set(name, { type: addrType(family), comment: comment(ruleId) });
        const seen = new Set<string>();
        for (const p of peer.pods)
          for (const ip of podIps(p))
            if (fam(ip) && !seen.has(ip)) {
              seen.add(ip);
              elems.push(ip);
            }
      }
      peerMatch = [match(peerAddr, '==', setRef(name))];
    }
    for (const [qi, port] of portList.entries()) {
      if (!port) {
        out.push(peerMatch);
        continue;
      }
      const l4 = match(proto, '==', port.proto);
      if (port.name === undefined) {
        if (port.port === undefined) {
          out.push([...peerMatch, l4]);
          continue;
        }
        const value: Expr = port.endPort ? { range: [port.port, port.endPort] } : port.port;
        out.push([...peerMatch, l4, match(dport, '==', value)]);
        continue;
      }
      if (dir === 'ingress') {
        const numbers = namedPorts(pod, port.name, port.proto);
        if (numbers.length) out.push([...peerMatch, l4, match(dport, '==', anonSet(numbers))]);
        continue;
      }
      // Egress to a named port: the destination pod's own port of that name.
      if (peer?.ipBlock) continue; // not a pod: a name means nothing
      const name = objName('named', `${ruleId}/${pi}/${qi}`);
      const elems = rs.set(name, {
        type: [addrType(family), 'inet_proto', 'inet_service'],
        comment: comment(ruleId),
      });
      if (!peerSets.has(name)) {
        peerSets.add(name);
        const candidates = peer?.pods ?? ctx.everyone;
        const seen = new Set<string>();
        for (const p of candidates)
          for (const n of namedPorts(p, port.name, port.proto))
            for (const ip of podIps(p))
              if (fam(ip) && !seen.has(`${ip}/${n}`)) {
                seen.add(`${ip}/${n}`);
                elems.push(concat(ip, port.proto, n));
              }
      }
      out.push([...peerMatch, match(concat(peerAddr, proto, dport), '==', setRef(name))]);
    }
  }
  return out;
}
