/**
 * OpenAPI v3 documents as kube-apiserver serves them: `/openapi/v3` (the index) and one document per
 * group-version (`/openapi/v3/api/v1`, `/openapi/v3/apis/apps/v1`). kubectl needs them for
 * `apply`/`create`/`edit` (to find server-side field validation), `explain` and strategic merge patch.
 *
 * Built-in kinds get their schemas from the type graph (./model.ts) with upstream's descriptions and
 * defaults (./data/descriptions.json, ./data/openapi-data.json, loaded on the first document). A kind
 * without a model (a custom resource) gets the schema passed with its resource, or else an object
 * schema that keeps unknown fields.
 */
import { modelInfo, schemaFor } from './model.ts';
import { addResourcePaths, type OpenApiResource, scaleDef } from './openapi-paths.ts';
import { addSchemas, type OpenApiData, type Schema, schemaRef, sortKeys } from './openapi-schemas.ts';

export type { OpenApiResource } from './openapi-paths.ts';

export interface OpenApiResourceWithSchema extends OpenApiResource {
  /** For kinds without a built-in model: the OpenAPI v3 schema of an object (a CRD version's). */
  readonly schema?: Schema;
}

export interface OpenApiOptions {
  /** `info.version`; upstream puts the server's gitVersion there. */
  readonly version?: string;
}

const objectMetaDef = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const listMetaDef = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';
const alwaysReferenced = [
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
];

let data: Promise<OpenApiData> | undefined;

/** Loads openapi-data.json and descriptions.json (about 1 MB) once, on the first document. */
function loadData(): Promise<OpenApiData> {
  data ??= Promise.all([
    import('./data/openapi-data.json', { with: { type: 'json' } }),
    import('./data/descriptions.json', { with: { type: 'json' } }),
  ]).then(([extra, descriptions]) => ({
    ...(extra.default as unknown as Omit<OpenApiData, 'descriptions'>),
    descriptions: descriptions.default as Record<string, Record<string, string>>,
  }));
  return data;
}

/**
 * The document for one group-version ('' for the core group), covering the resources of `resources`
 * that belong to it (the server passes its whole catalogue).
 */
export async function openApiV3Document(
  group: string,
  version: string,
  resources: readonly OpenApiResourceWithSchema[],
  options: OpenApiOptions = {},
): Promise<Schema> {
  const d = await loadData();
  const schemas: Record<string, Schema> = {};
  const paths: Record<string, Schema> = {};
  const roots = new Set(alwaysReferenced);
  for (const r of resources) {
    if (r.group !== group || r.version !== version) continue;
    const model = schemaFor(r.group, r.version, r.kind);
    const listModel = schemaFor(r.group, r.version, `${r.kind}List`);
    let definition: string;
    let listDefinition: string | undefined;
    if (model) {
      definition = modelInfo(model)?.definition ?? '';
      listDefinition = listModel ? modelInfo(listModel)?.definition : undefined;
      roots.add(definition);
      if (listDefinition) roots.add(listDefinition);
    } else {
      definition = customDefinitionName(r.group, r.version, r.kind);
      listDefinition = `${definition}List`;
      schemas[definition] = customSchema(r, r.schema);
      schemas[listDefinition] = customListSchema(r, definition);
      roots.add(objectMetaDef);
      roots.add(listMetaDef);
    }
    if (r.subresources?.includes('scale')) roots.add(scaleDef);
    addResourcePaths(paths, r, definition, listDefinition, d);
  }
  addSchemas(schemas, roots, d);
  return sortKeys({
    components: {
      schemas,
      securitySchemes: {
        BearerToken: {
          description: 'Bearer Token authentication',
          in: 'header',
          name: 'authorization',
          type: 'apiKey',
        },
      },
    },
    info: { title: 'Kubernetes', version: options.version ?? 'unversioned' },
    openapi: '3.0.0',
    paths,
    security: [{ BearerToken: [] }],
  });
}

/**
 * The `/openapi/v3` index. Group-versions are written as apiVersion is (`v1`, `apps/v1`); `hash`
 * gives each document's hash (upstream: the uppercase hex SHA-512 of the document's JSON).
 */
export function openApiV3Index(groupVersions: readonly string[], hash: (gv: string) => string): Schema {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions) {
    const key = gv.includes('/') ? `apis/${gv}` : `api/${gv}`;
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash(gv)}` };
  }
  return { paths: sortKeys(paths) };
}

/** Upstream names a custom resource's schema by its reversed group: `com.example.stable.v1.CronTab`. */
function customDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

const typeMetaProperties = (): Record<string, Schema> => ({
  apiVersion: {
    description:
      'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
    type: 'string',
  },
  kind: {
    description:
      'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
    type: 'string',
  },
});

function customSchema(r: OpenApiResource, schema: Schema | undefined): Schema {
  const base: Schema = schema
    ? { ...schema }
    : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const properties = { ...((base.properties as Record<string, Schema> | undefined) ?? {}) };
  Object.assign(properties, typeMetaProperties(), {
    metadata: {
      allOf: [{ $ref: schemaRef(objectMetaDef) }],
      description:
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
    },
  });
  return {
    ...base,
    properties,
    type: 'object',
    'x-kubernetes-group-version-kind': [{ group: r.group, kind: r.kind, version: r.version }],
  };
}

function customListSchema(r: OpenApiResource, definition: string): Schema {
  return {
    description: `${r.kind}List is a list of ${r.kind}`,
    properties: {
      ...typeMetaProperties(),
      items: {
        description: `List of ${r.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        items: { $ref: schemaRef(definition) },
        type: 'array',
      },
      metadata: {
        allOf: [{ $ref: schemaRef(listMetaDef) }],
        description:
          'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
      },
    },
    required: ['items'],
    type: 'object',
    'x-kubernetes-group-version-kind': [{ group: r.group, kind: `${r.kind}List`, version: r.version }],
  };
}
