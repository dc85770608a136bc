/** Indexed completion: the completion index of pods and the completedIndexes intervals ("1,3-5"). */
import type { Pod } from '../util/types.ts';
import { completionIndexAnnotation } from './types.ts';

/** The pod's completion index, or -1 when it has none (upstream's getCompletionIndex). */
export function completionIndexOf(pod: Pod): number {
  const v = pod.metadata.annotations?.[completionIndexAnnotation];
  if (v === undefined || !/^\d+$/.test(v)) return -1;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : -1;
}

/** Parses completedIndexes, dropping what is malformed or not below `completions`. */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = Math.min(m[2] === undefined ? first : Number(m[2]), completions - 1);
    for (let i = first; i <= last; i++) out.add(i);
  }
  return out;
}

/** Ordered intervals as the API writes them: "0-2,5,7-8". */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The lowest `count` indexes below `completions` neither succeeded nor held by a pod. */
export function firstPendingIndexes(
  count: number,
  completions: number,
  succeeded: Set<number>,
  held: Set<number>,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) {
    if (!succeeded.has(i) && !held.has(i)) out.push(i);
  }
  return out;
}

/**
 * Active pods an Indexed Job must delete: those without a valid index, those whose index
 * already succeeded, and all but one of pods sharing an index.
 */
export function surplusIndexedPods(active: Pod[], completions: number, succeeded: Set<number>): Pod[] {
  const seen = new Set<number>();
  const out: Pod[] = [];
  for (const pod of active) {
    const ix = completionIndexOf(pod);
    if (ix < 0 || ix >= completions || succeeded.has(ix) || seen.has(ix)) out.push(pod);
    else seen.add(ix);
  }
  return out;
}

/** generateName for an index: `<job>-<index>-`, the name cut so the prefix fits 58 characters. */
export function generateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = jobName + suffix;
  return prefix.length > 58 ? jobName.slice(0, 58 - suffix.length) + suffix : prefix;
}
