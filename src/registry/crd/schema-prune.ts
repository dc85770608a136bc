/**
 * Pruning of fields a structural schema does not specify, as apiextensions-apiserver's
 * pruning/algorithm.go does it: unknown fields go (and are reported, for fieldValidation), except
 * under x-kubernetes-preserve-unknown-fields; apiVersion, kind and metadata of the resource and of
 * embedded resources stay.
 */
import { isObject } from '../../api/object.ts';
import type { JSONSchemaProps } from './types.ts';

const metaFields = new Set(['apiVersion', 'kind', 'metadata']);

/** The schema additionalProperties gives a map's values; undefined for `true`/`false`. */
function additional(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return isObject(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined;
}

class Pruner {
  readonly unknown: string[] = [];

  record(path: string, key: string): void {
    this.unknown.push(path ? `${path}.${key}` : key);
  }

  prune(x: unknown, s: JSONSchemaProps | undefined, path: string): void {
    if (s?.['x-kubernetes-preserve-unknown-fields']) {
      this.skip(x, s, path);
      return;
    }
    if (isObject(x)) {
      for (const k of Object.keys(x)) {
        if (!s) {
          this.record(path, k);
          delete x[k];
          continue;
        }
        if (s['x-kubernetes-embedded-resource'] && metaFields.has(k)) continue;
        const prop = s.properties?.[k];
        const at = path ? `${path}.${k}` : k;
        if (prop) this.prune(x[k], prop, at);
        else if (s.additionalProperties !== undefined) this.prune(x[k], additional(s), at);
        else {
          if (!metaFields.has(k) || path) this.record(path, k);
          delete x[k];
        }
      }
    } else if (Array.isArray(x)) {
      const items = s && !Array.isArray(s.items) ? s.items : undefined;
      for (const [i, v] of x.entries()) this.prune(v, items, `${path}[${i}]`);
    }
  }

  /** Inside preserve-unknown-fields: only the fields the schema does specify are pruned further. */
  skip(x: unknown, s: JSONSchemaProps | undefined, path: string): void {
    if (!s) return;
    if (isObject(x)) {
      for (const k of Object.keys(x)) {
        if (s['x-kubernetes-embedded-resource'] && metaFields.has(k)) continue;
        const prop = s.properties?.[k];
        const at = path ? `${path}.${k}` : k;
        if (prop) this.prune(x[k], prop, at);
        else if (s.additionalProperties !== undefined) this.prune(x[k], additional(s), at);
      }
    } else if (Array.isArray(x)) {
      const items = !Array.isArray(s.items) ? s.items : undefined;
      for (const [i, v] of x.entries()) this.skip(v, items, `${path}[${i}]`);
    }
  }
}

/**
 * Removes from `obj` (in place) what `schema` does not specify; returns the removed fields' paths,
 * sorted (`spec.foo`, `spec.items[0].bar`). `isResourceRoot` keeps apiVersion, kind and metadata at
 * the top, as for a whole custom resource.
 */
export function prune(obj: unknown, schema: JSONSchemaProps | undefined, isResourceRoot = true): string[] {
  let s = schema;
  if (isResourceRoot && !s?.['x-kubernetes-embedded-resource']) {
    s = { ...(s ?? {}), 'x-kubernetes-embedded-resource': true };
  }
  const p = new Pruner();
  p.prune(obj, s, '');
  return p.unknown.sort();
}
