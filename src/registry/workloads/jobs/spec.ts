/** A JobSpec (a Job's, or a CronJob's job template): upstream's validateJobSpec and defaults. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { dns1123Subdomain } from '../../../api/names.ts';
import { isObject } from '../../../api/object.ts';
import { validatePodTemplate } from '../../pods/index.ts';
import { defaultTemplate, restartPolicy } from '../shared/pod-template.ts';
import { nonNegative, num, type Obj, objects, present, str, view } from '../shared/values.ts';
import { validatePodFailurePolicy, validateSuccessPolicy } from './policies.ts';

const maxParallelismForIndexed = 100_000;
const maxFailedIndexesForIndexed = 100_000;

/** The defaults every JobSpec gets, wherever it is (upstream: pod template and policy patterns). */
export function defaultJobSpecParts(s: Obj): void {
  defaultTemplate(s);
  for (const rule of objects(view(s, 'podFailurePolicy').rules)) {
    for (const pattern of objects(rule.onPodConditions)) if (!pattern.status) pattern.status = 'True';
  }
}

const httpPathFormat = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

/** upstream's IsDomainPrefixedPath (spec.managedBy). */
function domainPrefixedPath(path: string, value: string): FieldError[] {
  if (value === '') return [field.required(path)];
  const slash = value.indexOf('/');
  const host = value.slice(0, slash);
  const rest = value.slice(slash + 1);
  if (slash <= 0 || rest === '')
    return [field.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = dns1123Subdomain(host).map((msg) => field.invalid(path, host, msg));
  if (!new RegExp(`^${httpPathFormat}$`).test(rest))
    errs.push(field.invalid(path, rest, `Invalid path (regex used for validation is '${httpPathFormat}')`));
  return errs;
}

function validateIndexed(s: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const completions = num(s.completions);
  const parallelism = num(s.parallelism);
  const maxFailed = num(s.maxFailedIndexes);
  if (completions === undefined)
    errs.push(field.required(`${path}.completions`, 'when completion mode is Indexed'));
  if (parallelism !== undefined && parallelism > maxParallelismForIndexed)
    errs.push(
      field.invalid(
        `${path}.parallelism`,
        parallelism,
        `must be less than or equal to ${maxParallelismForIndexed} when completion mode is Indexed`,
      ),
    );
  if (completions !== undefined && maxFailed !== undefined && maxFailed > completions)
    errs.push(
      field.invalid(`${path}.maxFailedIndexes`, maxFailed, 'must be less than or equal to completions'),
    );
  if (maxFailed !== undefined && maxFailed > maxFailedIndexesForIndexed)
    errs.push(
      field.invalid(
        `${path}.maxFailedIndexes`,
        maxFailed,
        `must be less than or equal to ${maxFailedIndexesForIndexed}`,
      ),
    );
  return errs;
}

export function validateJobSpec(s: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'backoffLimit',
    'ttlSecondsAfterFinished',
    'backoffLimitPerIndex',
  ]) {
    errs.push(...nonNegative(s[f], `${path}.${f}`));
  }
  if (present(s.maxFailedIndexes)) {
    errs.push(...nonNegative(s.maxFailedIndexes, `${path}.maxFailedIndexes`));
    if (!present(s.backoffLimitPerIndex))
      errs.push(field.required(`${path}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  }
  if (present(s.managedBy)) {
    const managedBy = str(s.managedBy);
    errs.push(...domainPrefixedPath(`${path}.managedBy`, managedBy));
    if (Buffer.byteLength(managedBy) > 63)
      errs.push({ type: 'TooLong', field: `${path}.managedBy`, detail: 'may not be more than 63 bytes' });
  }
  const mode = present(s.completionMode) ? str(s.completionMode) : undefined;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed')
    errs.push(field.notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed') errs.push(...validateIndexed(s, path));
  else {
    for (const f of ['backoffLimitPerIndex', 'maxFailedIndexes']) {
      if (present(s[f])) errs.push(field.invalid(`${path}.${f}`, s[f], 'requires indexed completion mode'));
    }
  }
  const failurePolicy = isObject(s.podFailurePolicy) ? s.podFailurePolicy : undefined;
  if (failurePolicy) errs.push(...validatePodFailurePolicy(s, failurePolicy, `${path}.podFailurePolicy`));
  if (isObject(s.successPolicy)) {
    if (mode !== 'Indexed')
      errs.push(field.invalid(`${path}.successPolicy`, s.successPolicy, 'requires indexed completion mode'));
    else errs.push(...validateSuccessPolicy(s, s.successPolicy, `${path}.successPolicy`));
  }
  if (present(s.podReplacementPolicy)) {
    const replacement = str(s.podReplacementPolicy);
    if (failurePolicy && replacement !== 'Failed')
      errs.push(field.notSupported(`${path}.podReplacementPolicy`, replacement, ['Failed']));
    else if (!failurePolicy && replacement !== 'Failed' && replacement !== 'TerminatingOrFailed')
      errs.push(
        field.notSupported(`${path}.podReplacementPolicy`, replacement, ['Failed', 'TerminatingOrFailed']),
      );
  }
  errs.push(...validatePodTemplate(s.template, `${path}.template`));
  const policy = restartPolicy(s.template);
  const policyPath = `${path}.template.spec.restartPolicy`;
  if (policy === 'Always' || policy === '')
    errs.push(field.required(policyPath, 'valid values: "OnFailure", "Never"'));
  else if (policy !== 'OnFailure' && policy !== 'Never')
    errs.push(field.notSupported(policyPath, policy, ['OnFailure', 'Never']));
  else if (failurePolicy && policy !== 'Never')
    errs.push(
      field.invalid(policyPath, policy, 'only "Never" is supported when podFailurePolicy is specified'),
    );
  return errs;
}
