import type { KubeObject } from '../../api/object.ts';

/** Field pairs: events.k8s.io/v1 name ↔ core/v1 name (upstream's conversion). */
const pairs: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];
const same = ['eventTime', 'series', 'reportingInstance', 'action', 'reason', 'related', 'type'];

function move(from: KubeObject, names: [string, string][], apiVersion: string): KubeObject {
  const out: KubeObject = { apiVersion, kind: 'Event', metadata: from.metadata };
  for (const [a, b] of names) if (from[a] !== undefined) out[b] = from[a];
  for (const k of same) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

/** An events.k8s.io/v1 Event as core/v1 stores it. */
export function eventsV1ToCore(e: KubeObject): KubeObject {
  return move(e, pairs, 'v1');
}

/** A stored core/v1 Event as events.k8s.io/v1 serves it. */
export function coreToEventsV1(e: KubeObject): KubeObject {
  return move(
    e,
    pairs.map(([a, b]) => [b, a]),
    'events.k8s.io/v1',
  );
}
