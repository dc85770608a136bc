import { isObject, type KubeObject } from '../../api/object.ts';
import type { ResourceInfo } from '../resource.ts';
import { genericStrategy, metadataFields, type Strategy } from '../strategy.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The field selectors upstream's core/v1 Event supports (describe uses involvedObject.*). */
export function eventFields(obj: KubeObject): Record<string, string> {
  const involved = isObject(obj.involvedObject) ? obj.involvedObject : {};
  const source = isObject(obj.source) ? obj.source : {};
  return {
    ...metadataFields(obj, true),
    'involvedObject.kind': str(involved.kind),
    'involvedObject.namespace': str(involved.namespace),
    'involvedObject.name': str(involved.name),
    'involvedObject.uid': str(involved.uid),
    'involvedObject.apiVersion': str(involved.apiVersion),
    'involvedObject.resourceVersion': str(involved.resourceVersion),
    'involvedObject.fieldPath': str(involved.fieldPath),
    reason: str(obj.reason),
    reportingComponent: str(obj.reportingComponent),
    source: str(source.component),
    type: str(obj.type),
  };
}

export function eventStrategy(info: ResourceInfo): Strategy {
  return genericStrategy(info, { selectableFields: eventFields });
}
