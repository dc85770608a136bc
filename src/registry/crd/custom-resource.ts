/**
 * What serving one version of a CRD needs (apiextensions' customresource registry): its
 * ResourceInfo from the accepted names, a Strategy that prunes, defaults and validates against the
 * version's structural schema and handles status and scale, its table, its OpenAPI schema, its
 * Scale view and the read path that shows shared storage in this version.
 */
import { apiVersionOf, isObject, type KubeObject } from '../../api/object.ts';
import { allVerbs, type ResourceInfo } from '../resource.ts';
import type { ScaleAccess } from '../store.ts';
import { genericStrategy, keepAllBut, type Strategy } from '../strategy.ts';
import type { TableColumns } from '../table.ts';
import { embeddedResources, listSetsAndMaps, scaleErrors, valueAt } from './custom-resource-validate.ts';
import { applyDefaults, pruneNonNullableNulls } from './schema-default.ts';
import { toFieldErrors } from './schema-errors.ts';
import { prune } from './schema-prune.ts';
import { deepEqual } from './schema-util.ts';
import { validateValue } from './schema-validate.ts';
import { customResourceTable } from './table.ts';
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionVersion,
  CustomResourceSubresourceScale,
  JSONSchemaProps,
} from './types.ts';

export interface CustomResourceServing {
  readonly info: ResourceInfo;
  readonly strategy: Strategy;
  readonly table: TableColumns;
  readonly openApiSchema: JSONSchemaProps | undefined;
  readonly scale: ScaleAccess | undefined;
  /** The read path: apiVersion of this version, the schema's defaults. */
  convert(obj: KubeObject): KubeObject;
  /** Fields of `obj` the schema would prune (for fieldValidation). */
  unknownFields(obj: unknown): string[];
}

/** ObjectMeta's fields: anything else in a custom resource's metadata is dropped (and reported). */
const objectMetaFields = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

function unknownMetadata(obj: unknown, drop: boolean): string[] {
  if (!isObject(obj) || !isObject(obj.metadata)) return [];
  const meta = obj.metadata;
  const unknown = Object.keys(meta).filter((k) => !objectMetaFields.has(k));
  if (drop) for (const k of unknown) delete meta[k];
  return unknown.map((k) => `metadata.${k}`);
}

/** Everything but metadata: a change there bumps generation. */
function nonMetadata(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, ...rest } = obj;
  return rest;
}

function setAt(obj: KubeObject, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur: Record<string, unknown> = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isObject(cur[p])) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts.at(-1)!] = value;
}

function scaleAccess(scale: CustomResourceSubresourceScale): ScaleAccess {
  const int = (obj: KubeObject, path: string | undefined) => {
    const v = path ? valueAt(obj, path).value : undefined;
    return typeof v === 'number' ? v : 0;
  };
  return {
    scaleOf(obj) {
      const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
      const selector = scale.labelSelectorPath ? valueAt(obj, scale.labelSelectorPath).value : undefined;
      return {
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
        spec: { replicas: int(obj, scale.specReplicasPath) },
        status: {
          replicas: int(obj, scale.statusReplicasPath),
          ...(typeof selector === 'string' && selector ? { selector } : {}),
        },
      };
    },
    withReplicas(obj, replicas) {
      const copy = structuredClone(obj);
      setAt(copy, scale.specReplicasPath ?? '.spec.replicas', replicas);
      return copy;
    },
  };
}

/** The ResourceInfo of one version, from the CRD's accepted names. */
export function customResourceInfo(
  crd: CustomResourceDefinition,
  version: CustomResourceDefinitionVersion,
): ResourceInfo {
  const names = crd.status?.acceptedNames ?? {};
  const sub = version.subresources ?? {};
  return {
    group: crd.spec?.group ?? '',
    version: version.name ?? '',
    kind: names.kind ?? '',
    plural: names.plural ?? '',
    singular: names.singular ?? (names.kind ?? '').toLowerCase(),
    namespaced: crd.spec?.scope === 'Namespaced',
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    subresources: [...(sub.status ? ['status'] : []), ...(sub.scale ? ['scale'] : [])],
    verbs: allVerbs,
  };
}

export function customResource(
  crd: CustomResourceDefinition,
  version: CustomResourceDefinitionVersion,
): CustomResourceServing {
  const info = customResourceInfo(crd, version);
  const schema = version.schema?.openAPIV3Schema;
  const hasStatus = info.subresources.includes('status');
  const scale = version.subresources?.scale;
  const apiVersion = apiVersionOf(info.group, info.version);
  /** What decoding does upstream: unknown fields pruned, nulls dropped, defaults applied. */
  const coerce = (obj: KubeObject) => {
    unknownMetadata(obj, true);
    if (!schema) return;
    prune(obj, schema, true);
    pruneNonNullableNulls(obj, schema);
    applyDefaults(obj, schema);
  };
  const validate = (obj: KubeObject) => [
    ...toFieldErrors(validateValue(schema, obj)),
    ...scaleErrors(obj, scale),
    ...embeddedResources('', schema, obj),
    ...listSetsAndMaps('', schema, obj),
  ];
  const strategy = genericStrategy(info, {
    prepareForCreate(obj) {
      if (hasStatus) delete obj.status;
      obj.metadata.generation = 1;
    },
    prepareForUpdate(obj, old) {
      if (hasStatus) {
        if (old.status !== undefined) obj.status = old.status;
        else delete obj.status;
      }
      const generation = old.metadata.generation ?? 1;
      obj.metadata.generation = deepEqual(nonMetadata(obj), nonMetadata(old)) ? generation : generation + 1;
    },
    prepareForSubresourceUpdate(_subresource, obj, old) {
      keepAllBut(
        obj,
        old,
        (o) => o.status,
        (o, v) => {
          o.status = v;
        },
      );
    },
    applyDefaults: coerce,
    validate,
  });
  return {
    info,
    strategy,
    table: customResourceTable(version.additionalPrinterColumns),
    openApiSchema: schema,
    scale: scale ? scaleAccess(scale) : undefined,
    convert(obj) {
      obj.apiVersion = apiVersion;
      if (schema) applyDefaults(obj, schema);
      return obj;
    },
    unknownFields: (obj) => [
      ...unknownMetadata(obj, false),
      ...(schema ? prune(structuredClone(obj), schema, true) : []),
    ],
  };
}
