import type { TableColumns } from '../table.ts';
import { ageColumn, column, nameColumn, num } from './common.ts';
import { age } from './duration.ts';

/** The controlling owner as "kind.group/name" in lower case, or "<none>". */
function controller(
  refs: readonly { apiVersion: string; kind: string; name: string; controller?: boolean }[] = [],
) {
  const ref = refs.find((r) => r.controller === true);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  const kind = group ? `${ref.kind}.${group}` : ref.kind;
  return kind ? `${kind.toLowerCase()}/${ref.name}` : ref.name;
}

export const table: TableColumns = {
  columns: [
    nameColumn,
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', 'revision indicates the revision of the state represented by Data.'),
    ageColumn,
  ],
  cells: (rev, now) => [
    rev.metadata.name ?? '',
    controller(rev.metadata.ownerReferences),
    num(rev.revision),
    age(rev.metadata.creationTimestamp, now),
  ],
};
