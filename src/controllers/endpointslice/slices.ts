/**
 * The EndpointSlice reconciler's core (upstream's endpointslice reconciler
 * reconcileByPortMapping + finalize), as a pure function: given the slices a controller
 * owns for one Service and the endpoints it wants per port mapping, which slices to create,
 * update and delete. Existing slices keep their endpoints where they can, so churn is small.
 */
import type { KubeObject } from '../../api/object.ts';

export interface SlicePort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  targetRef?: { kind?: string; namespace?: string; name?: string; uid?: string };
  nodeName?: string;
  zone?: string;
}

export interface EndpointSlice extends KubeObject {
  addressType: string;
  endpoints: SliceEndpoint[];
  ports?: SlicePort[];
}

/** What one port mapping of one address type should hold. */
export interface DesiredGroup {
  readonly addressType: string;
  readonly ports: SlicePort[];
  readonly endpoints: SliceEndpoint[];
}

export const maxEndpointsPerSlice = 100;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** upstream's NewPortMapKey: the port set, order aside, plus the address type. */
export function portMapKey(addressType: string, ports: readonly SlicePort[] | undefined): string {
  const each = (ports ?? []).map((p) =>
    JSON.stringify([p.name ?? '', p.port ?? 0, p.protocol ?? '', p.appProtocol ?? '']),
  );
  return `${addressType}|${each.sort(compare).join(',')}`;
}

/** upstream's hashEndpoint: addresses, hostname and the target's name identify an endpoint. */
export function endpointKey(e: SliceEndpoint): string {
  const ref = e.targetRef ? `${e.targetRef.namespace ?? ''}/${e.targetRef.name ?? ''}` : '';
  return JSON.stringify([[...e.addresses].sort(compare), e.hostname ?? '', ref]);
}

export interface SliceChanges {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export interface ReconcileOptions {
  /** A new, unnamed slice for a port mapping (generateName, labels, owner set). */
  readonly newSlice: (group: DesiredGroup) => EndpointSlice;
  /** The labels a slice should carry; a difference alone makes it an update. */
  readonly labelsFor: (slice: EndpointSlice) => Record<string, string>;
  /** Create a placeholder slice when there is nothing else (the Service controller does). */
  readonly placeholder?: (addressType: string) => EndpointSlice;
  readonly maxPerSlice?: number;
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** Equal as JSON, key order aside. */
export const sameJSON = (a: unknown, b: unknown) =>
  JSON.stringify(canonical(a) ?? null) === JSON.stringify(canonical(b) ?? null);
const same = sameJSON;

function byPortMapping(
  existing: EndpointSlice[],
  group: DesiredGroup,
  o: ReconcileOptions,
  out: SliceChanges,
): void {
  const max = o.maxPerSlice ?? maxEndpointsPerSlice;
  const desired = new Map(group.endpoints.map((e) => [endpointKey(e), e]));
  const toUpdate: EndpointSlice[] = [];
  const unchanged: EndpointSlice[] = [];
  for (const slice of existing) {
    const kept: SliceEndpoint[] = [];
    let changed = false;
    for (const e of slice.endpoints ?? []) {
      const key = endpointKey(e);
      const want = desired.get(key);
      if (!want) continue;
      kept.push(want);
      if (!same(want, e)) changed = true;
      desired.delete(key);
    }
    const labels = o.labelsFor(slice);
    const labelsChanged = !same(labels, slice.metadata.labels ?? {});
    if (changed || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) out.delete.push(slice);
      else
        toUpdate.push({
          ...structuredClone(slice),
          endpoints: kept,
          metadata: { ...slice.metadata, labels },
        });
    } else if (labelsChanged) {
      toUpdate.push({ ...structuredClone(slice), metadata: { ...slice.metadata, labels } });
    } else unchanged.push(slice);
  }
  const left = [...desired.entries()].sort(([a], [b]) => compare(a, b)).map(([, e]) => e);
  // Fill the slices that change anyway, fullest first.
  for (const slice of [...toUpdate].sort((a, b) => b.endpoints.length - a.endpoints.length)) {
    while (left.length > 0 && slice.endpoints.length < max) slice.endpoints.push(left.shift()!);
  }
  while (left.length > 0) {
    let fill: EndpointSlice | undefined;
    if (left.length < max) {
      // The unchanged slice closest to full that can take all that is left.
      let best = max;
      for (const s of unchanged) {
        const diff = max - (left.length + s.endpoints.length);
        if (diff >= 0 && diff < best) {
          best = diff;
          fill = s;
        }
      }
    }
    if (fill) {
      unchanged.splice(unchanged.indexOf(fill), 1);
      fill = structuredClone(fill);
      toUpdate.push(fill);
    } else {
      fill = o.newSlice(group);
      out.create.push(fill);
    }
    while (left.length > 0 && fill.endpoints.length < max) fill.endpoints.push(left.shift()!);
  }
  out.update.push(...toUpdate);
}

/**
 * Reconciles one owner's slices: `existing` are the slices it manages (not being deleted),
 * `groups` what it wants. Creates that could reuse a slice about to be deleted become updates
 * of it (upstream's finalize), so names stay stable.
 */
export function reconcileSlices(
  existing: readonly EndpointSlice[],
  groups: readonly DesiredGroup[],
  addressTypes: readonly string[],
  o: ReconcileOptions,
): SliceChanges {
  const out: SliceChanges = { create: [], update: [], delete: [] };
  const wanted = new Map(groups.map((g) => [portMapKey(g.addressType, g.ports), g]));
  const byKey = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    if (!addressTypes.includes(slice.addressType)) {
      out.delete.push(slice);
      continue;
    }
    const key = portMapKey(slice.addressType, slice.ports);
    if (!wanted.has(key)) out.delete.push(slice);
    else byKey.set(key, [...(byKey.get(key) ?? []), slice]);
  }
  for (const [key, group] of wanted) byPortMapping(byKey.get(key) ?? [], group, o, out);
  if (o.placeholder) {
    for (const addressType of addressTypes) {
      const ofType = existing.filter((s) => s.addressType === addressType);
      const deleting = out.delete.filter((s) => s.addressType === addressType);
      const creating = out.create.some((s) => s.addressType === addressType);
      if (creating || ofType.length !== deleting.length) continue;
      const holder = deleting.find((s) => (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0);
      if (holder) out.delete.splice(out.delete.indexOf(holder), 1);
      else out.create.push(o.placeholder(addressType));
    }
  }
  // Turn creates into updates of slices that would otherwise be deleted.
  for (let i = 0; i < out.delete.length && out.create.length > 0; ) {
    const old = out.delete[i]!;
    const j = out.create.findIndex((s) => s.addressType === old.addressType);
    if (j < 0) {
      i++;
      continue;
    }
    const [made] = out.create.splice(j, 1);
    const { generateName: _g, ...meta } = made!.metadata;
    out.update.push({ ...made!, metadata: { ...old.metadata, ...meta, name: old.metadata.name } });
    out.delete.splice(i, 1);
  }
  return out;
}
