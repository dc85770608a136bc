/** v1 Services: defaults, the REST storage's clusterIP rules, ValidateService{,Update}. */
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { spec, str } from '../shared/values.ts';
import { validateServiceUpdate } from './cluster-ips.ts';
import {
  defaultService,
  dropTypeDependentFields,
  normalizeClusterIPs,
  patchAllocatedValues,
} from './defaults.ts';
import { validateService } from './validation.ts';

export function serviceStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    generation: false,
    allowCreateOnUpdate: true,
    defaults: defaultService,
    prepareForCreate: (obj) => normalizeClusterIPs(spec(obj), undefined),
    prepareForUpdate(obj, old) {
      normalizeClusterIPs(spec(obj), spec(old));
      patchAllocatedValues(spec(obj), spec(old));
      dropTypeDependentFields(obj, old);
    },
    validate: validateService,
    validateUpdate: validateServiceUpdate,
    fields: (obj) => ({ 'spec.clusterIP': str(spec(obj).clusterIP), 'spec.type': str(spec(obj).type) }),
  });
}
