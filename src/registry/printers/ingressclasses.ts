import type { TableColumns } from '../table.ts';
import { ageColumn, column, nameColumn, rec, str } from './common.ts';
import { age } from './duration.ts';

/** "Kind.apiGroup/name" of spec.parameters, or "<none>". */
function parameters(v: unknown): string {
  if (v === undefined || v === null) return '<none>';
  const p = rec(v);
  const kind = typeof p.apiGroup === 'string' ? `${str(p.kind)}.${p.apiGroup}` : str(p.kind);
  return `${kind}/${str(p.name)}`;
}

export const table: TableColumns = {
  columns: [
    nameColumn,
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn,
  ],
  cells(ic, now) {
    const spec = rec(ic.spec);
    return [
      ic.metadata.name ?? '',
      str(spec.controller),
      parameters(spec.parameters),
      age(ic.metadata.creationTimestamp, now),
    ];
  },
};
