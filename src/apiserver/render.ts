import type { KubeObject } from '../api/object.ts';
import { statusErrors } from '../api/status.ts';
import { defaultTable, printers } from '../registry/printers/index.ts';
import { resourceId } from '../registry/registry.ts';
import type { TableColumns } from '../registry/table.ts';
import type { ResourceRequest } from './context.ts';

interface MediaRange {
  type: string;
  params: Map<string, string>;
}

function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept) return [];
  return accept.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    return {
      type: (type ?? '').toLowerCase(),
      params: new Map(
        params.map((p) => {
          const i = p.indexOf('=');
          return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as [string, string];
        }),
      ),
    };
  });
}

/** Whether the client asked for a meta.k8s.io/v1 Table, and can take JSON at all. */
export function negotiate(accept: string | undefined): { table: boolean } {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return { table: false };
  const json = (r: MediaRange) =>
    r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*';
  for (const r of ranges) {
    if (!json(r)) continue;
    const as = r.params.get('as');
    if (as === undefined) return { table: false };
    if (as === 'Table' && r.params.get('g') === 'meta.k8s.io' && (r.params.get('v') ?? 'v1') === 'v1') {
      return { table: true };
    }
  }
  if (ranges.some((r) => json(r) && !r.params.has('as'))) return { table: false };
  throw statusErrors.notAcceptable('application/json, application/yaml, application/vnd.kubernetes.protobuf');
}

export interface Render {
  readonly contentType: string;
  /** One object as the client asked for it (the object, or a one-row Table). */
  object(obj: KubeObject): unknown;
  /** A list body as the client asked for it. */
  list(list: { metadata: Record<string, unknown>; items: KubeObject[] }, full: unknown): unknown;
}

function tableOf(r: ResourceRequest): TableColumns {
  return r.store.table ?? printers[resourceId(r.store.info.group, r.store.info.plural)] ?? defaultTable;
}

function rowObject(obj: KubeObject, include: string): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function renderer(r: ResourceRequest): Render {
  const { table } = negotiate(r.req.headers.accept);
  if (!table) {
    return { contentType: 'application/json', object: (o) => o, list: (_l, full) => full };
  }
  const columns = tableOf(r);
  const include = r.query.get('includeObject') ?? 'Metadata';
  const rows = (items: KubeObject[]) => {
    const now = new Date();
    return items.map((o) => {
      const object = rowObject(o, include);
      return { cells: columns.cells(o, now), ...(object ? { object } : {}) };
    });
  };
  const tableBody = (metadata: Record<string, unknown>, items: KubeObject[]) => ({
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: columns.columns,
    rows: rows(items),
  });
  return {
    contentType: 'application/json',
    object: (o) => tableBody({ resourceVersion: o.metadata.resourceVersion }, [o]),
    list: (l) => tableBody(l.metadata, l.items),
  };
}
