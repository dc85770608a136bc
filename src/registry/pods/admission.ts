/**
 * What upstream's admission plugins add to every pod, done here because skiff has no separate
 * mutating-admission chain for them: DefaultTolerationSeconds, Priority (for pods without a
 * class or with a built-in one) and ServiceAccount (the name only).
 */
import { statusErrors } from '../../api/status.ts';
import { type Obj, objects, str } from './json.ts';

const podsResource = { group: '', resource: 'pods' };
const defaultTolerationSeconds = 300;

const defaultTolerations = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

/**
 * DefaultTolerationSeconds: a pod that does not already tolerate the not-ready and unreachable
 * taints (with NoExecute, or any effect) tolerates them for 300 seconds.
 */
export function addDefaultTolerations(spec: Obj): void {
  const tolerations = objects(spec.tolerations);
  const added = defaultTolerations
    .filter(
      (key) =>
        !tolerations.some(
          (t) => (str(t.key) === key || !t.key) && (str(t.effect) === 'NoExecute' || !t.effect),
        ),
    )
    .map((key) => ({
      key,
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: defaultTolerationSeconds,
    }));
  if (added.length > 0)
    spec.tolerations = [...(Array.isArray(spec.tolerations) ? spec.tolerations : []), ...added];
}

/** The priority classes every cluster has (scheduling/v1 SystemPriorityClasses). */
export const systemPriorityClasses: Readonly<Record<string, number>> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};

/** What the Priority admission computes, when it needs no PriorityClass lookup. */
export function computedPriority(spec: Obj): number | undefined {
  const className = str(spec.priorityClassName);
  return className === '' ? 0 : systemPriorityClasses[className];
}

/** Priority admission on create: refuses a priority other than the computed one. */
export function checkPriority(spec: Obj, name: string): void {
  const computed = computedPriority(spec);
  if (computed === undefined) return;
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== computed) {
    throw statusErrors.forbidden(
      podsResource,
      name,
      `the integer value of priority (${String(spec.priority)}) must not be provided in pod spec; priority admission controller computed ${computed} from the given PriorityClass name`,
    );
  }
  if (spec.preemptionPolicy && spec.preemptionPolicy !== 'PreemptLowerPriority') {
    throw statusErrors.forbidden(
      podsResource,
      name,
      `the string value of PreemptionPolicy (${String(spec.preemptionPolicy)}) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name`,
    );
  }
}

/** Sets spec.priority (and preemptionPolicy) when the class needs no lookup. */
export function defaultPriority(spec: Obj): void {
  const computed = computedPriority(spec);
  if (computed === undefined) return;
  if (spec.priority === undefined || spec.priority === null) spec.priority = computed;
  if (!spec.preemptionPolicy) spec.preemptionPolicy = 'PreemptLowerPriority';
}

/** Priority admission on update: what it set on create stays. */
export function keepPriority(spec: Obj, old: Obj): void {
  if ((spec.priority === undefined || spec.priority === null) && old.priority !== undefined)
    spec.priority = old.priority;
  if (!spec.preemptionPolicy && old.preemptionPolicy !== undefined)
    spec.preemptionPolicy = old.preemptionPolicy;
}

/** ServiceAccount admission (create only): pods run as `default` unless they name another. */
export function defaultServiceAccount(spec: Obj): void {
  if (!spec.serviceAccountName && !spec.serviceAccount) {
    spec.serviceAccountName = 'default';
    spec.serviceAccount = 'default';
  }
}
