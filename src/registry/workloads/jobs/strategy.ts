/** batch/v1 Jobs: upstream's SetDefaults_Job, generated selectors, ValidateJob and strategy. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { dns1123Label } from '../../../api/names.ts';
import { isObject, type KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { goStringMap } from '../shared/go-syntax.ts';
import {
  asSelector,
  selectorText,
  templateLabelsMismatch,
  validateLabelSelector,
} from '../shared/selector.ts';
import { kindStrategy } from '../shared/strategy.ts';
import {
  child,
  immutable,
  invalidGo,
  num,
  type Obj,
  present,
  same,
  setDefault,
  spec,
  stringMap,
  view,
} from '../shared/values.ts';
import { defaultJobSpecParts, validateJobSpec } from './spec.ts';

export const jobNameLabel = 'batch.kubernetes.io/job-name';
export const controllerUidLabel = 'batch.kubernetes.io/controller-uid';
export const legacyJobNameLabel = 'job-name';
export const legacyControllerUidLabel = 'controller-uid';

export function defaultJob(obj: KubeObject): void {
  const s = spec(obj);
  if (!present(s.completions) && !present(s.parallelism)) {
    s.completions = 1;
    s.parallelism = 1;
  }
  setDefault(s, 'parallelism', 1);
  setDefault(s, 'backoffLimit', present(s.backoffLimitPerIndex) ? 2147483647 : 6);
  copyTemplateLabels(obj);
  setDefault(s, 'completionMode', 'NonIndexed');
  setDefault(s, 'suspend', false);
  setDefault(s, 'podReplacementPolicy', present(s.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed');
  setDefault(s, 'manualSelector', false);
  defaultJobSpecParts(s);
}

/** A Job without labels of its own takes its pod template's. */
function copyTemplateLabels(obj: KubeObject): void {
  const labels = stringMap(view(view(spec(obj), 'template'), 'metadata').labels);
  if (labels && Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...labels };
}

/**
 * upstream's generateSelector: the pods get the Job's name and uid as labels (both the
 * prefixed and the legacy keys) and the selector picks the uid. Labels the user set are kept;
 * validation rejects them if they conflict.
 */
export function generateSelector(obj: KubeObject): void {
  const s = spec(obj);
  const labels = child(child(child(s, 'template'), 'metadata'), 'labels');
  const name = obj.metadata.name ?? '';
  const uid = obj.metadata.uid ?? '';
  for (const k of [legacyJobNameLabel, jobNameLabel]) if (!(k in labels)) labels[k] = name;
  for (const k of [legacyControllerUidLabel, controllerUidLabel]) if (!(k in labels)) labels[k] = uid;
  const matchLabels = child(child(s, 'selector'), 'matchLabels');
  if (!(controllerUidLabel in matchLabels)) matchLabels[controllerUidLabel] = uid;
}

/** upstream's ValidateHasLabel on the pod template's metadata. */
function hasLabel(labels: Record<string, string> | undefined, key: string, want: string): FieldError[] {
  const path = `spec.template.metadata.labels[${key}]`;
  if (!labels || !(key in labels)) return [field.required(path, `must be '${want}'`)];
  return labels[key] === want ? [] : [invalidGo(path, goStringMap(labels), `must be '${want}'`)];
}

function validateGeneratedSelector(obj: KubeObject, prefixed: boolean): FieldError[] {
  const s = spec(obj);
  if (s.manualSelector === true || !present(s.selector)) return [];
  const errs: FieldError[] = [];
  const uid = obj.metadata.uid ?? '';
  const name = obj.metadata.name ?? '';
  if (uid === '') errs.push(field.required('metadata.uid'));
  const labels = stringMap(view(view(s, 'template'), 'metadata').labels);
  const expected: Record<string, string> = {};
  const keys: [string, string][] = [
    [legacyControllerUidLabel, uid],
    [legacyJobNameLabel, name],
  ];
  if (prefixed) keys.push([controllerUidLabel, uid], [jobNameLabel, name]);
  for (const [k, v] of keys) {
    errs.push(...hasLabel(labels, k, v));
    expected[k] = v;
  }
  const selector = asSelector(s.selector);
  if (selector && !selector.matches(expected))
    errs.push(invalidGo('spec.selector', selectorText(s.selector), '`selector` not auto-generated'));
  return errs;
}

export function validateJob(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const s = spec(obj);
  // Jobs created before the prefixed labels existed are not required to have them.
  const oldLabels = stringMap(view(view(spec(old ?? obj), 'template'), 'metadata').labels) ?? {};
  const prefixed = !old || (jobNameLabel in oldLabels && controllerUidLabel in oldLabels);
  const errs = validateGeneratedSelector(obj, prefixed);
  errs.push(...validateJobSpec(s, 'spec'));
  if (!present(s.selector)) errs.push(field.required('spec.selector'));
  else errs.push(...validateLabelSelector(s.selector, 'spec.selector'));
  const selector = asSelector(s.selector);
  if (selector)
    errs.push(
      ...templateLabelsMismatch(
        selector,
        view(view(s, 'template'), 'metadata').labels,
        'spec.template.metadata.labels',
      ),
    );
  const completions = num(s.completions);
  if (s.completionMode === 'Indexed' && completions !== undefined && completions > 0) {
    const hostname = `${obj.metadata.name}-${completions - 1}`;
    if (dns1123Label(hostname).length > 0)
      errs.push(
        field.invalid(
          'metadata.name',
          obj.metadata.name,
          `will not able to create pod with invalid DNS label: ${hostname}`,
        ),
      );
  }
  return errs;
}

/** The template with the scheduling directives of `next` (mutable while suspended, not started). */
function withDirectivesOf(template: unknown, next: unknown): unknown {
  const copy = structuredClone(isObject(template) ? template : {}) as Obj;
  const from = isObject(next) ? next : {};
  const meta = child(copy, 'metadata');
  const nextMeta = view(from, 'metadata');
  meta.labels = nextMeta.labels;
  meta.annotations = nextMeta.annotations;
  const podSpec = child(copy, 'spec');
  const nextSpec = view(from, 'spec');
  for (const k of ['nodeSelector', 'tolerations', 'schedulingGates']) podSpec[k] = nextSpec[k];
  const affinity = isObject(podSpec.affinity) ? podSpec.affinity : undefined;
  const nextAffinity = view(nextSpec, 'affinity');
  if (affinity || present(nextSpec.affinity)) {
    podSpec.affinity = { ...(affinity ?? {}), nodeAffinity: nextAffinity.nodeAffinity };
  }
  return copy;
}

export function validateJobUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const s = spec(obj);
  const o = spec(old);
  const errs: FieldError[] = [];
  if (s.completionMode !== 'Indexed')
    errs.push(...immutable(s.completions, o.completions, 'spec.completions'));
  else if (!same(s.completions, o.completions) && present(s.completions) && s.completions !== s.parallelism)
    errs.push(
      field.invalid(
        'spec.completions',
        s.completions,
        'can only be modified in tandem with spec.parallelism',
      ),
    );
  errs.push(...immutable(s.selector, o.selector, 'spec.selector', selectorText));
  const mutableDirectives = o.suspend === true && !present(view(old, 'status').startTime);
  const oldTemplate = mutableDirectives ? withDirectivesOf(o.template, s.template) : o.template;
  errs.push(...immutable(s.template, oldTemplate, 'spec.template'));
  for (const f of [
    'completionMode',
    'podFailurePolicy',
    'backoffLimitPerIndex',
    'managedBy',
    'successPolicy',
  ])
    errs.push(...immutable(s[f], o[f], `spec.${f}`));
  return errs;
}

export function jobStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    defaults: defaultJob,
    prepareForCreate(obj) {
      // Upstream defaults (and copies the template's labels) while decoding, before this.
      copyTemplateLabels(obj);
      if (spec(obj).manualSelector !== true) generateSelector(obj);
    },
    validate: validateJob,
    validateUpdate: validateJobUpdate,
    fields: (obj) => ({ 'status.successful': String(num(view(obj, 'status').succeeded) ?? 0) }),
  });
}
