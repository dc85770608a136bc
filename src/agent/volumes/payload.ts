/**
 * The files of configMap, secret, downwardAPI and projected volumes (upstream's MakePayload /
 * CollectData of each plugin): pure functions of the objects read through an ObjectSource.
 */
import type {
  V1DownwardAPIVolumeFile,
  V1KeyToPath,
  V1Pod,
  V1ProjectedVolumeSource,
  V1ServiceAccountTokenProjection,
} from '@kubernetes/client-node';
import type { Payload } from './atomic-writer.ts';
import { fieldRefValue, findContainer, resourceFieldValue, withDefaultLimits } from './fieldpath.ts';
import { notFoundMessage, type ObjectSource } from './source.ts';

export const defaultFileMode = 0o644;

export type ObjectKind = 'configmap' | 'secret';

/** Joins errors as Go's utilerrors.NewAggregate prints them. */
export function aggregate(messages: string[]): string {
  return messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;
}

/** The keys of a configMap (data + binaryData) or secret as bytes; undefined when it is missing. */
export async function objectData(
  source: ObjectSource,
  kind: ObjectKind,
  namespace: string,
  name: string,
): Promise<Map<string, Buffer> | undefined> {
  const out = new Map<string, Buffer>();
  if (kind === 'configmap') {
    const cm = await source.configMap(namespace, name);
    if (!cm) return undefined;
    for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, Buffer.from(v));
    for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  } else {
    const s = await source.secret(namespace, name);
    if (!s) return undefined;
    for (const [k, v] of Object.entries(s.data ?? {})) out.set(k, Buffer.from(v, 'base64'));
  }
  return out;
}

/** Files for the keys of a configMap or secret, all of them or the listed `items`. */
export function keysPayload(
  kind: ObjectKind,
  data: Map<string, Buffer>,
  items: V1KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
): Payload {
  const payload: Payload = new Map();
  if (!items || items.length === 0) {
    for (const [k, v] of data) payload.set(k, { data: v, mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    const value = data.get(item.key);
    if (value === undefined) {
      if (optional) continue;
      throw new Error(
        kind === 'configmap'
          ? `configmap references non-existent config key: ${item.key}`
          : `references non-existent secret key: ${item.key}`,
      );
    }
    payload.set(item.path, { data: value, mode: item.mode ?? defaultMode });
  }
  return payload;
}

/** Reads the object and builds its files; a missing optional object gives no files. */
export async function objectPayload(
  source: ObjectSource,
  kind: ObjectKind,
  namespace: string,
  name: string,
  items: V1KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
): Promise<Payload> {
  const data = await objectData(source, kind, namespace, name);
  if (!data) {
    if (optional) return new Map();
    throw new Error(notFoundMessage(kind, name));
  }
  return keysPayload(kind, data, items, defaultMode, optional);
}

/** Files of a downwardAPI volume (or projection); errors of all items are reported together. */
export function downwardPayload(
  items: V1DownwardAPIVolumeFile[] | undefined,
  pod: V1Pod,
  defaultMode: number,
  allocatable?: Record<string, string>,
): Payload {
  const payload: Payload = new Map();
  const errors: string[] = [];
  for (const item of items ?? []) {
    try {
      let text: string;
      if (item.fieldRef) {
        text = fieldRefValue(item.fieldRef, pod);
      } else if (item.resourceFieldRef) {
        const name = item.resourceFieldRef.containerName ?? '';
        const container = findContainer(pod, name);
        if (!container) throw new Error(`container ${name} not found`);
        text = resourceFieldValue(item.resourceFieldRef, withDefaultLimits(container, allocatable));
      } else {
        continue;
      }
      payload.set(item.path, { data: Buffer.from(text), mode: item.mode ?? defaultMode });
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length > 0) throw new Error(aggregate(errors));
  return payload;
}

/** Issues (or reuses) the token of the `index`-th source of a projected volume. */
export type TokenProvider = (index: number, projection: V1ServiceAccountTokenProjection) => Promise<string>;

/** Files of a projected volume, merged in source order; errors of all sources together. */
export async function projectedPayload(
  projected: V1ProjectedVolumeSource,
  pod: V1Pod,
  source: ObjectSource,
  token: TokenProvider,
  allocatable?: Record<string, string>,
): Promise<Payload> {
  const ns = pod.metadata?.namespace ?? 'default';
  const mode = projected.defaultMode ?? defaultFileMode;
  const payload: Payload = new Map();
  const errors: string[] = [];
  const sources = projected.sources ?? [];
  for (let i = 0; i < sources.length; i++) {
    const s = sources[i]!;
    try {
      let part: Payload = new Map();
      if (s.configMap) {
        const { name = '', items, optional = false } = s.configMap;
        part = await objectPayload(source, 'configmap', ns, name, items, mode, optional);
      } else if (s.secret) {
        const { name = '', items, optional = false } = s.secret;
        part = await objectPayload(source, 'secret', ns, name, items, mode, optional);
      } else if (s.downwardAPI) {
        part = downwardPayload(s.downwardAPI.items, pod, mode, allocatable);
      } else if (s.serviceAccountToken) {
        const data = Buffer.from(await token(i, s.serviceAccountToken));
        part.set(s.serviceAccountToken.path, { data, mode });
      } else if (s.clusterTrustBundle) {
        throw new Error('clusterTrustBundle projections are not supported');
      }
      for (const [k, v] of part) payload.set(k, v);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length > 0) throw new Error(aggregate(errors));
  return payload;
}
