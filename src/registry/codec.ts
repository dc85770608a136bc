import type { KubeObject } from '../api/object.ts';
import type { KeyValue } from '../storage/types.ts';

/**
 * Objects are stored as the JSON the API serves, minus resourceVersion (which is the storage
 * revision, set on the way out), with apiVersion, kind and metadata first.
 */
export function encodeObject(obj: KubeObject): string {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const { resourceVersion: _rv, selfLink: _sl, ...meta } = metadata;
  return JSON.stringify({ apiVersion, kind, metadata: meta, ...rest });
}

export function decodeObject(kv: KeyValue, revision = kv.modRevision): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(revision);
  return obj;
}
