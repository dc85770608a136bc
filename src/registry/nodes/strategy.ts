import { isObject, type KubeObject } from '../../api/object.ts';
import type { ResourceInfo } from '../resource.ts';
import { genericStrategy, type Strategy } from '../strategy.ts';

/**
 * Nodes: a kubelet registers its node with status already filled, so create keeps status
 * (upstream's nodeStrategy allows every field on create); spec.unschedulable is selectable.
 */
export function nodeStrategy(info: ResourceInfo): Strategy {
  const base = genericStrategy(info);
  return {
    ...base,
    prepareForCreate() {},
    prepareForUpdate(obj: KubeObject, old: KubeObject) {
      if (old.status === undefined) delete obj.status;
      else obj.status = old.status;
    },
    selectableFields: (obj) => ({
      'metadata.name': obj.metadata.name ?? '',
      'spec.unschedulable': String(isObject(obj.spec) && obj.spec.unschedulable === true),
    }),
  };
}
