import type { TableColumns } from '../table.ts';
import { ageColumn, column, type Json, nameColumn, num, rec, recs, str } from './common.ts';
import { age } from './duration.ts';

const columns = [
  nameColumn,
  column(
    'Reference',
    'string',
    'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.',
  ),
  column(
    'Targets',
    'string',
    'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond.',
  ),
  column(
    'MinPods',
    'string',
    'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.',
  ),
  column(
    'MaxPods',
    'string',
    'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.',
  ),
  column(
    'Replicas',
    'string',
    'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.',
  ),
  ageColumn,
];

/** A Quantity as written; Go prints a nil *Quantity as "<nil>". */
const quantity = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '<nil>';

/** Keys of each metric source type in autoscaling/v2 MetricSpec / MetricStatus. */
const SOURCES: Record<string, string> = {
  External: 'external',
  Pods: 'pods',
  Object: 'object',
  Resource: 'resource',
  ContainerResource: 'containerResource',
};

/** "current/target" of one metric (one arm of formatHPAMetrics). */
function formatMetric(spec: Json, status: Json | undefined): string {
  const key = SOURCES[str(spec.type)];
  if (key === undefined) return '<unknown type>';
  const source = rec(spec[key]);
  const target = rec(source.target);
  const statusSource = status?.[key];
  const current =
    statusSource === undefined || statusSource === null ? undefined : rec(rec(statusSource).current);
  const unknown = '<unknown>';
  if (key === 'pods')
    return `${current ? quantity(current.averageValue) : unknown}/${quantity(target.averageValue)}`;
  if (key === 'external' || key === 'object') {
    if (target.averageValue !== undefined && target.averageValue !== null) {
      const cur =
        current?.averageValue !== undefined && current.averageValue !== null
          ? quantity(current.averageValue)
          : unknown;
      return `${cur}/${quantity(target.averageValue)} (avg)`;
    }
    return `${current ? quantity(current.value) : unknown}/${quantity(target.value)}`;
  }
  // Resource and ContainerResource: "cpu: 50%/80%" or "memory: 100Mi/200Mi".
  const name = str(source.name);
  if (target.averageValue !== undefined && target.averageValue !== null) {
    return `${name}: ${current ? quantity(current.averageValue) : unknown}/${quantity(target.averageValue)}`;
  }
  const cur = typeof current?.averageUtilization === 'number' ? `${current.averageUtilization}%` : unknown;
  const tgt = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
  return `${name}: ${cur}/${tgt}`;
}

/** Up to two metric targets, then " + N more..."; "<none>" without metrics (formatHPAMetrics). */
function formatMetrics(specs: Json[], statuses: Json[]): string {
  if (specs.length === 0) return '<none>';
  const list = specs.map((s, i) => formatMetric(s, statuses[i]));
  return list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ');
}

export const table: TableColumns = {
  columns,
  cells(hpa, now) {
    const spec = rec(hpa.spec);
    const status = rec(hpa.status);
    const ref = rec(spec.scaleTargetRef);
    return [
      hpa.metadata.name ?? '',
      `${str(ref.kind)}/${str(ref.name)}`,
      formatMetrics(recs(spec.metrics), recs(status.currentMetrics)),
      typeof spec.minReplicas === 'number' ? String(spec.minReplicas) : '<unset>',
      num(spec.maxReplicas),
      num(status.currentReplicas),
      age(hpa.metadata.creationTimestamp, now),
    ];
  },
};
