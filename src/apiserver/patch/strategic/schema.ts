/**
 * The patch metadata a strategic merge patch needs: for each field of an object, its merge key and
 * patch strategy (the `patchMergeKey` / `patchStrategy` struct tags upstream, surfaced in OpenAPI as
 * `x-kubernetes-patch-merge-key` / `x-kubernetes-patch-strategy`).
 */
export interface SmpSchema {
  /** The schema of a field of this object, undefined when unknown (then merge as plain JSON). */
  field(name: string): SmpField | undefined;
}

export interface SmpField {
  /** For lists: the merge key (e.g. 'name' for containers); undefined for lists of primitives or atomic lists. */
  readonly mergeKey?: string;
  /** x-kubernetes-patch-strategy, e.g. 'merge', 'replace', 'retainKeys', 'merge,retainKeys'. */
  readonly strategy?: string;
  /** The schema of the value (for objects) or of each element (for lists of objects). */
  readonly schema?: SmpSchema;
}

/** A field in a schema table: everything optional; `schema` nests another table. */
export interface SmpTableField {
  readonly mergeKey?: string;
  readonly strategy?: string;
  readonly schema?: SmpTable;
}

/** A plain nested object literal describing an object's fields, for tests and hand-written schemas. */
export type SmpTable = { readonly [field: string]: SmpTableField };

/**
 * Builds an SmpSchema from a table such as
 * `{ containers: { mergeKey: 'name', strategy: 'merge', schema: { env: { mergeKey: 'name', strategy: 'merge' } } } }`.
 * Fields not in the table are unknown (undefined). Nested tables are converted on first use, so a
 * table may refer to itself (recursive types).
 */
export function smpSchemaFromTable(table: SmpTable): SmpSchema {
  return schemaFor(table, new WeakMap());
}

function schemaFor(table: SmpTable, built: WeakMap<SmpTable, SmpSchema>): SmpSchema {
  const existing = built.get(table);
  if (existing !== undefined) return existing;
  const fields = new Map<string, SmpField>();
  const schema: SmpSchema = {
    field(name) {
      if (!Object.hasOwn(table, name)) return undefined;
      let field = fields.get(name);
      if (field === undefined) {
        const entry = table[name]!;
        const nested = entry.schema === undefined ? undefined : schemaFor(entry.schema, built);
        field = { mergeKey: entry.mergeKey, strategy: entry.strategy, schema: nested };
        fields.set(name, field);
      }
      return field;
    },
  };
  built.set(table, schema);
  return schema;
}

/** The parsed patch strategy of a field: whether it carries retainKeys, and the other strategy ('' if none). */
export interface ParsedStrategy {
  readonly retainKeys: boolean;
  readonly strategy: string;
}

const NO_STRATEGY: ParsedStrategy = { retainKeys: false, strategy: '' };

/**
 * Splits a comma-separated patch strategy the way upstream does: at most two strategies, and when
 * there are two one of them must be retainKeys.
 */
export function parseStrategy(raw: string | undefined): ParsedStrategy {
  if (raw === undefined || raw === '') return NO_STRATEGY;
  const parts = raw.split(',');
  if (parts.length === 1) {
    return parts[0] === 'retainKeys'
      ? { retainKeys: true, strategy: '' }
      : { retainKeys: false, strategy: raw };
  }
  if (parts.length === 2) {
    if (parts[0] === 'retainKeys') return { retainKeys: true, strategy: parts[1]! };
    if (parts[1] === 'retainKeys') return { retainKeys: true, strategy: parts[0]! };
  }
  throw new Error(`unexpected patch strategy: [${parts.join(' ')}]`);
}
