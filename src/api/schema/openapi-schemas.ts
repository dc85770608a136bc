/**
 * `components.schemas` of an OpenAPI v3 document, shaped as kube-apiserver serves them: schemas named
 * by upstream definition (`io.k8s.api.apps.v1.Deployment`), properties sorted, a `$ref` that carries
 * anything else (description, default) wrapped as `allOf: [{$ref}]`, patch extensions on fields and
 * `x-kubernetes-group-version-kind` on kinds.
 */
import { type FieldInfo, modelInfo, modelOfDefinition, specialDefinition, type TypeInfo } from './model.ts';

export type Schema = Record<string, unknown>;

/** What openapi-data.json and descriptions.json hold (see scripts/schema-gen/main.ts). */
export interface OpenApiData {
  readonly operations: Record<string, OperationParameter[]>;
  readonly extensions: Record<string, Record<string, unknown>>;
  readonly defaults: Record<string, Record<string, unknown[]>>;
  readonly descriptions: Record<string, Record<string, string>>;
}

export interface OperationParameter {
  readonly name: string;
  readonly in: string;
  readonly description?: string;
  readonly required?: boolean;
  readonly type: string;
  readonly uniqueItems?: boolean;
}

export const schemaRef = (definition: string) => `#/components/schemas/${definition}`;

const patchExtensions = [
  ['listMapKeys', 'x-kubernetes-list-map-keys'],
  ['listType', 'x-kubernetes-list-type'],
  ['mapType', 'x-kubernetes-map-type'],
  ['mergeKey', 'x-kubernetes-patch-merge-key'],
  ['strategy', 'x-kubernetes-patch-strategy'],
] as const;

/**
 * Adds to `out` the schemas of the given definitions and of every definition they refer to.
 * Definitions that are neither models nor known non-model types are skipped.
 */
export function addSchemas(
  out: Record<string, Schema>,
  definitions: Iterable<string>,
  data: OpenApiData,
): void {
  const queue = [...definitions];
  for (let def = queue.shift(); def !== undefined; def = queue.shift()) {
    if (out[def]) continue;
    const schema = definitionSchema(def, data, queue);
    if (schema) out[def] = schema;
  }
}

function definitionSchema(def: string, data: OpenApiData, refs: string[]): Schema | undefined {
  const description = data.descriptions[def]?.[''];
  const model = modelOfDefinition(def);
  if (!model) {
    const shape = specialDefinition(def);
    return shape ? withDescription(specialSchema(def, shape), description) : undefined;
  }
  const info = modelInfo(model);
  if (!info) return undefined;
  const fieldDescriptions = data.descriptions[def] ?? {};
  const defaults = data.defaults[model] ?? {};
  const properties: Record<string, Schema> = {};
  for (const name of [...info.fields.keys()].sort()) {
    const field = info.fields.get(name) as FieldInfo;
    properties[name] = fieldSchema(field, fieldDescriptions[name], defaults[name] ?? [], refs);
  }
  const schema: Schema = {};
  if (description) schema.description = description;
  schema.properties = properties;
  if (info.required.length > 0) schema.required = info.required;
  schema.type = 'object';
  for (const [k, v] of Object.entries(data.extensions[model] ?? {})) schema[k] = v;
  if (info.gvks.length > 0) schema['x-kubernetes-group-version-kind'] = info.gvks;
  return schema;
}

function fieldSchema(
  field: FieldInfo,
  description: string | undefined,
  defaults: unknown[],
  refs: string[],
): Schema {
  const schema = typeSchema(field, defaults, 0, refs);
  if (description) schema.description = description;
  for (const [key, ext] of patchExtensions) {
    const v = field.patch?.[key];
    if (v !== undefined) schema[ext] = v;
  }
  return wrapRef(schema);
}

function typeSchema(t: TypeInfo, defaults: unknown[], level: number, refs: string[]): Schema {
  const schema: Schema = {};
  const dflt = defaults[level];
  if (dflt !== undefined && dflt !== null) schema.default = dflt;
  const ref = t.type === 'model' && t.model ? modelInfo(t.model)?.definition : t.ref;
  if (ref) {
    refs.push(ref);
    schema.$ref = schemaRef(ref);
    return schema;
  }
  switch (t.type) {
    case 'array':
      schema.items = wrapRef(typeSchema(t.items ?? { type: 'any' }, defaults, level + 1, refs));
      schema.type = 'array';
      break;
    case 'map':
      schema.additionalProperties = wrapRef(
        typeSchema(t.values ?? { type: 'any' }, defaults, level + 1, refs),
      );
      schema.type = 'object';
      break;
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      if (t.format) schema.format = t.format;
      schema.type = t.type;
      break;
    case 'date-time':
      schema.format = 'date-time';
      schema.type = 'string';
      break;
    case 'quantity':
      schema.type = 'string';
      break;
    case 'int-or-string':
      schema['x-kubernetes-int-or-string'] = true;
      break;
    default:
      schema.type = 'object';
      schema['x-kubernetes-preserve-unknown-fields'] = true;
  }
  return schema;
}

/** OpenAPI 3.0 ignores siblings of `$ref`: upstream wraps such refs in a one-element allOf. */
function wrapRef(schema: Schema): Schema {
  if (typeof schema.$ref !== 'string' || Object.keys(schema).length === 1) return schema;
  const { $ref, ...rest } = schema;
  return { allOf: [{ $ref }], ...rest };
}

/** Schemas of the non-model definitions, as served in v3 (Quantity and IntOrString use oneOf). */
function specialSchema(def: string, shape: { type?: string; format?: string }): Schema {
  switch (def.split('.').at(-1)) {
    case 'Quantity':
      return { oneOf: [{ type: 'string' }, { type: 'number' }] };
    case 'IntOrString':
      return { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] };
    default:
      return {
        ...(shape.format ? { format: shape.format } : {}),
        ...(shape.type ? { type: shape.type } : {}),
      };
  }
}

function withDescription(schema: Schema, description: string | undefined): Schema {
  return description ? { description, ...schema } : schema;
}

/** Sorts object keys recursively, as upstream's (Go map) serialisation does; arrays keep order. */
export function sortKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(sortKeys) as T;
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out as T;
}
