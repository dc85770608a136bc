import { isObject, type KubeObject } from '../../api/object.ts';
import { statusErrors } from '../../api/status.ts';
import type { Admit } from '../store.ts';
import { computedPriority } from './admission.ts';

const podsResource = { group: '', resource: 'pods' };

/**
 * Upstream's Priority admission for classes that need a lookup: a pod naming a user
 * PriorityClass gets its value and preemptionPolicy (403 when the class does not exist or
 * the pod states another value); a pod naming none gets the globalDefault class if there is
 * one. Built-in classes and "no class at all" are settled by the pod strategy already.
 * The classes are read through `classes` (the registry's informer-backed reads).
 */
export interface PriorityClassReads {
  get(name: string): Promise<KubeObject | undefined>;
  list(): Promise<KubeObject[]>;
}

export function priorityAdmission(priorityClasses: PriorityClassReads, next: Admit | undefined): Admit {
  return async (op, obj, old) => {
    if (op === 'create') await admitPriority(priorityClasses, obj);
    await next?.(op, obj, old);
  };
}

async function admitPriority(classes: PriorityClassReads, pod: KubeObject): Promise<void> {
  const spec = isObject(pod.spec) ? pod.spec : undefined;
  if (!spec) return;
  const name = pod.metadata.name ?? '';
  let className = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
  if (className && computedPriority(spec) !== undefined) return;
  let pc: KubeObject | undefined;
  if (className) {
    pc = await classes.get(className).catch(() => undefined);
    if (!pc) {
      throw statusErrors.forbidden(podsResource, name, `no PriorityClass with name ${className} was found`);
    }
  } else {
    pc = (await classes.list()).find((c) => c.globalDefault === true);
    if (!pc) return;
    className = pc.metadata.name!;
    // The strategy set priority 0 for a pod with no class; the global default replaces it.
    if (spec.priority === 0) delete spec.priority;
    spec.priorityClassName = className;
  }
  const value = typeof pc.value === 'number' ? pc.value : 0;
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== value) {
    throw statusErrors.forbidden(
      podsResource,
      name,
      `the integer value of priority (${String(spec.priority)}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`,
    );
  }
  spec.priority = value;
  spec.preemptionPolicy =
    typeof pc.preemptionPolicy === 'string' ? pc.preemptionPolicy : 'PreemptLowerPriority';
}
