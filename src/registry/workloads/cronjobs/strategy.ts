/** batch/v1 CronJobs: upstream's SetDefaults_CronJob, ValidateCronJob{Create,Update} and strategy. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { defaultJobSpecParts, validateJobSpec } from '../jobs/spec.ts';
import { cronScheduleError } from '../shared/cron.ts';
import { selectorText } from '../shared/selector.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { loadLocationError } from '../shared/timezone.ts';
import {
  child,
  invalidGo,
  nonNegative,
  present,
  same,
  setDefault,
  spec,
  str,
  view,
} from '../shared/values.ts';

/** Job names get an 11-character suffix (`-<minutes>`) and must stay DNS-1035 labels. */
const maxNameLength = 63 - 11;

export function defaultCronJob(obj: KubeObject): void {
  const s = spec(obj);
  if (!s.concurrencyPolicy) s.concurrencyPolicy = 'Allow';
  setDefault(s, 'suspend', false);
  setDefault(s, 'successfulJobsHistoryLimit', 3);
  setDefault(s, 'failedJobsHistoryLimit', 1);
  defaultJobSpecParts(child(child(s, 'jobTemplate'), 'spec'));
}

function validateSchedule(schedule: string, allowTZ: boolean, timeZoneSet: boolean): FieldError[] {
  const path = 'spec.schedule';
  if (schedule === '') return [field.required(path)];
  const errs: FieldError[] = [];
  const err = cronScheduleError(schedule, loadLocationError);
  if (err) errs.push(field.invalid(path, schedule, err));
  if (allowTZ && schedule.includes('TZ') && timeZoneSet)
    errs.push(field.invalid(path, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  else if (!allowTZ && schedule.includes('TZ'))
    errs.push(
      field.invalid(path, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'),
    );
  return errs;
}

/** upstream's validateTimeZone. */
export function validateTimeZone(timeZone: unknown, path: string): FieldError[] {
  if (!present(timeZone)) return [];
  const tz = str(timeZone);
  if (tz === '') return [field.invalid(path, tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !/^[A-Za-z.\-_0-9+]{1,14}$/.test(part))
      return [field.invalid(path, tz, `unknown time zone ${tz}`)];
  }
  const errs: FieldError[] = [];
  if (tz.toLowerCase() === 'local')
    errs.push(
      field.invalid(
        path,
        tz,
        'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
      ),
    );
  const err = loadLocationError(tz);
  if (err) errs.push(field.invalid(path, tz, err));
  return errs;
}

export function validateCronJob(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const s = spec(obj);
  const o = old ? spec(old) : undefined;
  const allowTZ = str(o?.schedule).includes('TZ');
  const errs = validateSchedule(str(s.schedule), allowTZ, present(s.timeZone));
  errs.push(...nonNegative(s.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!o || !same(o.timeZone, s.timeZone)) errs.push(...validateTimeZone(s.timeZone, 'spec.timeZone'));
  const policy = str(s.concurrencyPolicy);
  if (policy === '') errs.push(field.required('spec.concurrencyPolicy'));
  else if (!['Allow', 'Forbid', 'Replace'].includes(policy))
    errs.push(field.notSupported('spec.concurrencyPolicy', policy, ['Allow', 'Forbid', 'Replace']));
  const jobSpec = view(view(s, 'jobTemplate'), 'spec');
  errs.push(...validateJobSpec(jobSpec, 'spec.jobTemplate.spec'));
  if (present(jobSpec.selector))
    errs.push(
      invalidGo(
        'spec.jobTemplate.spec.selector',
        selectorText(jobSpec.selector),
        '`selector` will be auto-generated',
      ),
    );
  if (jobSpec.manualSelector === true)
    errs.push(field.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...nonNegative(s.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(s.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  const name = obj.metadata.name ?? '';
  if (!old && name.length > maxNameLength)
    errs.push(field.invalid('metadata.name', name, `must be no more than ${maxNameLength} characters`));
  return errs;
}

export function cronJobStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, { defaults: defaultCronJob, validate: validateCronJob });
}
