/**
 * lastAppliedUpdater: when "kubectl" server-side applies to an object that carries the client-side
 * apply annotation, the annotation is rewritten to the new configuration, so a later client-side
 * apply starts from it. The value is the configuration as Go's encoder writes it (sorted keys, HTML
 * escaping, trailing newline), without the annotation itself.
 */
import type { KubeObject } from '../object.ts';
import { goJson, isMap, type Json } from './path.ts';

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/** Upstream's total annotation size limit (256 KiB). */
const annotationsLimit = 256 * 1024;

export function buildLastApplied(applied: KubeObject): string {
  const copy = JSON.parse(JSON.stringify(applied)) as Record<string, Json>;
  const meta = copy.metadata;
  if (isMap(meta) && isMap(meta.annotations)) delete meta.annotations[lastAppliedAnnotation];
  return `${goJson(copy as Json)}\n`;
}

/** Refreshes the annotation if result has one; dropped when it would overflow the size limit. */
export function syncLastApplied(result: KubeObject, applied: KubeObject): KubeObject {
  const current = result.metadata?.annotations?.[lastAppliedAnnotation];
  if (!current) return result;
  const annotations: Record<string, string> = {
    ...result.metadata.annotations,
    [lastAppliedAnnotation]: buildLastApplied(applied),
  };
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
  if (size > annotationsLimit) delete annotations[lastAppliedAnnotation];
  return { ...result, metadata: { ...result.metadata, annotations } };
}
