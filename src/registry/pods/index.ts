/**
 * Pods: the Pod strategy, and the pod-spec defaulting and validation every workload's pod
 * template shares.
 */
import type { FieldError } from '../../api/field-errors.ts';
import type { ResourceInfo } from '../resource.ts';
import type { Strategy } from '../strategy.ts';
import { defaultPodSpec as defaultSpec, defaultPodTemplate as defaultTemplate } from './pod-spec-defaults.ts';
import {
  validatePodSpec as validateSpec,
  validatePodTemplate as validateTemplate,
} from './pod-spec-validation.ts';
import { podStrategy } from './strategy.ts';

/** Strategies for pods and the other core kinds this folder covers, keyed `<group>/<plural>`. */
export const podStrategies: Record<string, (info: ResourceInfo) => Strategy> = {
  '/pods': podStrategy,
};

/** Upstream's v1 defaults of a pod spec (in a Pod or a workload's template). */
export function defaultPodSpec(spec: Record<string, unknown>): void {
  defaultSpec(spec);
}

/** A pod spec's field errors, as upstream's ValidatePodSpec reports them for a template. */
export function validatePodSpec(spec: unknown, path: string): FieldError[] {
  return validateSpec(spec, path);
}

/** Defaults of a workload's `spec.template` (metadata and spec); nothing when absent. */
export function defaultPodTemplate(template: Record<string, unknown> | undefined): void {
  defaultTemplate(template);
}

/** A workload's `spec.template` field errors (labels, annotations, spec), under `path`. */
export function validatePodTemplate(template: unknown, path: string): FieldError[] {
  return validateTemplate(template, path);
}

export { defaultPod } from './pod-spec-defaults.ts';
export { computePodQOS, type QOSClass } from './qos.ts';
export { compareQuantities, parseQuantity, type Quantity, quantityString } from './quantity.ts';
export { podSelectableFields, podStrategy } from './strategy.ts';
