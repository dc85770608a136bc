import type { TableColumns } from '../table.ts';
import { ageColumn, byCode, column, intOrString, nameColumn, rec } from './common.ts';
import { age } from './duration.ts';

const columns = [
  nameColumn,
  column(
    'Request',
    'string',
    'Request represents a minimum amount of cpu/memory that a container may consume.',
  ),
  column(
    'Limit',
    'string',
    'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
  ),
  ageColumn,
];

export const table: TableColumns = {
  columns,
  cells(quota, now) {
    const status = rec(quota.status);
    const hard = rec(status.hard);
    const used = rec(status.used);
    const requests: string[] = [];
    const limits: string[] = [];
    for (const resource of Object.keys(hard).sort(byCode)) {
      const entry = `${resource}: ${intOrString(used[resource]) || '0'}/${intOrString(hard[resource]) || '0'}`;
      // "limits.cpu" and the like go to the Limit column; everything else is a request.
      (resource.split('.')[0] === 'limits' && resource.includes('.') ? limits : requests).push(entry);
    }
    return [
      quota.metadata.name ?? '',
      requests.join(', '),
      limits.join(', '),
      age(quota.metadata.creationTimestamp, now),
    ];
  },
};
