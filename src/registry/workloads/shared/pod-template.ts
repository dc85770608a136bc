/**
 * Pod templates inside workload specs: defaults and validation come from the pods folder; the
 * checks here are the ones upstream adds for each kind of controller.
 */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { defaultPodTemplate, validatePodTemplate } from '../../pods/index.ts';
import {
  asSelector,
  isEmptySelector,
  selectorText,
  templateLabelsMismatch,
  validateLabelSelector,
} from './selector.ts';
import { child, invalidGo, type Obj, present, str, view } from './values.ts';

/** Fills the pod template at `parent[key]` (created when missing: upstream's is a struct). */
export function defaultTemplate(parent: Obj, key = 'template'): void {
  defaultPodTemplate(child(parent, key));
}

export function restartPolicy(template: unknown): string {
  return str(view(template, 'spec').restartPolicy);
}

/**
 * `spec.selector` of a controller that requires one: present, valid, not empty. Returns the
 * errors and the selector when it could be converted.
 */
export function requiredSelector(
  sel: unknown,
  path: string,
  emptyMsg: string,
  invalidMsg: string,
): { errs: FieldError[]; selector: ReturnType<typeof asSelector> } {
  const errs: FieldError[] = [];
  if (!present(sel)) errs.push(field.required(path));
  else {
    errs.push(...validateLabelSelector(sel, path));
    if (isEmptySelector(sel)) errs.push(invalidGo(path, selectorText(sel), emptyMsg));
  }
  const selector = asSelector(sel);
  if (!selector) errs.push(invalidGo(path, selectorText(sel), invalidMsg));
  return { errs, selector };
}

/** Pods of Deployments, ReplicaSets, StatefulSets and DaemonSets restart Always and never time out. */
export function alwaysRestart(template: unknown, path: string, owner: string): FieldError[] {
  const errs: FieldError[] = [];
  const policy = restartPolicy(template);
  if (policy !== 'Always') errs.push(field.notSupported(`${path}.spec.restartPolicy`, policy, ['Always']));
  if (present(view(template, 'spec').activeDeadlineSeconds)) {
    errs.push(
      field.forbidden(
        `${path}.spec.activeDeadlineSeconds`,
        `activeDeadlineSeconds in ${owner} is not Supported`,
      ),
    );
  }
  return errs;
}

/** The template's labels match the selector and the pod template itself is valid. */
export function validateSelectedTemplate(
  template: unknown,
  selector: NonNullable<ReturnType<typeof asSelector>>,
  path: string,
): FieldError[] {
  return [
    ...templateLabelsMismatch(selector, view(template, 'metadata').labels, `${path}.metadata.labels`),
    ...validatePodTemplate(template, path),
  ];
}

/** upstream's ValidatePodTemplateSpecForReplicaSet (Deployments and ReplicaSets). */
export function validateAlwaysTemplate(
  template: unknown,
  selector: NonNullable<ReturnType<typeof asSelector>>,
  path: string,
  owner: string,
): FieldError[] {
  return [...validateSelectedTemplate(template, selector, path), ...alwaysRestart(template, path, owner)];
}
