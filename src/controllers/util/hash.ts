/**
 * The pod-template-hash (upstream's controller.ComputeHash): FNV-32a of go-spew's rendering of
 * the template, plus the collision count as 8 little-endian bytes when set, printed in decimal
 * and mapped to the alphabet of rand.SafeEncodeString. Matching upstream's value keeps
 * ReplicaSet names and `kubectl rollout history` looking as they do on a real cluster.
 */

import { spew, UnsupportedValue } from './go-spew.ts';
import type { PodTemplate } from './types.ts';

const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

export function fnv32a(data: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (const b of data) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each character mapped into a vowel-free alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += alphanums[s.charCodeAt(i) % alphanums.length];
  return out;
}

/** What DeepHashObject writes for a template; a stable JSON form for what spew cannot show. */
export function templateHashInput(template: PodTemplate): string {
  try {
    return spew('v1.PodTemplateSpec', template);
  } catch (e) {
    if (!(e instanceof UnsupportedValue)) throw e;
    return stableJson(template);
  }
}

const isEmpty = (v: unknown) =>
  v === undefined ||
  v === null ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

/** JSON with sorted keys and without empty fields. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => !isEmpty(o[k]))
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export const podTemplateHashLabel = 'pod-template-hash';

/**
 * Upstream's EqualIgnoreHash: two templates are the same Go value once the pod-template-hash
 * label is dropped (compared through the rendering the hash uses, so a pointer set to false
 * differs from an unset one, as in Go, and an empty list equals a missing one).
 */
export function equalIgnoreHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  const strip = (t: PodTemplate | undefined): PodTemplate => {
    const labels = { ...t?.metadata?.labels };
    delete labels[podTemplateHashLabel];
    return { ...t, metadata: { ...t?.metadata, labels } };
  };
  return templateHashInput(strip(a)) === templateHashInput(strip(b));
}

export function computeHash(template: PodTemplate, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(templateHashInput(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}
