import type { KubeObject } from '../../api/object.ts';
import type { ColumnDefinition, TableColumns } from '../table.ts';
import { ageColumn, column, nameColumn, rec, recs, str } from './common.ts';
import { age } from './duration.ts';

/** Columns of RoleBindings and ClusterRoleBindings; `what` names the kind in the descriptions. */
export function bindingColumns(roleRef: string, what: string): ColumnDefinition[] {
  return [
    nameColumn,
    column('Role', 'string', roleRef),
    ageColumn,
    column('Users', 'string', `Users in the ${what}`, 1),
    column('Groups', 'string', `Groups in the ${what}`, 1),
    column('ServiceAccounts', 'string', `ServiceAccounts in the ${what}`, 1),
  ];
}

/** Name, "Kind/name" of the role, age, then users, groups and "namespace/name" service accounts. */
export function bindingCells(binding: KubeObject, now: Date): unknown[] {
  const ref = rec(binding.roleRef);
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of recs(binding.subjects)) {
    if (s.kind === 'ServiceAccount') serviceAccounts.push(`${str(s.namespace)}/${str(s.name)}`);
    else if (s.kind === 'User') users.push(str(s.name));
    else if (s.kind === 'Group') groups.push(str(s.name));
  }
  return [
    binding.metadata.name ?? '',
    `${str(ref.kind)}/${str(ref.name)}`,
    age(binding.metadata.creationTimestamp, now),
    users.join(', '),
    groups.join(', '),
    serviceAccounts.join(', '),
  ];
}

export const table: TableColumns = {
  columns: bindingColumns(
    'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
    'roleBinding',
  ),
  cells: bindingCells,
};
