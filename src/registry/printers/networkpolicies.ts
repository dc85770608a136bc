import type { TableColumns } from '../table.ts';
import { ageColumn, column, formatLabelSelector, nameColumn, rec } from './common.ts';
import { age } from './duration.ts';

const POD_SELECTOR =
  'Selects the pods to which this NetworkPolicy object applies.  The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods.  In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.';

export const table: TableColumns = {
  columns: [nameColumn, column('Pod-Selector', 'string', POD_SELECTOR), ageColumn],
  cells: (np, now) => [
    np.metadata.name ?? '',
    // podSelector is a struct, never nil upstream: a missing one is the empty (match-all) selector.
    formatLabelSelector(rec(rec(np.spec).podSelector)),
    age(np.metadata.creationTimestamp, now),
  ],
};
