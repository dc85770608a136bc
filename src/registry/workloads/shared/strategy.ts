/** Builds a kind's Strategy from its rules on top of the generic one. */
import type { FieldError } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import { genericStrategy, metadataFields, type Strategy } from '../../strategy.ts';
import { same } from './values.ts';

export interface KindRules {
  /** upstream's SetDefaults_*: runs before the generation compare, and again by the store. */
  defaults?(obj: KubeObject): void;
  /** Runs on create (old undefined) and on every update (old: the stored object). */
  validate?(obj: KubeObject, old: KubeObject | undefined): FieldError[];
  /** Checks only an update has (immutable fields); validate runs on updates too. */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /** Runs after the generic create preparation (status reset). */
  prepareForCreate?(obj: KubeObject): void;
  /** Runs after the generic update preparation (status kept, generation). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /**
   * Whether metadata.generation is tracked. Upstream does it for the controllers' kinds
   * (Deployment, Job, Ingress, PodDisruptionBudget, ...), not for Service, PVC, PV, quota.
   */
  generation?: boolean;
  allowCreateOnUpdate?: boolean;
  /** Field-selector values beyond metadata.name and metadata.namespace. */
  fields?(obj: KubeObject): Record<string, string>;
}

/** Everything but metadata and status: what a generation counts changes of. */
function specPart(obj: KubeObject): unknown {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

export function kindStrategy(info: ResourceInfo, rules: KindRules): Strategy {
  const base = genericStrategy(info);
  // Strategy.validate does not get the old object; the store passes the same object from
  // prepareForUpdate to validate, so remember which old object each update started from.
  const olds = new WeakMap<KubeObject, KubeObject>();
  const hasStatus = info.subresources.includes('status');
  const generation = rules.generation ?? hasStatus;
  const defaults = rules.defaults ?? (() => {});
  return {
    ...base,
    allowCreateOnUpdate: rules.allowCreateOnUpdate ?? false,
    prepareForCreate(obj) {
      if (generation) base.prepareForCreate(obj);
      else if (hasStatus) delete obj.status;
      rules.prepareForCreate?.(obj);
    },
    prepareForUpdate(obj, old) {
      olds.set(obj, old);
      // Upstream defaults while decoding, so a spec that only differs by defaults is the same.
      defaults(obj);
      if (hasStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = old.status;
      }
      if (generation) {
        // Compared as upstream's semantic equality does: key order and empty values aside.
        const current = old.metadata.generation ?? 1;
        obj.metadata.generation = same(specPart(obj), specPart(old)) ? current : current + 1;
      }
      rules.prepareForUpdate?.(obj, old);
    },
    prepareForSubresourceUpdate(subresource, obj, old) {
      olds.set(obj, old);
      base.prepareForSubresourceUpdate(subresource, obj, old);
    },
    applyDefaults: defaults,
    validate: (obj) => rules.validate?.(obj, olds.get(obj)) ?? [],
    validateUpdate: (obj, old) => rules.validateUpdate?.(obj, old) ?? [],
    selectableFields: (obj) => ({ ...metadataFields(obj, info.namespaced), ...rules.fields?.(obj) }),
  };
}
