/** One label requirement (key, operator, values): construction, matching and printing. */
import { aggregate, compareCodePoints, invalidValue, SelectorError } from './errors.ts';
import { labelValueErrors, qualifiedNameErrors } from './validation.ts';

/** Operators under upstream's names (k8s.io/apimachinery/pkg/selection). */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Empty for exists / does-not-exist; exactly one for =, ==, !=, gt, lt. */
  readonly values: readonly string[];
}

/** Binary operators in upstream's order, as its "expected: ..." message lists them. */
export const binaryOperators: readonly LabelOperator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

/** `<path>: Invalid value: "<key>": ...` when the key is bad, else undefined. */
export function labelKeyError(key: string, path: string): string | undefined {
  const errs = qualifiedNameErrors(key);
  return errs.length === 0 ? undefined : invalidValue(path, key, errs.join('; '));
}

/** Go's strconv.ParseInt(s, 10, 64), or undefined when it would fail. */
export function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

/**
 * Builds a validated requirement, as upstream's labels.NewRequirement does.
 * `values: null` stands for a nil slice (only shows in error messages).
 */
export function newRequirement(
  key: string,
  operator: string,
  values: readonly string[] | null,
): LabelRequirement {
  const vals = values ?? [];
  const errs: string[] = [];
  const keyErr = labelKeyError(key, 'key');
  if (keyErr) errs.push(keyErr);
  switch (operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0)
        errs.push(invalidValue('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1)
        errs.push(invalidValue('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0)
        errs.push(invalidValue('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1)
        errs.push(invalidValue('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(
            invalidValue(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"),
          );
        }
      });
      break;
    default: {
      const supported = [...binaryOperators, 'exists', '!'].map((o) => `"${o}"`).join(', ');
      errs.push(`operator: Unsupported value: "${operator}": supported values: ${supported}`);
    }
  }
  vals.forEach((v, i) => {
    const problems = labelValueErrors(v);
    if (problems.length > 0) errs.push(invalidValue(`values[${i}][${key}]`, v, problems.join('; ')));
  });
  if (errs.length > 0) throw new SelectorError(aggregate(errs));
  return { key, operator: operator as LabelOperator, values: [...vals] };
}

/** Whether a label set satisfies one requirement (upstream's Requirement.Matches). */
export function requirementMatches(
  r: LabelRequirement,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key]! : '';
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(value);
      const bound = parseInt64(r.values[0]!);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

const operatorText: Record<LabelOperator, string> = {
  '=': '=',
  '==': '==',
  '!=': '!=',
  in: ' in ',
  notin: ' notin ',
  gt: '>',
  lt: '<',
  exists: '',
  '!': '',
};

/** The requirement in selector syntax; set values are printed sorted. */
export function requirementString(r: LabelRequirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const values = r.values.length === 1 ? r.values[0]! : [...r.values].sort(compareCodePoints).join(',');
  const set = r.operator === 'in' || r.operator === 'notin';
  return r.key + operatorText[r.operator] + (set ? `(${values})` : values);
}
