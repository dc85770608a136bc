import type { TableColumns } from '../table.ts';
import { ageColumn, column, intOrString, nameColumn, num, rec } from './common.ts';
import { age } from './duration.ts';

const columns = [
  nameColumn,
  column('Min Available', 'string', 'The minimum number of pods that must be available.'),
  column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
  column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
  ageColumn,
];

const orNA = (v: unknown) => (v === undefined || v === null ? 'N/A' : intOrString(v));

export const table: TableColumns = {
  columns,
  cells(pdb, now) {
    const spec = rec(pdb.spec);
    return [
      pdb.metadata.name ?? '',
      orNA(spec.minAvailable),
      orNA(spec.maxUnavailable),
      num(rec(pdb.status).disruptionsAllowed),
      age(pdb.metadata.creationTimestamp, now),
    ];
  },
};
