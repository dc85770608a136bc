import type { KubeObject } from '../../api/object.ts';
import type { TableColumns } from '../table.ts';
import { column, NAME_DESCRIPTION, num, rec, str } from './common.ts';
import { age, parseTime } from './duration.ts';

const columns = [
  column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
  column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
  column(
    'Reason',
    'string',
    "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  ),
  column('Object', 'string', 'The object that this event is about.'),
  column(
    'Subobject',
    'string',
    'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
    1,
  ),
  column(
    'Source',
    'string',
    'The component reporting this event. Should be a short machine understandable string.',
    1,
  ),
  column('Message', 'string', 'A human-readable description of the status of this operation.'),
  column(
    'First Seen',
    'string',
    'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
    1,
  ),
  column('Count', 'string', 'The number of times this event has occurred.', 1),
  column('Name', 'string', NAME_DESCRIPTION, 1, 'name'),
];

/** "component, host", falling back to reportingComponent / reportingInstance (formatEventSource). */
function source(ev: KubeObject): string {
  const src = rec(ev.source);
  const component = str(src.component) || str(ev.reportingComponent);
  const host = str(src.host) || str(ev.reportingInstance);
  return host ? `${component}, ${host}` : component;
}

/** Core v1 Events; the Name column comes last, as upstream orders it. */
export const table: TableColumns = {
  columns,
  cells(ev, now) {
    const firstSeen =
      parseTime(str(ev.firstTimestamp)) !== undefined
        ? age(str(ev.firstTimestamp), now)
        : age(str(ev.eventTime), now);
    let lastSeen =
      parseTime(str(ev.lastTimestamp)) !== undefined ? age(str(ev.lastTimestamp), now) : firstSeen;
    let count = num(ev.count);
    if (ev.series !== undefined && ev.series !== null) {
      const series = rec(ev.series);
      lastSeen = age(str(series.lastObservedTime), now);
      count = num(series.count);
    } else if (count === 0) {
      // Singleton events written through the events.k8s.io API carry no count.
      count = 1;
    }
    const involved = rec(ev.involvedObject);
    const kind = str(involved.kind).toLowerCase();
    const target = str(involved.name) ? `${kind}/${str(involved.name)}` : kind;
    return [
      lastSeen,
      str(ev.type),
      str(ev.reason),
      target,
      str(involved.fieldPath),
      source(ev),
      str(ev.message).trim(),
      firstSeen,
      count,
      ev.metadata.name ?? '',
    ];
  },
};
