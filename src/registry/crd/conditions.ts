/** CRD status conditions, as upstream's apihelpers handle them. */
import { timestamp } from '../../api/object.ts';
import type { CustomResourceDefinition, CustomResourceDefinitionCondition } from './types.ts';

export function findCondition(
  crd: CustomResourceDefinition,
  type: string,
): CustomResourceDefinitionCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

export function isConditionTrue(crd: CustomResourceDefinition, type: string): boolean {
  return findCondition(crd, type)?.status === 'True';
}

/** Sets or replaces a condition; lastTransitionTime moves only when the status changes. */
export function setCondition(
  crd: CustomResourceDefinition,
  condition: Omit<CustomResourceDefinitionCondition, 'lastTransitionTime'>,
  now = new Date(),
): void {
  crd.status ??= {};
  crd.status.conditions ??= [];
  const conditions = crd.status.conditions;
  const existing = conditions.find((c) => c.type === condition.type);
  if (!existing) {
    conditions.push({ ...condition, lastTransitionTime: timestamp(now) });
    return;
  }
  if (existing.status !== condition.status || !existing.lastTransitionTime) {
    existing.lastTransitionTime = timestamp(now);
  }
  existing.status = condition.status;
  if (condition.reason === undefined) delete existing.reason;
  else existing.reason = condition.reason;
  if (condition.message === undefined) delete existing.message;
  else existing.message = condition.message;
}

/** Equal but for lastTransitionTime (upstream's IsCRDConditionEquivalent). */
export function conditionEquivalent(
  a: CustomResourceDefinitionCondition | undefined,
  b: CustomResourceDefinitionCondition | undefined,
): boolean {
  if (!a || !b) return a === b;
  return a.type === b.type && a.status === b.status && a.reason === b.reason && a.message === b.message;
}
