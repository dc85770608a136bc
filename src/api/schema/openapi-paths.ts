/**
 * `paths` of an OpenAPI v3 document for one resource, with upstream's operation ids, descriptions,
 * parameters and `x-kubernetes-action` / `x-kubernetes-group-version-kind`. kubectl looks for the
 * PATCH operation carrying the kind's group-version-kind and a `fieldValidation` query parameter
 * before it relies on server-side field validation.
 */
import { type OpenApiData, type OperationParameter, type Schema, schemaRef } from './openapi-schemas.ts';

/** A served resource, as the server's catalogue describes it. */
export interface OpenApiResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The URL segment: `deployments`. */
  readonly plural: string;
  readonly namespaced: boolean;
  /** Verbs served (all if absent): create, delete, deletecollection, get, list, patch, update, watch. */
  readonly verbs?: readonly string[];
  /** Subresources; `status` and `scale` get paths. */
  readonly subresources?: readonly string[];
}

const metaDef = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const statusDef = `${metaDef}.Status`;
const deleteOptionsDef = `${metaDef}.DeleteOptions`;
const patchDef = `${metaDef}.Patch`;
export const scaleDef = 'io.k8s.api.autoscaling.v1.Scale';
const scaleGvk = { group: 'autoscaling', kind: 'Scale', version: 'v1' };
const patchTypes = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update'];

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One operation: the verb that must be served, and what upstream says about it. */
interface Operation {
  readonly method: Method;
  readonly verb: string;
  readonly action: string;
  readonly id: string;
  readonly description: string;
  /** Key of its parameters in openapi-data.json's `operations`. */
  readonly parameters: string;
  readonly body?: Schema;
  readonly responses: Schema;
}

/** `CoreV1`, `AppsV1`, `RbacAuthorizationV1`: upstream's operation id infix for a group-version. */
export function operationInfix(group: string, version: string): string {
  const name = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '');
  return name.split(/[.-]/).map(upperFirst).join('') + upperFirst(version);
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Adds the paths of one resource to `paths`: collection, item, the list across namespaces and the
 * status and scale subresources. `definition` and `listDefinition` name the kind's and list's schemas.
 */
export function addResourcePaths(
  paths: Record<string, Schema>,
  r: OpenApiResource,
  definition: string,
  listDefinition: string | undefined,
  data: OpenApiData,
): void {
  const served = new Set(r.verbs ?? allVerbs);
  const infix = operationInfix(r.group, r.version);
  const tag = `${infix.charAt(0).toLowerCase()}${infix.slice(1, -r.version.length)}_${r.version}`;
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const scope = r.namespaced ? 'Namespaced' : '';
  const collection = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
  const gvk = { group: r.group, kind: r.kind, version: r.version };

  const params = (key: string, kind: string) =>
    (data.operations[key] ?? [])
      .filter((p) => r.namespaced || p.name !== 'namespace')
      .map((p) => parameter(p, kind));
  const pathItem = (ops: Operation[], parameters: string, kind: Record<string, string>, named = r.kind) => {
    const item: Schema = { parameters: params(parameters, named) };
    for (const o of ops) {
      if (!served.has(o.verb)) continue;
      const ps = params(o.parameters, named);
      item[o.method] = {
        description: o.description,
        operationId: o.id,
        ...(ps.length > 0 ? { parameters: ps } : {}),
        ...(o.body ? { requestBody: o.body } : {}),
        responses: o.responses,
        tags: [tag],
        'x-kubernetes-action': o.action,
        'x-kubernetes-group-version-kind': kind,
      };
    }
    return item;
  };

  const k = r.kind;
  const collectionOps: Operation[] = [
    ...(listDefinition ? [listOperation(`list${infix}${scope}${k}`, k, listDefinition, 'list')] : []),
    {
      method: 'post',
      verb: 'create',
      action: 'post',
      id: `create${infix}${scope}${k}`,
      description: `create ${/^[AEIOU]/.test(k) ? 'an' : 'a'} ${k}`,
      parameters: 'post',
      body: body(definition),
      responses: responses(definition, ['OK', 'Created', 'Accepted']),
    },
    {
      method: 'delete',
      verb: 'deletecollection',
      action: 'deletecollection',
      id: `delete${infix}Collection${scope}${k}`,
      description: `delete collection of ${k}`,
      parameters: 'deletecollection',
      body: body(deleteOptionsDef, false),
      responses: responses(statusDef, ['OK']),
    },
  ];
  paths[collection] = pathItem(collectionOps, 'collection.parameters', gvk);

  const itemOps = (what: string, def: string, suffix: string): Operation[] => [
    read('get', 'get', `read${infix}${scope}${k}${suffix}`, `read ${what}`, def),
    write('put', 'update', `replace${infix}${scope}${k}${suffix}`, `replace ${what}`, body(def), def),
    write(
      'patch',
      'patch',
      `patch${infix}${scope}${k}${suffix}`,
      `partially update ${what}`,
      patchBody(),
      def,
    ),
  ];
  paths[`${collection}/{name}`] = pathItem(
    [
      ...itemOps(`the specified ${k}`, definition, ''),
      {
        method: 'delete',
        verb: 'delete',
        action: 'delete',
        id: `delete${infix}${scope}${k}`,
        description: `delete ${/^[AEIOU]/.test(k) ? 'an' : 'a'} ${k}`,
        parameters: 'delete',
        body: body(deleteOptionsDef, false),
        responses: responses(statusDef, ['OK', 'Accepted']),
      },
    ],
    'item.parameters',
    gvk,
  );

  if (r.namespaced && listDefinition) {
    const all = listOperation(`list${infix}${k}ForAllNamespaces`, k, listDefinition, 'listAllNamespaces');
    paths[`${base}/${r.plural}`] = pathItem([all], 'allNamespaces.parameters', gvk);
  }
  if (r.subresources?.includes('status')) {
    const ops = itemOps(`status of the specified ${k}`, definition, 'Status');
    paths[`${collection}/{name}/status`] = pathItem(ops, 'item.parameters', gvk);
  }
  if (r.subresources?.includes('scale')) {
    const ops = itemOps(`scale of the specified ${k}`, scaleDef, 'Scale');
    paths[`${collection}/{name}/scale`] = pathItem(ops, 'item.parameters', scaleGvk, 'Scale');
  }
}

function listOperation(id: string, kind: string, listDefinition: string, parameters: string): Operation {
  return {
    method: 'get',
    verb: 'list',
    action: 'list',
    id,
    description: `list or watch objects of kind ${kind}`,
    parameters,
    responses: responses(listDefinition, ['OK'], true),
  };
}

function read(method: Method, verb: string, id: string, description: string, def: string): Operation {
  return {
    method,
    verb,
    action: method,
    id,
    description,
    parameters: method,
    responses: responses(def, ['OK']),
  };
}

function write(
  method: Method,
  verb: string,
  id: string,
  description: string,
  requestBody: Schema,
  def: string,
) {
  return {
    ...read(method, verb, id, description, def),
    body: requestBody,
    responses: responses(def, ['OK', 'Created']),
  };
}

function parameter(p: OperationParameter, kind: string): Schema {
  const description = p.name === 'name' && p.in === 'path' ? `name of the ${kind}` : p.description;
  return {
    ...(description ? { description } : {}),
    in: p.in,
    name: p.name,
    ...(p.required ? { required: true } : {}),
    schema: { type: p.type, ...(p.uniqueItems ? { uniqueItems: true } : {}) },
  };
}

const codes = { OK: 200, Created: 201, Accepted: 202 } as const;

/** The given success responses, each with the definition as JSON and YAML, and 401. */
function responses(definition: string, success: (keyof typeof codes)[], watch = false): Schema {
  const schema = { $ref: schemaRef(definition) };
  const content: Record<string, Schema> = { 'application/json': { schema }, 'application/yaml': { schema } };
  if (watch) content['application/json;stream=watch'] = { schema };
  const out: Schema = {};
  for (const s of success) out[codes[s]] = { content, description: s };
  out[401] = { description: 'Unauthorized' };
  return out;
}

function body(definition: string, required = true): Schema {
  return {
    content: { '*/*': { schema: { $ref: schemaRef(definition) } } },
    ...(required ? { required: true } : {}),
  };
}

function patchBody(): Schema {
  const schema = { $ref: schemaRef(patchDef) };
  return { content: Object.fromEntries(patchTypes.map((t) => [t, { schema }])), required: true };
}
