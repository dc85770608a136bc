import type { TableColumns } from '../table.ts';
import { ageColumn, column, nameColumn, rec, str } from './common.ts';
import { age } from './duration.ts';

export const table: TableColumns = {
  columns: [nameColumn, column('Status', 'string', 'The status of the namespace'), ageColumn],
  cells: (ns, now) => [
    ns.metadata.name ?? '',
    str(rec(ns.status).phase),
    age(ns.metadata.creationTimestamp, now),
  ],
};
