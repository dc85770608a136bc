/**
 * One Service's share of the table — its chains, affinity sets and map elements — built as a
 * fragment and cached per Service object: an update that changes one Service's endpoints
 * rebuilds one fragment, and the others (same objects, hence the same rule arrays) cost the diff
 * an identity check. Service and EndpointSlice objects are treated as immutable, as informer
 * caches hand them out; a changed resourceVersion also invalidates.
 */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import {
  addrOrPrefix,
  anonSet,
  concat,
  dnat,
  dnatMap,
  drop,
  type Expr,
  fib,
  goto,
  jump,
  match,
  meta,
  numgenRandom,
  type RuleSpec,
  type SetSpec,
  type Statement,
  setRef,
  updateSet,
  vmap,
} from '../nftables/index.ts';
import * as names from './names.ts';
import { chains, sets } from './names.ts';
import {
  type Endpoint,
  type IpFamily,
  portsOfService,
  type ServicePort,
  usableEndpoints,
} from './service-ports.ts';

export interface FragmentCtx {
  family: IpFamily;
  addrType: string;
  saddr: Expr;
  nodeName: string;
  familyNodeIps: string[];
  /** The cluster (or pod) CIDRs of this family: traffic from here is pod traffic. */
  podRanges: string[];
}

export interface FragmentElement {
  set: string;
  /** `10.43.0.1 . tcp . 80`: what two Services may not both claim. */
  key: string;
  /** Key and value: what the diff compares. */
  sig: string;
  elem: Expr;
}

export interface Fragment {
  chains: [string, RuleSpec[]][];
  sets: [string, Omit<SetSpec, 'elements'>][];
  elements: FragmentElement[];
}

/** `10.43.0.1 . tcp . 80` for the keys this module builds (strings, numbers, concatenations). */
export function elementKey(e: Expr): string {
  if (typeof e === 'object' && !Array.isArray(e) && 'concat' in e)
    return e.concat.map(elementKey).join(' . ');
  return typeof e === 'object' ? JSON.stringify(e) : String(e);
}

function addElem(f: Fragment, set: string, key: Expr, value?: Expr): void {
  const k = elementKey(key);
  if (value === undefined) f.elements.push({ set, key: k, sig: k, elem: key });
  else f.elements.push({ set, key: k, sig: `${k} : ${JSON.stringify(value)}`, elem: [key, value] });
}

const fillChain = (f: Fragment, chain: string, rules: Statement[][]) =>
  f.chains.push([chain, rules.map((expr) => ({ expr }))]);

interface Cached {
  ctxKey: string;
  resourceVersion: string | undefined;
  slices: V1EndpointSlice[];
  fragment: Fragment;
}
const cache = new WeakMap<V1Service, Cached>();

/** The Service's fragment, from the cache when the Service, its slices and the context are the same. */
export function serviceFragment(
  ctx: FragmentCtx,
  svc: V1Service,
  slices: V1EndpointSlice[],
  warn: (msg: string) => void,
): Fragment {
  const ctxKey = `${ctx.family}|${ctx.nodeName}|${ctx.familyNodeIps.join(',')}|${ctx.podRanges.join(',')}`;
  const hit = cache.get(svc);
  if (
    hit &&
    hit.ctxKey === ctxKey &&
    hit.resourceVersion === svc.metadata?.resourceVersion &&
    hit.slices.length === slices.length &&
    hit.slices.every((s, i) => s === slices[i])
  ) {
    return hit.fragment;
  }
  const fragment: Fragment = { chains: [], sets: [], elements: [] };
  for (const sp of portsOfService(svc, slices, ctx.family, ctx.nodeName, ctx.familyNodeIps, warn)) {
    servicePortRules(ctx, fragment, sp);
  }
  cache.set(svc, { ctxKey, resourceVersion: svc.metadata?.resourceVersion, slices: [...slices], fragment });
  return fragment;
}

/**
 * Random choice among endpoints: one DNAT through a numgen map, or with ClientIP affinity the
 * affinity lookups and a numgen vmap to per-endpoint chains. Null when there are none.
 */
function selectionRules(ctx: FragmentCtx, sp: ServicePort, eps: Endpoint[]): Statement[][] | null {
  if (eps.length === 0) return null;
  const l4 = match(meta('l4proto'), '==', sp.proto);
  if (sp.affinitySeconds === undefined) {
    if (eps.length === 1) return [[l4, dnat(eps[0]!.ip, eps[0]!.port)]];
    const targets = eps.map((e, i) => [i, concat(e.ip, e.port)] as Expr);
    return [[l4, dnatMap(ctx.family, numgenRandom(eps.length), targets)]];
  }
  const out: Statement[][] = [];
  for (const e of eps) {
    out.push([
      match(ctx.saddr, '==', setRef(names.affinitySet(sp.id, e.ip, e.port))),
      goto(names.endpointChain(sp.id, e.ip, e.port)),
    ]);
  }
  if (eps.length === 1) {
    out.push([goto(names.endpointChain(sp.id, eps[0]!.ip, eps[0]!.port))]);
  } else {
    const branches = eps.map((e, i) => [i, goto(names.endpointChain(sp.id, e.ip, e.port))] as Expr);
    out.push([vmap(numgenRandom(eps.length), anonSet(branches))]);
  }
  return out;
}

function servicePortRules(ctx: FragmentCtx, f: Fragment, sp: ServicePort): void {
  const usable = usableEndpoints(sp.endpoints);
  const local = usable.filter((e) => e.local);
  const hasExternal = sp.externalIps.length > 0 || sp.nodePort !== undefined;
  const needsLocal = sp.internalLocal || (sp.externalLocal && hasExternal);
  const clusterSel = selectionRules(ctx, sp, usable);
  const localSel = needsLocal ? selectionRules(ctx, sp, local) : null;
  const svcChain = names.serviceChain(sp.id);
  const svlChain = names.localChain(sp.id);
  const proto = sp.proto;
  const refuse = goto(chains.rejectChain);

  for (const e of usable) addElem(f, sets.hairpin, concat(e.ip, e.ip));
  // With affinity, one chain per endpoint remembers the client, then DNATs.
  if (sp.affinitySeconds !== undefined) {
    for (const e of usable) {
      const set = names.affinitySet(sp.id, e.ip, e.port);
      f.sets.push([set, { type: ctx.addrType, flags: ['timeout'], timeout: sp.affinitySeconds }]);
      fillChain(f, names.endpointChain(sp.id, e.ip, e.port), [
        [updateSet(set, ctx.saddr)],
        [match(meta('l4proto'), '==', proto), dnat(e.ip, e.port)],
      ]);
    }
  }
  // The cluster-wide chain serves the ClusterIP (policy Cluster) and external traffic.
  if (clusterSel && (!sp.internalLocal || hasExternal)) fillChain(f, svcChain, clusterSel);
  if (localSel) fillChain(f, svlChain, localSel);

  // Cluster IPs.
  const internalSel = sp.internalLocal ? localSel : clusterSel;
  for (const ip of sp.clusterIps) {
    addElem(f, sets.clusterIps, ip);
    const key = concat(ip, proto, sp.port);
    if (internalSel) addElem(f, sets.serviceIps, key, goto(sp.internalLocal ? svlChain : svcChain));
    // internalTrafficPolicy Local without a local endpoint drops, as kube-proxy does.
    else addElem(f, sets.noEndpointServices, key, clusterSel ? drop() : refuse);
  }

  // External destinations: externalIPs, LoadBalancer ingress, NodePort.
  if (!hasExternal) return;
  const extChain = names.externalChain(sp.id);
  if (!clusterSel) {
    for (const ip of sp.externalIps) addElem(f, sets.noEndpointServices, concat(ip, proto, sp.port), refuse);
    if (sp.nodePort) addElem(f, sets.noEndpointNodePorts, concat(proto, sp.nodePort), refuse);
    return;
  }
  if (!sp.externalLocal) {
    fillChain(f, extChain, [[jump(chains.markForMasquerade)], [goto(svcChain)]]);
  } else {
    const rules: Statement[][] = [];
    // Pods and the node itself may use any endpoint; only outside clients keep their address.
    for (const cidr of ctx.podRanges)
      rules.push([match(ctx.saddr, '==', addrOrPrefix(cidr)), goto(svcChain)]);
    rules.push([match(fib(['saddr'], 'type'), '==', 'local'), jump(chains.markForMasquerade)]);
    rules.push([match(fib(['saddr'], 'type'), '==', 'local'), goto(svcChain)]);
    rules.push(localSel ? [goto(svlChain)] : [drop()]);
    fillChain(f, extChain, rules);
  }
  for (const ip of sp.externalIps) addElem(f, sets.serviceIps, concat(ip, proto, sp.port), goto(extChain));
  if (sp.nodePort) addElem(f, sets.serviceNodePorts, concat(proto, sp.nodePort), goto(extChain));
}
