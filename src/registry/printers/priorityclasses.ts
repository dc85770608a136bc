import type { TableColumns } from '../table.ts';
import { ageColumn, column, nameColumn, num, str } from './common.ts';
import { age } from './duration.ts';

const columns = [
  nameColumn,
  column(
    'Value',
    'integer',
    'value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.',
  ),
  column(
    'Global-Default',
    'boolean',
    'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.',
  ),
  ageColumn,
  column(
    'PreemptionPolicy',
    'string',
    'preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.',
  ),
];

export const table: TableColumns = {
  columns,
  cells: (pc, now) => [
    pc.metadata.name ?? '',
    num(pc.value),
    pc.globalDefault === true,
    age(pc.metadata.creationTimestamp, now),
    str(pc.preemptionPolicy),
  ],
};
