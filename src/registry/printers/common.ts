/**
 * Shared pieces of the printers: reading plain JSON safely, upstream's common column definitions,
 * and the label, selector and container formats the upstream printers share.
 */
import { isObject } from '../../api/object.ts';
import type { ColumnDefinition } from '../table.ts';

export type Json = Record<string, unknown>;

/** The value as an object, or an empty one. */
export const rec = (v: unknown): Json => (isObject(v) ? v : {});
/** The value as an array of objects (non-objects become empty objects), or an empty array. */
export const recs = (v: unknown): Json[] => (Array.isArray(v) ? v.map(rec) : []);
/** The value as a string, or ''. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
/** The value if it is a string (even empty), else the fallback: Go's optional *string. */
export const strOr = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);
/** The value as a number, or 0. */
export const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
/** The value as a list of strings (others dropped), or an empty list. */
export const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
/** The value as a string map (non-string values dropped). */
export const strMap = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(rec(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));

/** Go's string ordering (by code unit), not the locale's. */
export const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function column(
  name: string,
  type: ColumnDefinition['type'],
  description: string,
  priority = 0,
  format = '',
): ColumnDefinition {
  return { name, type, format, description, priority };
}

export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const CREATED_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const nameColumn = column('Name', 'string', NAME_DESCRIPTION, 0, 'name');
export const ageColumn = column('Age', 'string', CREATED_DESCRIPTION);
export const containersColumn = column('Containers', 'string', 'Names of each container in the template.', 1);
export const imagesColumn = column(
  'Images',
  'string',
  'Images referenced by each container in the template.',
  1,
);

/** A label map as "k=v,k2=v2" sorted by key, or "<none>" (labels.FormatLabels). */
export function formatLabels(v: unknown): string {
  const pairs = Object.entries(strMap(v)).map(([k, val]) => `${k}=${val}`);
  return pairs.sort(byCode).join(',') || '<none>';
}

const OPERATORS: Record<string, string> = { In: 'in', NotIn: 'notin', Exists: '', DoesNotExist: '' };

/**
 * A metav1.LabelSelector in the label-selector string form ("app=web,tier in (a,b)"), as
 * LabelSelectorAsSelector(...).String() gives it: requirements sorted by key, set values sorted.
 * Returns '' for a missing or empty selector and undefined for an invalid one.
 */
export function selectorString(v: unknown): string | undefined {
  if (!isObject(v)) return '';
  const reqs: [string, string][] = Object.entries(strMap(v.matchLabels)).map(([k, val]) => [
    k,
    `${k}=${val}`,
  ]);
  for (const e of recs(v.matchExpressions)) {
    const key = str(e.key);
    const op = str(e.operator);
    const values = strs(e.values);
    if (!(op in OPERATORS)) return undefined;
    if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) return undefined;
      reqs.push([key, op === 'Exists' ? key : `!${key}`]);
    } else {
      if (values.length === 0) return undefined;
      reqs.push([key, `${key} ${OPERATORS[op]} (${[...values].sort(byCode).join(',')})`]);
    }
  }
  return reqs
    .sort((a, b) => byCode(a[0], b[0]))
    .map((r) => r[1])
    .join(',');
}

/** metav1.FormatLabelSelector: the selector string, "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(v: unknown): string {
  const s = selectorString(v);
  return s === undefined ? '<error>' : s || '<none>';
}

/** Container names and images of a pod spec, each comma-joined (layoutContainerCells). */
export function containerCells(podSpec: unknown): [string, string] {
  const containers = recs(rec(podSpec).containers);
  return [containers.map((c) => str(c.name)).join(','), containers.map((c) => str(c.image)).join(',')];
}

/** The pod spec inside a workload's spec.template. */
export const templateSpec = (spec: Json): Json => rec(rec(spec.template).spec);

/** A list shortened to `max` entries with " + N more...", or "<unset>" when empty (listWithMoreString). */
export function listWithMore(list: string[], total: number, max: number): string {
  if (total > max) return `${list.slice(0, max).join(',')} + ${total - max} more...`;
  return list.join(',') || '<unset>';
}

/** LoadBalancer ingress points: the set of IPs, else hostnames, sorted and comma-joined. */
export function loadBalancerIngress(status: unknown): string {
  const points = new Set<string>();
  for (const i of recs(rec(status).ingress)) {
    const p = str(i.ip) || str(i.hostname);
    if (p) points.add(p);
  }
  return [...points].sort(byCode).join(',');
}

/** An IntOrString or Quantity as its string form. */
export function intOrString(v: unknown): string {
  return typeof v === 'number' ? String(v) : str(v);
}
