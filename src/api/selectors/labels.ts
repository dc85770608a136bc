/**
 * Label selectors: the `?labelSelector=` query-string form and the metav1.LabelSelector
 * object form (`{matchLabels, matchExpressions}`), with upstream's semantics.
 */
import { compareCodePoints, goQuote, SelectorError } from './errors.ts';
import { parseLabelRequirements } from './label-parser.ts';
import {
  type LabelOperator,
  type LabelRequirement,
  newRequirement,
  requirementMatches,
  requirementString,
} from './requirement.ts';

export type { LabelOperator, LabelRequirement };
export { newRequirement };

/** The metav1.LabelSelector object as it appears in specs (e.g. a Deployment's `spec.selector`). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

function byKey(a: LabelRequirement, b: LabelRequirement): number {
  return compareCodePoints(a.key, b.key);
}

/**
 * An AND of label requirements, kept sorted by key (stable for equal keys).
 * Two special values: `everything()` (no requirements, matches all) and
 * `nothing()` (matches no label set at all, as upstream's labels.Nothing()).
 */
export class LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  readonly #nothing: boolean;

  /** Requirements are taken as given (see newRequirement for validation) and sorted by key. */
  constructor(requirements: readonly LabelRequirement[] = [], nothing = false) {
    this.requirements = nothing ? [] : [...requirements].sort(byKey);
    this.#nothing = nothing;
  }

  static everything(): LabelSelector {
    return everythingSelector;
  }

  static nothing(): LabelSelector {
    return nothingSelector;
  }

  /** Whether every requirement holds for the label set (absent labels: `undefined` or `{}`). */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    if (this.#nothing) return false;
    for (const r of this.requirements) if (!requirementMatches(r, labels)) return false;
    return true;
  }

  /** True when the selector does not restrict anything (upstream's Empty()); false for nothing(). */
  isEverything(): boolean {
    return !this.#nothing && this.requirements.length === 0;
  }

  isNothing(): boolean {
    return this.#nothing;
  }

  /** A new selector with extra requirements (no-op on nothing(), as upstream). */
  add(...requirements: LabelRequirement[]): LabelSelector {
    if (this.#nothing) return this;
    return new LabelSelector([...this.requirements, ...requirements]);
  }

  /**
   * The value a label must have if the selector pins it to exactly one
   * (`k=v`, `k==v` or `k in (v)`), else undefined.
   */
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (r?.values.length !== 1) return undefined;
    return r.operator === '=' || r.operator === '==' || r.operator === 'in' ? r.values[0] : undefined;
  }

  /** Canonical query-string form; "" for both everything() and nothing(). */
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

const everythingSelector = new LabelSelector();
const nothingSelector = new LabelSelector([], true);

/**
 * Parses `?labelSelector=` text: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`,
 * `!a`, `a>1`, `a<1`, comma-separated. The empty string selects everything.
 * Throws SelectorError with upstream's message on bad input.
 */
export function parseLabelSelector(text: string): LabelSelector {
  const requirements = parseLabelRequirements(text);
  return requirements.length === 0 ? everythingSelector : new LabelSelector(requirements);
}

const objectOperators: Record<string, LabelOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * Converts a metav1.LabelSelector (upstream's LabelSelectorAsSelector): `null`/`undefined`
 * selects nothing, `{}` (no labels, no expressions) selects everything.
 * Throws SelectorError for unknown operators, bad keys/values, In/NotIn without values,
 * or Exists/DoesNotExist with values.
 */
export function fromLabelSelectorObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return nothingSelector;
  const labels = sel.matchLabels ?? {};
  const expressions = sel.matchExpressions ?? [];
  const labelKeys = Object.keys(labels).sort(compareCodePoints);
  if (labelKeys.length + expressions.length === 0) return everythingSelector;
  const requirements: LabelRequirement[] = [];
  for (const key of labelKeys) requirements.push(newRequirement(key, '=', [labels[key]!]));
  for (const expr of expressions) {
    const op = Object.hasOwn(objectOperators, expr.operator) ? objectOperators[expr.operator] : undefined;
    if (op === undefined) {
      throw new SelectorError(
        `${goQuote(String(expr.operator ?? ''))} is not a valid label selector operator`,
      );
    }
    const values = expr.values && expr.values.length > 0 ? expr.values : null;
    requirements.push(newRequirement(expr.key ?? '', op, values));
  }
  return new LabelSelector(requirements);
}

/** A selector matching exactly the given labels (`{}` or undefined: everything). */
export function labelSelectorFromSet(set: Readonly<Record<string, string>> | undefined): LabelSelector {
  if (!set) return everythingSelector;
  const keys = Object.keys(set);
  if (keys.length === 0) return everythingSelector;
  return new LabelSelector(keys.map((key) => ({ key, operator: '=' as const, values: [set[key]!] })));
}
