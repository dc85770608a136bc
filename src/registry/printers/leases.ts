import type { TableColumns } from '../table.ts';
import { ageColumn, column, nameColumn, rec, str } from './common.ts';
import { age } from './duration.ts';

const HOLDER =
  'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.';

export const table: TableColumns = {
  columns: [nameColumn, column('Holder', 'string', HOLDER), ageColumn],
  cells: (lease, now) => [
    lease.metadata.name ?? '',
    str(rec(lease.spec).holderIdentity),
    age(lease.metadata.creationTimestamp, now),
  ],
};
