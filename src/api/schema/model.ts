/**
 * The type graph of the built-in API types: which model a kind is, and for each model field its JSON
 * name, type, whether it is required, and its strategic-merge-patch metadata.
 *
 * Field types come from @kubernetes/client-node's generated models (their `attributeTypeMap`),
 * loaded one model file at a time on first use. What those models lack comes from upstream's
 * OpenAPI spec through the generated files in ./data (see scripts/schema-gen/main.ts): the upstream
 * definition name of each model, its group-version-kinds, required fields, patch metadata, and which
 * fields are really a Quantity, a Time or a RawExtension (client-node types them string, Date, any).
 */
import { createRequire } from 'node:module';
import modelsData from './data/models.json' with { type: 'json' };
import patchData from './data/patch-meta.json' with { type: 'json' };

export type FieldType =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'object'
  | 'array'
  | 'map'
  | 'int-or-string'
  | 'quantity'
  | 'date-time'
  | 'any'
  | 'model';

/** Upstream's x-kubernetes-patch-* and list/map type extensions of one field. */
export interface PatchMeta {
  readonly mergeKey?: string;
  readonly strategy?: 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace';
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
  readonly mapType?: 'atomic' | 'granular';
}

export interface TypeInfo {
  readonly type: FieldType;
  /** For 'model': the model's name, as client-node names it (`V1PodSpec`). */
  readonly model?: string;
  /** OpenAPI format: int32, int64, double, byte, date-time, int-or-string. */
  readonly format?: string;
  /** For 'array': the element type. */
  readonly items?: TypeInfo;
  /** For 'map' (a JSON object with arbitrary keys): the value type. */
  readonly values?: TypeInfo;
  /** The upstream definition a non-model leaf refers to (`io.k8s.apimachinery.pkg.apis.meta.v1.Time`). */
  readonly ref?: string;
}

export interface FieldInfo extends TypeInfo {
  /** The JSON field name. */
  readonly name: string;
  readonly required: boolean;
  readonly patch?: PatchMeta;
}

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface ModelInfo {
  readonly name: string;
  /** Upstream's definition name: `io.k8s.api.core.v1.Pod`. */
  readonly definition: string;
  readonly gvks: readonly GroupVersionKind[];
  /** Required fields, in upstream's (declaration) order. */
  readonly required: readonly string[];
  /** Definition-level x-kubernetes-map-type (`atomic` structs). */
  readonly mapType?: string;
  /** The fields in client-node's order, keyed by JSON name. */
  readonly fields: ReadonlyMap<string, FieldInfo>;
}

interface ModelFacts {
  definition: string;
  required?: string[];
  gvk?: GroupVersionKind[];
  mapType?: string;
  refs?: Record<string, string>;
}

interface Attribute {
  baseName: string;
  type: string;
  format: string;
}

const facts = modelsData.models as Record<string, ModelFacts>;
const specials = modelsData.specials as Record<string, { type?: string; format?: string }>;
const patchMeta = patchData as Record<string, Record<string, PatchMeta>>;

/** Names of the meta types every API group uses. */
export const metaModels = {
  ObjectMeta: 'V1ObjectMeta',
  ListMeta: 'V1ListMeta',
  Status: 'V1Status',
  DeleteOptions: 'V1DeleteOptions',
} as const;

const require = createRequire(import.meta.url);
const cache = new Map<string, ModelInfo>();
let byGvk: Map<string, string> | undefined;
let byDefinition: Map<string, string> | undefined;

const gvkKey = (group: string, version: string, kind: string) => `${group}/${version}/${kind}`;

/** The model a group-version-kind is served as (`apps`, `v1`, `Deployment` → `V1Deployment`). */
export function schemaFor(group: string, version: string, kind: string): string | undefined {
  if (!byGvk) {
    byGvk = new Map();
    for (const [name, f] of Object.entries(facts)) {
      for (const g of f.gvk ?? []) byGvk.set(gvkKey(g.group, g.version, g.kind), name);
    }
  }
  return byGvk.get(gvkKey(group, version, kind));
}

/** The model of an upstream definition name, if client-node has it. */
export function modelOfDefinition(definition: string): string | undefined {
  if (!byDefinition) {
    byDefinition = new Map(Object.entries(facts).map(([name, f]) => [f.definition, name]));
  }
  return byDefinition.get(definition);
}

/** Shape of an upstream definition that is not a model (Time, Quantity, RawExtension, ...). */
export function specialDefinition(definition: string): { type?: string; format?: string } | undefined {
  return specials[definition];
}

export function modelNames(): string[] {
  return Object.keys(facts);
}

export function modelInfo(name: string): ModelInfo | undefined {
  const hit = cache.get(name);
  if (hit) return hit;
  const f = Object.hasOwn(facts, name) ? facts[name] : undefined;
  if (!f) return undefined;
  const required = new Set(f.required ?? []);
  const meta = patchMeta[name] ?? {};
  const fields = new Map<string, FieldInfo>();
  for (const a of attributesOf(name)) {
    const type = parseType(a.type, a.format, f.refs?.[a.baseName]);
    const patch = meta[a.baseName];
    fields.set(a.baseName, {
      ...type,
      name: a.baseName,
      required: required.has(a.baseName),
      ...(patch ? { patch } : {}),
    });
  }
  const info: ModelInfo = {
    name,
    definition: f.definition,
    gvks: f.gvk ?? [],
    required: f.required ?? [],
    ...(f.mapType ? { mapType: f.mapType } : {}),
    fields,
  };
  cache.set(name, info);
  return info;
}

/** One field of a model by its JSON name, or undefined if the model has no such field. */
export function modelField(modelName: string, jsonField: string): FieldInfo | undefined {
  return modelInfo(modelName)?.fields.get(jsonField);
}

function attributesOf(name: string): Attribute[] {
  // Each generated model file defines one class and imports nothing: cheap to load on demand.
  const mod = require(`@kubernetes/client-node/dist/gen/models/${name}.js`) as Record<
    string,
    { getAttributeTypeMap?: () => Attribute[] }
  >;
  return mod[name]?.getAttributeTypeMap?.() ?? [];
}

/** Turns a client-node type (`Array<V1Container>`, `{ [key: string]: string; }`) into a TypeInfo. */
function parseType(type: string, format: string, ref: string | undefined): TypeInfo {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { type: 'array', items: parseType(array[1] ?? '', format, ref) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: 'map', values: parseType(map[1] ?? '', format, ref) };
  if (ref) return specialType(ref);
  switch (type) {
    case 'string':
      return format ? { type: 'string', format } : { type: 'string' };
    case 'number':
      return format === 'int32' || format === 'int64'
        ? { type: 'integer', format }
        : { type: 'number', format: format || 'double' };
    case 'boolean':
      return { type: 'boolean' };
    case 'Date':
    case 'V1MicroTime':
      return { type: 'date-time', format: 'date-time' };
    case 'IntOrString':
      return { type: 'int-or-string', format: 'int-or-string' };
    case 'any':
    case 'object':
      return { type: 'any' };
    default:
      return Object.hasOwn(facts, type) ? { type: 'model', model: type } : { type: 'any' };
  }
}

function specialType(ref: string): TypeInfo {
  const shape = specials[ref];
  switch (ref.split('.').at(-1)) {
    case 'Quantity':
      return { type: 'quantity', ref };
    case 'IntOrString':
      return { type: 'int-or-string', format: 'int-or-string', ref };
    case 'Time':
    case 'MicroTime':
      return { type: 'date-time', format: 'date-time', ref };
    default:
      return shape?.type === 'object' ? { type: 'object', ref } : { type: 'any', ref };
  }
}
