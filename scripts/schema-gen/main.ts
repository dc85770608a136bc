/**
 * Generates src/api/schema/data/*.json from upstream facts: patch-meta.json (merge keys, strategies,
 * list/map types per model field), models.json (upstream definition name, required fields, kinds,
 * the non-model definitions fields refer to), and, needed only to serve OpenAPI, openapi-data.json
 * (operation parameters, v3 defaults, definition-level extensions) and descriptions.json. Run it
 * through scripts/with-node.sh so that biome (which formats the output) is on PATH:
 *
 *   node scripts/schema-gen/main.ts --swagger <swagger.json> [--go <dir>] [--out <dir>]
 *
 * --swagger: kubernetes release-1.36 `api/openapi-spec/swagger.json` (the release @kubernetes/client-node
 *   2.0.1 was generated from). Gives patch metadata, required fields, group-version-kinds,
 *   descriptions and the upstream definition each field refers to (Time, Quantity, ...).
 * --ops-swagger: the swagger.json whose operation parameters to copy (default: --swagger); skiff
 *   reports v1.32, so release-1.32's.
 * --go: a directory holding `api/`, `apimachinery/` and `apiextensions-apiserver/` checkouts of the
 *   matching Go modules (v0.36.x); used only for the OpenAPI v3 `default` values.
 *
 * Models are matched to upstream definitions by name and field set, using the installed client-node.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GoSources } from './go-types.ts';

interface Prop {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  items?: Prop;
  additionalProperties?: Prop | boolean;
  [ext: `x-${string}`]: unknown;
}
interface Definition extends Prop {
  properties?: Record<string, Prop>;
  required?: string[];
}
interface Attribute {
  baseName: string;
  type: string;
}
type ModelClass = { getAttributeTypeMap(): Attribute[] };

const { values: args } = parseArgs({
  options: {
    swagger: { type: 'string' },
    'ops-swagger': { type: 'string' },
    'swagger-note': { type: 'string' },
    go: { type: 'string' },
    out: { type: 'string', default: 'src/api/schema/data' },
  },
});
if (!args.swagger) throw new Error('--swagger <release-1.36 swagger.json> is required');

const require = createRequire(path.resolve('package.json'));
const models = require('@kubernetes/client-node/dist/gen/models/all.js') as Record<string, unknown>;
const defs = (
  JSON.parse(fs.readFileSync(args.swagger, 'utf8')) as { definitions: Record<string, Definition> }
).definitions;

function modelClass(name: string): ModelClass | undefined {
  const m = models[name] as Partial<ModelClass> | undefined;
  return typeof m?.getAttributeTypeMap === 'function' ? (m as ModelClass) : undefined;
}

// client-node names a model `<Version><Kind>`, or `<Group><Version><Kind>` where that collides.
const pascal = (s: string) => s.replace(/(^|[-.])(\w)/g, (_m, _sep, c: string) => c.toUpperCase());
const modelOfDef = new Map<string, string>();
for (const [def, d] of Object.entries(defs)) {
  const [kind = '', version = '', group = ''] = def.split('.').reverse();
  const fields = Object.keys(d.properties ?? {})
    .sort()
    .join(',');
  for (const candidate of [pascal(version) + kind, pascal(group) + pascal(version) + kind]) {
    const cls = modelClass(candidate);
    const attrs = cls?.getAttributeTypeMap().map((a) => a.baseName);
    if (attrs && attrs.sort().join(',') === fields) {
      modelOfDef.set(def, candidate);
      break;
    }
  }
}

const refName = (ref: string) => ref.replace('#/definitions/', '');

/** The upstream definition a field's leaf (through arrays and maps) refers to, if not a model. */
function specialRef(p: Prop): string | undefined {
  if (p.$ref) return modelOfDef.has(refName(p.$ref)) ? undefined : refName(p.$ref);
  if (p.items) return specialRef(p.items);
  if (typeof p.additionalProperties === 'object') return specialRef(p.additionalProperties);
  return undefined;
}

const patchKeys = {
  'x-kubernetes-patch-merge-key': 'mergeKey',
  'x-kubernetes-patch-strategy': 'strategy',
  'x-kubernetes-list-type': 'listType',
  'x-kubernetes-list-map-keys': 'listMapKeys',
  'x-kubernetes-map-type': 'mapType',
} as const;

const go = args.go
  ? new GoSources({
      'k8s.io/api': path.join(args.go, 'api'),
      'k8s.io/apimachinery': path.join(args.go, 'apimachinery'),
      'k8s.io/apiextensions-apiserver': path.join(args.go, 'apiextensions-apiserver'),
    })
  : undefined;

/** Go import path and type name of an upstream definition. */
function goTypeOf(def: string): { importPath: string; name: string } | undefined {
  const parts = def.split('.');
  const name = parts.pop() ?? '';
  if (def.startsWith('io.k8s.api.')) return { importPath: `k8s.io/api/${parts.slice(3).join('/')}`, name };
  if (def.startsWith('io.k8s.apimachinery.')) {
    return { importPath: `k8s.io/apimachinery/${parts.slice(3).join('/')}`, name };
  }
  if (def.startsWith('io.k8s.apiextensions-apiserver.')) {
    return { importPath: `k8s.io/apiextensions-apiserver/${parts.slice(3).join('/')}`, name };
  }
  return undefined;
}

/** Defaults at each level of a field: the field, its items/values, theirs. Undefined where none. */
function fieldDefaults(def: string, field: string, depth: number): unknown[] | undefined {
  if (!go) return undefined;
  const where = goTypeOf(def);
  const home = where && go.package(where.importPath);
  const resolved = where && home ? go.resolve(where.name, home, where.name) : undefined;
  if (resolved?.kind !== 'named') return undefined;
  const { pkg, type } = resolved;
  const found = go.jsonMembers(pkg, type).get(field);
  if (!found) {
    console.warn(`no Go member for ${def}.${field}`);
    return undefined;
  }
  const { member } = found;
  const omitEmpty = /json:"[^"]*omitempty/.test(member.tag);
  const out: unknown[] = [go.defaultFor(member.type, found.pkg, type.name, member.comments, omitEmpty)];
  let level = { expr: member.type, pkg: found.pkg, owner: type.name };
  for (let d = 1; d <= depth; d++) {
    level = go.underlying(level.expr, level.pkg, level.owner);
    const elem = go.elementOf(level.expr);
    if (elem === undefined) break;
    out.push(go.defaultFor(elem, level.pkg, level.owner, [], false));
    level = { ...level, expr: elem };
  }
  while (out.length > 0 && out.at(-1) === undefined) out.pop();
  return out.length > 0 ? out.map((v) => (v === undefined ? null : v)) : undefined;
}

const depthOf = (clientType: string) => (clientType.match(/Array<|\{ \[key: string\]/g) ?? []).length;

const patchMeta: Record<string, Record<string, Record<string, unknown>>> = {};
const modelFacts: Record<string, Record<string, unknown>> = {};
const descriptions: Record<string, Record<string, string>> = {};
const defaultsOf: Record<string, Record<string, unknown[]>> = {};
const extensionsOf: Record<string, Record<string, unknown>> = {};

for (const [def, d] of Object.entries(defs)) {
  const desc: Record<string, string> = {};
  if (d.description) desc[''] = d.description;
  for (const [f, p] of Object.entries(d.properties ?? {})) if (p.description) desc[f] = p.description;
  descriptions[def] = desc;
}

for (const [def, name] of [...modelOfDef].sort((a, b) => a[1].localeCompare(b[1]))) {
  const d = defs[def] as Definition;
  const facts: Record<string, unknown> = { definition: def };
  if (d.required?.length) facts.required = d.required;
  if (d['x-kubernetes-group-version-kind']) facts.gvk = d['x-kubernetes-group-version-kind'];
  if (d['x-kubernetes-map-type']) facts.mapType = d['x-kubernetes-map-type'];
  const extensions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    if (k.startsWith('x-kubernetes-') && k !== 'x-kubernetes-group-version-kind') extensions[k] = v;
  }
  if (Object.keys(extensions).length) extensionsOf[name] = extensions;
  const refs: Record<string, string> = {};
  const defaults: Record<string, unknown[]> = {};
  for (const attr of modelClass(name)?.getAttributeTypeMap() ?? []) {
    const p = d.properties?.[attr.baseName] ?? {};
    const meta: Record<string, unknown> = {};
    for (const [ext, key] of Object.entries(patchKeys)) {
      if (p[ext as keyof typeof patchKeys] !== undefined) meta[key] = p[ext as keyof typeof patchKeys];
    }
    if (Object.keys(meta).length) {
      patchMeta[name] ??= {};
      patchMeta[name][attr.baseName] = meta;
    }
    const ref = specialRef(p);
    if (ref) refs[attr.baseName] = ref;
    const dflt = fieldDefaults(def, attr.baseName, depthOf(attr.type));
    if (dflt) defaults[attr.baseName] = dflt;
  }
  if (Object.keys(refs).length) facts.refs = refs;
  if (Object.keys(defaults).length) defaultsOf[name] = defaults;
  modelFacts[name] = facts;
}

/**
 * Query and path parameters of each kind of operation, as upstream lists them for Deployments
 * (the same for every resource but for the kind's name in `name`'s description).
 */
function operationParameters(file: string): Record<string, unknown[]> {
  interface Param {
    $ref?: string;
    name: string;
    in: string;
    description?: string;
    required?: boolean;
    type?: string;
    uniqueItems?: boolean;
  }
  interface Op {
    parameters?: Param[];
    'x-kubernetes-action'?: string;
  }
  const spec = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    paths: Record<string, Record<string, Op | Param[]>>;
    parameters: Record<string, Param>;
  };
  const resolve = (p: Param) => (p.$ref ? (spec.parameters[p.$ref.split('/').pop() ?? ''] as Param) : p);
  const clean = (ps: Param[] | undefined) =>
    (ps ?? [])
      .map(resolve)
      .filter((p) => p.in !== 'body')
      .map(({ name, in: where, description, required, type, uniqueItems }) => ({
        name,
        in: where,
        ...(description ? { description } : {}),
        ...(required ? { required } : {}),
        type,
        ...(uniqueItems ? { uniqueItems } : {}),
      }));
  const base = '/apis/apps/v1';
  const out: Record<string, unknown[]> = {};
  const places = {
    collection: `${base}/namespaces/{namespace}/deployments`,
    item: `${base}/namespaces/{namespace}/deployments/{name}`,
    allNamespaces: `${base}/deployments`,
  };
  for (const [place, p] of Object.entries(places)) {
    const item = spec.paths[p] ?? {};
    out[`${place}.parameters`] = clean(item.parameters as Param[] | undefined);
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters') continue;
      const action = (op as Op)['x-kubernetes-action'] ?? method;
      out[place === 'allNamespaces' ? 'listAllNamespaces' : action] = clean((op as Op).parameters);
    }
  }
  return out;
}
const operations = operationParameters(args['ops-swagger'] ?? args.swagger);

// Definitions that are not client-node models but that fields refer to: their own schema shape.
const specials: Record<string, Record<string, unknown>> = {};
for (const [def, d] of Object.entries(defs)) {
  if (modelOfDef.has(def)) continue;
  const shape: Record<string, unknown> = {};
  if (d.type) shape.type = d.type;
  if (d.format) shape.format = d.format;
  specials[def] = shape;
}

const source = {
  openapi: args['swagger-note'] ?? 'kubernetes release-1.36 api/openapi-spec/swagger.json',
  operations: args['ops-swagger'] ? 'kubernetes release-1.32 api/openapi-spec/swagger.json' : 'as openapi',
  defaults: go
    ? 'kubernetes/api, apimachinery, apiextensions-apiserver v0.36.3 Go types (openapi-gen rules)'
    : 'none',
  models: '@kubernetes/client-node 2.0.1',
};
const write = (file: string, data: unknown) => {
  fs.mkdirSync(args.out, { recursive: true });
  fs.writeFileSync(path.join(args.out, file), `${JSON.stringify(data, null, 2)}\n`);
};
write('patch-meta.json', patchMeta);
write('models.json', { source, specials, models: modelFacts });
write('openapi-data.json', { source, operations, extensions: extensionsOf, defaults: defaultsOf });
write('descriptions.json', descriptions);
// Leave the files as `biome check` wants them.
const files = ['patch-meta.json', 'models.json', 'openapi-data.json', 'descriptions.json'];
spawnSync('biome', ['format', '--write', ...files.map((f) => path.join(args.out, f))], { stdio: 'inherit' });
console.log(
  `models ${modelOfDef.size}/${Object.keys(defs).length} definitions; patch meta on`,
  Object.values(patchMeta).reduce((n, m) => n + Object.keys(m).length, 0),
  'fields',
);
