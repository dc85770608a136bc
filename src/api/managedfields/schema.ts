/**
 * The structured-merge-diff view of a kind's schema, built lazily from src/api/schema/model.ts the
 * way kube-openapi's schemaconv turns OpenAPI into SMD types:
 * - lists: x-kubernetes-list-type map (keys) / set / atomic; without a list type, patch strategy
 *   merge makes them associative on the patch merge key (a set without one); otherwise atomic;
 * - maps and structs: granular unless x-kubernetes-map-type (field or definition) is atomic;
 * - untyped values (RawExtension, JSON): "deduced" — maps granular, lists atomic.
 * Kinds without a model (custom resources) get metadata typed as ObjectMeta and the rest walked
 * like a structural schema would: every object key a named field, objects granular, lists atomic.
 */
import { type FieldInfo, modelField, modelInfo, schemaFor, type TypeInfo } from '../schema/model.ts';
import type { Json } from './path.ts';

export type SchemaType =
  | { readonly t: 'scalar' }
  | {
      readonly t: 'list';
      readonly atomic: boolean;
      readonly keys: readonly string[];
      readonly elem: SchemaType;
      readonly keyDefaults?: Readonly<Record<string, Json>>;
    }
  | { readonly t: 'map'; readonly atomic: boolean; readonly model?: string; readonly elem?: SchemaType }
  | { readonly t: 'untyped' }
  | { readonly t: 'deduced' };

export const scalarType: SchemaType = { t: 'scalar' };
export const deducedType: SchemaType = { t: 'deduced' };
/** A custom resource's content: every key a named field, lists atomic. */
export const untypedType: SchemaType = { t: 'untyped' };

/** Upstream's OpenAPI defaults for list-map key fields (x-kubernetes-list-map-keys with `default`). */
const keyDefaults: Record<string, Record<string, Json>> = {
  V1ContainerPort: { protocol: 'TCP' },
  V1ServicePort: { protocol: 'TCP' },
};

/**
 * Struct fields that are not pointers in the Go types, so a decoded object always holds them (as
 * `{}`) even when a client left them out. Required fields are always present too (they lack
 * omitempty). This decides whether an Update that fills one in "added" the struct itself, which
 * shows as `".": {}` in the FieldsV1 of the updater.
 */
const nonPointerStructs = new Set([
  'V1DeploymentSpec.template',
  'V1DeploymentSpec.strategy',
  'V1ReplicaSetSpec.template',
  'V1StatefulSetSpec.template',
  'V1StatefulSetSpec.updateStrategy',
  'V1DaemonSetSpec.template',
  'V1DaemonSetSpec.updateStrategy',
  'V1JobSpec.template',
  'V1CronJobSpec.jobTemplate',
  'V1JobTemplateSpec.metadata',
  'V1JobTemplateSpec.spec',
  'V1PodTemplateSpec.metadata',
  'V1PodTemplateSpec.spec',
  'V1PodTemplate.template',
  'V1Container.resources',
  'V1EphemeralContainer.resources',
  'V1PersistentVolumeClaimSpec.resources',
  'V1ServiceStatus.loadBalancer',
  'V1IngressStatus.loadBalancer',
  'V1NodeStatus.daemonEndpoints',
  'V1NodeStatus.nodeInfo',
  'V1NodeDaemonEndpoints.kubeletEndpoint',
  'V1HorizontalPodAutoscalerSpec.scaleTargetRef',
  'V2HorizontalPodAutoscalerSpec.scaleTargetRef',
  'CoreV1Event.involvedObject',
  'CoreV1Event.source',
  'V1RoleBinding.roleRef',
  'V1ClusterRoleBinding.roleRef',
  'V1NetworkPolicySpec.podSelector',
  'DiscoveryV1Endpoint.conditions',
  'V1ValidatingWebhook.clientConfig',
  'V1MutatingWebhook.clientConfig',
  'V1CustomResourceDefinitionSpec.names',
  'V1CustomResourceDefinitionStatus.acceptedNames',
]);

const cache = new Map<string, SchemaType>();

function modelType(model: string, fieldAtomic = false): SchemaType {
  const k = `${model}/${fieldAtomic}`;
  let t = cache.get(k);
  if (!t) {
    t = { t: 'map', atomic: fieldAtomic || modelInfo(model)?.mapType === 'atomic', model };
    cache.set(k, t);
  }
  return t;
}

function typeOf(info: TypeInfo, patch?: FieldInfo['patch']): SchemaType {
  switch (info.type) {
    case 'model':
      return info.model ? modelType(info.model, patch?.mapType === 'atomic') : deducedType;
    case 'array': {
      const elem = info.items ? typeOf(info.items) : deducedType;
      const defaults = info.items?.model ? keyDefaults[info.items.model] : undefined;
      const list = (atomic: boolean, keys: readonly string[]): SchemaType => ({
        t: 'list',
        atomic,
        keys,
        elem,
        ...(defaults ? { keyDefaults: defaults } : {}),
      });
      const lt = patch?.listType;
      if (lt === 'map') return list(false, patch?.listMapKeys ?? []);
      if (lt === 'set') return list(false, []);
      if (lt === 'atomic') return list(true, []);
      if (patch?.strategy === 'merge' || patch?.strategy === 'merge,retainKeys')
        return list(false, patch.mergeKey ? [patch.mergeKey] : []);
      return list(true, []);
    }
    case 'map':
      return {
        t: 'map',
        atomic: patch?.mapType === 'atomic',
        elem: info.values ? typeOf(info.values) : deducedType,
      };
    case 'any':
    case 'object':
      return deducedType;
    default:
      return scalarType;
  }
}

/** The type of a whole object of a kind. */
export function rootType(group: string, version: string, kind: string): SchemaType {
  const model = schemaFor(group, version, kind);
  return model ? modelType(model) : untypedType;
}

export interface FieldType {
  readonly type: SchemaType;
  /** A struct field (FindField succeeds), as opposed to a map entry. */
  readonly named: boolean;
}

const objectMeta: FieldType = { type: modelType('V1ObjectMeta'), named: true };

/** The type of key k in a map-like value of type t, root telling the top of an object. */
export function fieldType(t: SchemaType, key: string, root = false): FieldType {
  if (t.t === 'map') {
    if (t.model) {
      const f = modelField(t.model, key);
      return f ? { type: typeOf(f, f.patch), named: true } : { type: deducedType, named: false };
    }
    return { type: t.elem ?? deducedType, named: false };
  }
  if (t.t === 'untyped') return root && key === 'metadata' ? objectMeta : { type: untypedType, named: true };
  return { type: deducedType, named: false };
}

/**
 * The value a field holds once the object went through the Go types, given its JSON value v
 * (undefined when absent): a non-pointer struct is always there (`{}` at least), a field without
 * omitempty is at least null, and an optional map, list or pointer that is empty or null is dropped.
 */
export function decodedValue(
  t: SchemaType,
  key: string,
  v: Json | undefined,
  root: boolean,
): Json | undefined {
  if (t.t !== 'map' || !t.model) return v;
  const f = modelField(t.model, key);
  if (!f) return v;
  const struct =
    f.type === 'model' &&
    (nonPointerStructs.has(`${t.model}.${key}`) ||
      (root && (key === 'metadata' || key === 'spec' || key === 'status')));
  if (v === undefined) return struct ? {} : f.required ? null : undefined;
  // A null time is a non-pointer metav1.Time (condition timestamps): Go writes and keeps it as null.
  if (v === null) return struct ? {} : f.required || f.type === 'date-time' ? null : undefined;
  const empty = Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v).length === 0;
  if (empty && !f.required && (f.type === 'map' || f.type === 'array')) return undefined;
  return v;
}
