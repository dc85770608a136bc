/**
 * Table columns of a custom resource (apiextensions' tableconvertor): Name, then the version's
 * additionalPrinterColumns, or `Age` (type date, from .metadata.creationTimestamp) when it has none.
 * Cells are typed as the column says; string columns print what the path reaches (JSON for objects
 * and lists); date columns are ages; what the path does not reach is null (kubectl's `<none>`).
 */
import { isObject, type KubeObject } from '../../api/object.ts';
import { CREATED_DESCRIPTION, nameColumn } from '../printers/common.ts';
import { humanDuration } from '../printers/duration.ts';
import type { ColumnDefinition, TableColumns } from '../table.ts';
import { goFloat } from './go-format.ts';
import { evaluate, parse } from './jsonpath.ts';
import type { CustomResourceColumnDefinition } from './types.ts';

const ageDefault: CustomResourceColumnDefinition = {
  name: 'Age',
  type: 'date',
  description: CREATED_DESCRIPTION,
  jsonPath: '.metadata.creationTimestamp',
};

/** JSON as Go's json.Marshal writes it: map keys sorted. */
function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${goJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloat(v);
  if (typeof v === 'boolean') return String(v);
  return goJson(v);
}

const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

function dateCell(v: unknown, now: Date): unknown {
  if (typeof v !== 'string') return null;
  if (v === '' || v === 'null') return '<unknown>';
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v)
    ? Date.parse(v)
    : Number.NaN;
  if (Number.isNaN(t)) return '<invalid>';
  if (t <= GO_ZERO_TIME) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

function cell(type: string | undefined, v: unknown, now: Date): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'string':
      return text(v);
    case 'integer':
      return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'date':
      return dateCell(v, now);
    default:
      return null;
  }
}

/** The table of one version's printer columns (or the default Age column). */
export function customResourceTable(
  columns: readonly CustomResourceColumnDefinition[] | undefined,
): TableColumns {
  const cols = columns && columns.length > 0 ? columns : [ageDefault];
  const paths = cols.map((c) => {
    try {
      return parse(c.jsonPath ?? '');
    } catch {
      return undefined;
    }
  });
  const definitions: ColumnDefinition[] = [
    nameColumn,
    ...cols.map((c) => ({
      name: c.name ?? '',
      type: (c.type ?? 'string') as ColumnDefinition['type'],
      format: c.format ?? '',
      description:
        c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath ?? ''}`,
      priority: c.priority ?? 0,
    })),
  ];
  return {
    columns: definitions,
    cells(obj: KubeObject, now: Date) {
      return [
        obj.metadata.name ?? '',
        ...cols.map((c, i) => {
          const path = paths[i];
          const found = path ? evaluate(obj, path) : [];
          return found.length > 0 ? cell(c.type, found[0], now) : null;
        }),
      ];
    },
  };
}
