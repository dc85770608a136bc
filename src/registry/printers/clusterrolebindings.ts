import type { TableColumns } from '../table.ts';
import { bindingCells, bindingColumns } from './rolebindings.ts';

export const table: TableColumns = {
  columns: bindingColumns(
    'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
    'clusterRoleBinding',
  ),
  cells: bindingCells,
};
