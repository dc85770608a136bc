/** Label selectors and label maps in specs, checked as upstream's meta/v1 validation does. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { isObject } from '../../../api/object.ts';
import {
  fromLabelSelectorObject,
  type LabelSelector,
  type LabelSelectorObject,
} from '../../../api/selectors/index.ts';
import { labelValueErrors, qualifiedNameErrors } from '../../../api/selectors/validation.ts';
import { goLabelSelector, goStringMap } from './go-syntax.ts';
import { invalidGo, list, objects, stringMap } from './values.ts';

/** upstream's ValidateLabels: keys are qualified names, values label values. */
export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(stringMap(labels) ?? {})) {
    for (const msg of qualifiedNameErrors(k)) errs.push(field.invalid(path, k, msg));
    for (const msg of labelValueErrors(v)) errs.push(field.invalid(path, v, msg));
  }
  return errs;
}

/** upstream's ValidateLabelSelector (strict: label values in expressions must be valid). */
export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  if (!isObject(sel)) return [];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  objects(sel.matchExpressions).forEach((expr, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    const values = list(expr.values);
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0)
          errs.push(field.required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0)
          errs.push(
            field.forbidden(
              `${at}.values`,
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        break;
      default:
        errs.push(
          field.invalid(`${at}.operator`, String(expr.operator ?? ''), 'not a valid selector operator'),
        );
    }
    const k = String(expr.key ?? '');
    for (const msg of qualifiedNameErrors(k)) errs.push(field.invalid(`${at}.key`, k, msg));
    values.forEach((v, j) => {
      for (const msg of labelValueErrors(String(v)))
        errs.push(field.invalid(`${at}.values[${j}]`, String(v), msg));
    });
  });
  return errs;
}

/** upstream's LabelSelectorAsSelector: undefined when the selector cannot be converted. */
export function asSelector(sel: unknown): LabelSelector | undefined {
  try {
    return fromLabelSelectorObject(isObject(sel) ? (sel as LabelSelectorObject) : undefined);
  } catch {
    return undefined;
  }
}

export const isEmptySelector = (sel: unknown): boolean =>
  isObject(sel) &&
  Object.keys(stringMap(sel.matchLabels) ?? {}).length + list(sel.matchExpressions).length === 0;

/** `<path>: Invalid value: map[...]: `selector` does not match template `labels``, if so. */
export function templateLabelsMismatch(selector: LabelSelector, labels: unknown, path: string): FieldError[] {
  if (selector.isEverything() || selector.matches(stringMap(labels))) return [];
  return [invalidGo(path, goStringMap(labels), '`selector` does not match template `labels`')];
}

export const selectorText = goLabelSelector;
