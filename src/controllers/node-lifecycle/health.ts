/**
 * upstream's tryUpdateNodeHealth and ComputeZoneState (node_lifecycle_controller.go) as pure
 * functions: what the controller remembers of a node's heartbeats, and when a node that
 * stopped posting status (and renewing its Lease) has its conditions turned Unknown.
 */
import { isObject, type KubeObject, timestamp } from '../../api/object.ts';
import { conditionsOf, type NodeCondition, readyCondition } from './taints.ts';

export interface NodeHealth {
  /** When the controller last saw a sign of life (status heartbeat or Lease renewal). */
  readonly probeTimestamp: number;
  readonly readyTransitionTimestamp: number;
  /** The Ready condition as last seen. */
  readonly savedReady: NodeCondition | undefined;
  /** The Lease's spec.renewTime as last seen. */
  readonly leaseRenew: string | undefined;
}

export interface HealthOptions {
  readonly gracePeriodMs: number;
  readonly startupGracePeriodMs: number;
}

export interface HealthResult {
  readonly gracePeriodMs: number;
  /** The Ready condition before this check (a made-up Unknown one when the node has none). */
  readonly observed: NodeCondition;
  /** The Ready condition after it. */
  readonly current: NodeCondition | undefined;
  readonly health: NodeHealth;
  /** The node with its conditions changed, when its status must be written. */
  readonly updated?: KubeObject;
}

/** Conditions the controller turns Unknown (NetworkUnavailable is the network's to set). */
const monitored = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

const renewMs = (s: string | undefined) => (s ? Date.parse(s) : Number.NaN);
const sameCondition = (a: NodeCondition | undefined, b: NodeCondition | undefined) =>
  JSON.stringify(a && [a.type, a.status, a.lastHeartbeatTime, a.lastTransitionTime, a.reason, a.message]) ===
  JSON.stringify(b && [b.type, b.status, b.lastHeartbeatTime, b.lastTransitionTime, b.reason, b.message]);

export function leaseRenewTime(lease: KubeObject | undefined): string | undefined {
  const spec = lease && isObject(lease.spec) ? lease.spec : {};
  return typeof spec.renewTime === 'string' ? spec.renewTime : undefined;
}

export function tryUpdateNodeHealth(
  node: KubeObject,
  saved: NodeHealth | undefined,
  lease: KubeObject | undefined,
  now: number,
  o: HealthOptions,
): HealthResult {
  const created = node.metadata.creationTimestamp ?? null;
  const createdMs = created ? Date.parse(created) : now;
  const ready = readyCondition(node);
  let health: NodeHealth | undefined = saved;
  let gracePeriodMs: number;
  let observed: NodeCondition;
  if (!ready) {
    // The kubelet never posted status: count from the node's creation, with the startup grace.
    observed = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: created, lastTransitionTime: created };
    gracePeriodMs = o.startupGracePeriodMs;
    health = health
      ? { ...health, savedReady: undefined }
      : {
          probeTimestamp: createdMs,
          readyTransitionTimestamp: createdMs,
          savedReady: undefined,
          leaseRenew: undefined,
        };
  } else {
    observed = { ...ready };
    gracePeriodMs = o.gracePeriodMs;
  }
  const savedReady = health?.savedReady;
  if (!health) {
    health = { probeTimestamp: now, readyTransitionTimestamp: now, savedReady: ready, leaseRenew: undefined };
  } else if ((!savedReady && ready) || (savedReady && !ready)) {
    health = { probeTimestamp: now, readyTransitionTimestamp: now, savedReady: ready, leaseRenew: undefined };
  } else if (savedReady && ready && savedReady.lastHeartbeatTime !== ready.lastHeartbeatTime) {
    const transition =
      savedReady.lastTransitionTime !== ready.lastTransitionTime ? now : health.readyTransitionTimestamp;
    health = {
      probeTimestamp: now,
      readyTransitionTimestamp: transition,
      savedReady: ready,
      leaseRenew: undefined,
    };
  }
  // A renewed Lease is a heartbeat too (the kubelet renews it every 10 s).
  const renew = leaseRenewTime(lease);
  const savedRenew = saved?.leaseRenew;
  if (renew && (!savedRenew || renewMs(savedRenew) < renewMs(renew))) {
    health = { ...health, leaseRenew: renew, probeTimestamp: now };
  } else if (health.leaseRenew === undefined && savedRenew) health = { ...health, leaseRenew: savedRenew };
  if (now <= health.probeTimestamp + gracePeriodMs)
    return { gracePeriodMs, observed, current: ready, health };

  const updated = structuredClone(node);
  if (!isObject(updated.status)) updated.status = {};
  const status = updated.status as Record<string, unknown>;
  const conditions = conditionsOf(updated).map((c) => ({ ...c }));
  const nowText = timestamp(new Date(now));
  for (const type of monitored) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        lastHeartbeatTime: created,
        lastTransitionTime: nowText,
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
      });
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = nowText;
    }
  }
  status.conditions = conditions;
  const current = conditions.find((c) => c.type === 'Ready');
  if (sameCondition(current, observed)) return { gracePeriodMs, observed, current, health };
  return {
    gracePeriodMs,
    observed,
    current,
    updated,
    health: {
      probeTimestamp: health.probeTimestamp,
      readyTransitionTimestamp: now,
      savedReady: current,
      leaseRenew: renew ?? health.leaseRenew,
    },
  };
}

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** upstream's ComputeZoneState. */
export function computeZoneState(
  readyConditions: readonly (NodeCondition | undefined)[],
  unhealthyThreshold = 0.55,
): { notReady: number; state: ZoneState } {
  const ready = readyConditions.filter((c) => c?.status === 'True').length;
  const notReady = readyConditions.length - ready;
  if (ready === 0 && notReady > 0) return { notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyThreshold)
    return { notReady, state: 'PartialDisruption' };
  return { notReady, state: 'Normal' };
}

/** upstream's GetZoneKey: region and zone labels. */
export function zoneKey(node: KubeObject): string {
  const labels = node.metadata.labels ?? {};
  const region = labels['topology.kubernetes.io/region'] ?? '';
  const zone = labels['topology.kubernetes.io/zone'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}
