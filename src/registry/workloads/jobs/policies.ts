/** A Job's podFailurePolicy and successPolicy, checked as upstream's batch validation does. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { qualifiedNameErrors } from '../../../api/selectors/validation.ts';
import { goValue } from '../shared/go-syntax.ts';
import { list, nonNegative, num, type Obj, objects, present, str } from '../shared/values.ts';

const actions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const exitOperators = ['In', 'NotIn'];
const conditionStatuses = ['False', 'True', 'Unknown'];

/** Go's `%q` of a string slice: `["a" "b"]`. */
const quotedList = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/** `field.Invalid(path, field.OmitValueType{}, detail)`: the message has no value. */
export const invalidNoValue = (path: string, detail: string): FieldError =>
  field.invalid(path, goValue(detail), '');

const goInts = (xs: unknown[]) => `[]int32{${xs.map(String).join(', ')}}`;

function validateExitCodes(req: Obj, path: string, containers: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const op = str(req.operator);
  if (op === '') errs.push(field.required(`${path}.operator`, `valid values: ${quotedList(exitOperators)}`));
  else if (!exitOperators.includes(op)) errs.push(field.notSupported(`${path}.operator`, op, exitOperators));
  if (present(req.containerName) && !containers.has(str(req.containerName))) {
    errs.push(
      field.invalid(
        `${path}.containerName`,
        str(req.containerName),
        'must be one of the container or initContainer names in the pod template',
      ),
    );
  }
  const values = list(req.values);
  if (values.length === 0)
    errs.push(field.invalid(`${path}.values`, goValue(goInts(values)), 'at least one value is required'));
  else if (values.length > 255)
    errs.push({ type: 'TooMany', field: `${path}.values`, detail: 'must have at most 255 items' });
  const seen = new Set<number>();
  let ordered = true;
  values.forEach((v, j) => {
    const n = Number(v);
    if (op === 'In' && n === 0)
      errs.push(field.invalid(`${path}.values[${j}]`, n, 'must not be 0 for the In operator'));
    if (seen.has(n)) errs.push(field.duplicate(`${path}.values[${j}]`, n));
    else seen.add(n);
    if (j > 0 && Number(values[j - 1]) > n) ordered = false;
  });
  if (!ordered) errs.push(field.invalid(`${path}.values`, goValue(goInts(values)), 'must be ordered'));
  return errs;
}

function validateConditions(patterns: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (patterns.length > 20) errs.push({ type: 'TooMany', field: path, detail: 'must have at most 20 items' });
  patterns.forEach((p, j) => {
    const at = `${path}[${j}]`;
    for (const msg of qualifiedNameErrors(str(p.type)))
      errs.push(field.invalid(`${at}.type`, str(p.type), msg));
    const status = str(p.status);
    if (status === '')
      errs.push(field.required(`${at}.status`, `valid values: ${quotedList(conditionStatuses)}`));
    else if (!conditionStatuses.includes(status))
      errs.push(field.notSupported(`${at}.status`, status, conditionStatuses));
  });
  return errs;
}

export function validatePodFailurePolicy(jobSpec: Obj, policy: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = objects(policy.rules);
  if (rules.length > 20)
    errs.push({ type: 'TooMany', field: `${path}.rules`, detail: 'must have at most 20 items' });
  const podSpec = (jobSpec.template as { spec?: Obj } | undefined)?.spec ?? {};
  const containers = new Set(
    [...objects(podSpec.containers), ...objects(podSpec.initContainers)].map((c) => str(c.name)),
  );
  rules.forEach((rule, i) => {
    const at = `${path}.rules[${i}]`;
    const action = str(rule.action);
    if (action === '') errs.push(field.required(`${at}.action`, `valid values: ${quotedList(actions)}`));
    else if (action === 'FailIndex') {
      if (!present(jobSpec.backoffLimitPerIndex))
        errs.push(field.invalid(`${at}.action`, action, 'requires the backoffLimitPerIndex to be set'));
    } else if (!actions.includes(action)) errs.push(field.notSupported(`${at}.action`, action, actions));
    const conditions = objects(rule.onPodConditions);
    if (present(rule.onExitCodes))
      errs.push(...validateExitCodes(rule.onExitCodes as Obj, `${at}.onExitCodes`, containers));
    if (conditions.length > 0) errs.push(...validateConditions(conditions, `${at}.onPodConditions`));
    if (present(rule.onExitCodes) && conditions.length > 0)
      errs.push(invalidNoValue(at, 'specifying both OnExitCodes and OnPodConditions is not supported'));
    if (!present(rule.onExitCodes) && conditions.length === 0)
      errs.push(invalidNoValue(at, 'specifying one of OnExitCodes and OnPodConditions is required'));
  });
  return errs;
}

/** upstream's parseIndexInterval/validateIndexesFormat: `1,3-5` below completions; the count. */
export function indexesError(text: string, completions: number): { total: number; error?: string } {
  if (text === '') return { total: 0 };
  let last: number | undefined;
  let total = 0;
  for (const interval of text.split(',')) {
    const parts = interval.split('-');
    if (parts.length > 2)
      return {
        total,
        error: `the fragment "${interval}" violates the requirement that an index interval can have at most two parts separated by '-'`,
      };
    const bounds: number[] = [];
    for (const p of parts) {
      if (!/^[+-]?\d+$/.test(p))
        return { total, error: `cannot convert string to integer for index: "${p}"` };
      const n = Number.parseInt(p, 10);
      if (n >= completions) return { total, error: `too large index: "${p}"` };
      bounds.push(n);
    }
    const [x, y = x] = bounds as [number, number?];
    if (parts.length > 1 && x >= y)
      return { total, error: `non-increasing order, previous: ${x}, current: ${y}` };
    if (last !== undefined && last >= x)
      return { total, error: `non-increasing order, previous: ${last}, current: ${x}` };
    total += y - x + 1;
    last = y;
  }
  return { total };
}

export function validateSuccessPolicy(jobSpec: Obj, policy: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = objects(policy.rules);
  if (rules.length === 0)
    errs.push(
      field.required(
        `${path}.rules`,
        'at least one rules must be specified when the successPolicy is specified',
      ),
    );
  if (rules.length > 20)
    errs.push({ type: 'TooMany', field: `${path}.rules`, detail: 'must have at most 20 items' });
  const completions = num(jobSpec.completions) ?? 0;
  rules.forEach((rule, i) => {
    const at = `${path}.rules[${i}]`;
    if (!present(rule.succeededCount) && !present(rule.succeededIndexes))
      errs.push(field.required(at, 'at least one of succeededCount or succeededIndexes must be specified'));
    let total = 0;
    if (present(rule.succeededIndexes)) {
      const text = str(rule.succeededIndexes);
      if (text.length > 64 * 1024)
        errs.push({
          type: 'TooLong',
          field: `${at}.succeededIndexes`,
          detail: `may not be more than ${64 * 1024} bytes`,
        });
      const parsed = indexesError(text, completions);
      total = parsed.total;
      if (parsed.error)
        errs.push(
          field.invalid(`${at}.succeededIndexes`, text, `error parsing succeededIndexes: ${parsed.error}`),
        );
    }
    const count = num(rule.succeededCount);
    if (count !== undefined) {
      errs.push(...nonNegative(count, `${at}.succeededCount`));
      if (count > completions)
        errs.push(
          field.invalid(
            `${at}.succeededCount`,
            count,
            `must be less than or equal to ${completions} (the number of specified completions)`,
          ),
        );
      if (present(rule.succeededIndexes) && count > total)
        errs.push(
          field.invalid(
            `${at}.succeededCount`,
            count,
            `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`,
          ),
        );
    }
  });
  return errs;
}
