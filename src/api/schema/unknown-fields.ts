/**
 * Server-side field validation (`?fieldValidation=Strict|Warn`): the unknown and duplicate fields
 * kube-apiserver's strict JSON decoder (sigs.k8s.io/json) reports for a built-in kind.
 *
 * Paths are written as that decoder writes them: keys joined by `.`, list indices as `[i]`, no
 * leading dot (`spec.template.spec.containers[0].imagePullPolice`); map keys are path segments too
 * (`metadata.labels.app`). Errors come in document order, deduplicated, at most 100.
 *
 * How upstream words them:
 * - each error: `unknown field "spec.foo"`, `duplicate field "metadata.name"`;
 * - Warn: one `Warning: 299 - "<error>"` per error, the request goes on;
 * - Strict, create/update (400 BadRequest): `<Kind> in version "<v>" cannot be handled as a <Kind>:
 *   strict decoding error: <error>, <error>`;
 * - Strict, patch (422 Invalid, field `patch`): the same `strict decoding error: ...` as the detail.
 *
 * Fields typed RawExtension, JSON, FieldsV1 and the like hold anything: nothing inside them is
 * checked (upstream decodes them with their own UnmarshalJSON, outside the strict pass).
 */
import { type JsonNode, parseJsonTree, treeOf } from './json-tree.ts';
import { modelField, schemaFor, type TypeInfo } from './model.ts';

export type StrictErrorType = 'unknown field' | 'duplicate field';

export interface StrictFieldError {
  readonly type: StrictErrorType;
  readonly path: string;
}

/** Upstream keeps at most this many strict errors per request. */
const maxErrors = 100;

/** `unknown field "spec.foo"` */
export function strictErrorMessage(e: StrictFieldError): string {
  return `${e.type} ${JSON.stringify(e.path)}`;
}

/** `strict decoding error: unknown field "spec.foo", duplicate field "metadata.name"` */
export function strictDecodingError(errors: readonly StrictFieldError[]): string {
  return `strict decoding error: ${errors.map(strictErrorMessage).join(', ')}`;
}

/** Unknown-field finders of kinds without a built-in model (custom resources), by group/version/kind. */
const customKinds = new Map<string, (obj: unknown) => string[]>();

/**
 * Lets a kind without a model (a custom resource version) say which fields of an object its schema
 * does not know; returns the function that withdraws it.
 */
export function registerCustomKind(
  group: string,
  version: string,
  kind: string,
  unknownFields: (obj: unknown) => string[],
): () => void {
  const key = `${group}/${version}/${kind}`;
  customKinds.set(key, unknownFields);
  return () => {
    if (customKinds.get(key) === unknownFields) customKinds.delete(key);
  };
}

/** Paths of fields the kind's schema does not know. Empty for kinds without a schema. */
export function findUnknownFields(group: string, version: string, kind: string, obj: unknown): string[] {
  const model = schemaFor(group, version, kind);
  if (!model) return (customKinds.get(`${group}/${version}/${kind}`)?.(obj) ?? []).slice(0, maxErrors);
  const c = new Collector();
  walkModel(model, treeOf(obj), '', c);
  return c.errors.map((e) => e.path);
}

/** Paths of keys repeated within one JSON object, anywhere in the document. Empty if not JSON. */
export function findDuplicateFields(jsonText: string): string[] {
  const tree = tryParse(jsonText);
  if (!tree) return [];
  const c = new Collector();
  walkFree(tree, '', c);
  return c.errors.map((e) => e.path);
}

/**
 * Unknown and duplicate fields of a JSON request body for a kind, in the order upstream's decoder
 * meets them. For kinds without a schema only duplicates are found. Empty if the text is not JSON.
 */
export function findStrictFieldErrors(
  group: string,
  version: string,
  kind: string,
  jsonText: string,
): StrictFieldError[] {
  const tree = tryParse(jsonText);
  if (!tree) return [];
  const c = new Collector();
  const model = schemaFor(group, version, kind);
  if (model) walkModel(model, tree, '', c);
  else {
    walkFree(tree, '', c);
    // A custom resource: duplicates as the decoder meets them, then what pruning would remove.
    const custom = customKinds.get(`${group}/${version}/${kind}`);
    if (custom) for (const path of custom(JSON.parse(jsonText))) c.add('unknown field', path);
  }
  return c.errors;
}

class Collector {
  readonly errors: StrictFieldError[] = [];
  readonly #seen = new Set<string>();

  add(type: StrictErrorType, path: string): void {
    const key = `${type}\0${path}`;
    if (this.errors.length >= maxErrors || this.#seen.has(key)) return;
    this.#seen.add(key);
    this.errors.push({ type, path });
  }
}

function tryParse(text: string): JsonNode | undefined {
  try {
    return parseJsonTree(text);
  } catch {
    return undefined;
  }
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function walkModel(model: string, node: JsonNode, path: string, c: Collector): void {
  if (node.kind !== 'object') return;
  const seen = new Set<string>();
  for (const [key, value] of node.entries) {
    const p = join(path, key);
    const field = modelField(model, key);
    if (!field) {
      c.add('unknown field', p);
      continue;
    }
    if (seen.has(key)) c.add('duplicate field', p);
    seen.add(key);
    walkTyped(field, value, p, c);
  }
}

function walkTyped(type: TypeInfo, node: JsonNode, path: string, c: Collector): void {
  switch (type.type) {
    case 'model':
      if (type.model) walkModel(type.model, node, path, c);
      return;
    case 'array':
      if (node.kind === 'array' && type.items) {
        const items = type.items;
        node.items.forEach((item, i) => {
          walkTyped(items, item, `${path}[${i}]`, c);
        });
      }
      return;
    case 'map':
      if (node.kind === 'object' && type.values) {
        const seen = new Set<string>();
        for (const [key, value] of node.entries) {
          const p = join(path, key);
          if (seen.has(key)) c.add('duplicate field', p);
          seen.add(key);
          walkTyped(type.values, value, p, c);
        }
      }
      return;
    default:
      // Scalars, and 'any'/'object' fields whose content upstream does not check.
      return;
  }
}

/** Schema-less: duplicates in every object, as when decoding into map[string]interface{}. */
function walkFree(node: JsonNode, path: string, c: Collector): void {
  if (node.kind === 'array') {
    node.items.forEach((item, i) => {
      walkFree(item, `${path}[${i}]`, c);
    });
  } else if (node.kind === 'object') {
    const seen = new Set<string>();
    for (const [key, value] of node.entries) {
      const p = join(path, key);
      if (seen.has(key)) c.add('duplicate field', p);
      seen.add(key);
      walkFree(value, p, c);
    }
  }
}
