/** apps/v1 DaemonSets: upstream's SetDefaults_DaemonSet, ValidateDaemonSet and strategy. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import { validatePodTemplate } from '../../pods/index.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { goIntOrString, goPointer, goQuote, goValue } from '../shared/go-syntax.ts';
import { intOrPercentValue, notMoreThan100Percent, validateIntOrPercent } from '../shared/int-or-percent.ts';
import { alwaysRestart, defaultTemplate } from '../shared/pod-template.ts';
import {
  asSelector,
  isEmptySelector,
  selectorText,
  templateLabelsMismatch,
  validateLabelSelector,
} from '../shared/selector.ts';
import { kindStrategy } from '../shared/strategy.ts';
import {
  child,
  immutable,
  invalidGo,
  nonNegative,
  type Obj,
  present,
  same,
  setDefault,
  spec,
  str,
  view,
} from '../shared/values.ts';

/** apps/v1 keeps the internal spec.templateGeneration in this annotation. */
export const templateGenerationKey = 'deprecated.daemonset.template.generation';

export function defaultDaemonSet(obj: KubeObject): void {
  const s = spec(obj);
  const update = child(s, 'updateStrategy');
  if (!update.type) update.type = 'RollingUpdate';
  if (update.type === 'RollingUpdate') {
    const rolling = child(update, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', 1);
    setDefault(rolling, 'maxSurge', 0);
  }
  setDefault(s, 'revisionHistoryLimit', 10);
  defaultTemplate(s);
}

function validateRollingUpdate(rolling: Obj, path: string): FieldError[] {
  const errs = [
    ...validateIntOrPercent(rolling.maxUnavailable, `${path}.maxUnavailable`),
    ...validateIntOrPercent(rolling.maxSurge, `${path}.maxSurge`),
    ...notMoreThan100Percent(rolling.maxUnavailable, `${path}.maxUnavailable`),
    ...notMoreThan100Percent(rolling.maxSurge, `${path}.maxSurge`),
  ];
  const unavailable = intOrPercentValue(rolling.maxUnavailable) !== 0;
  const surge = intOrPercentValue(rolling.maxSurge) !== 0;
  if (unavailable && surge)
    errs.push(
      invalidGo(
        `${path}.maxSurge`,
        goIntOrString(rolling.maxSurge),
        'may not be set when maxUnavailable is non-zero',
      ),
    );
  if (!unavailable && !surge)
    errs.push(field.required(`${path}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  return errs;
}

function validateUpdateStrategy(update: Obj, path: string): FieldError[] {
  switch (update.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate':
      return present(update.rollingUpdate)
        ? validateRollingUpdate(view(update, 'rollingUpdate'), `${path}.rollingUpdate`)
        : [field.required(`${path}.rollingUpdate`)];
    default: {
      const shown = `apps.DaemonSetUpdateStrategy{Type:${goQuote(str(update.type))}, RollingUpdate:${goPointer(
        'apps.RollingUpdateDaemonSet',
        update.rollingUpdate,
      )}}`;
      return [field.notSupported(path, goValue(shown), ['RollingUpdate', 'OnDelete'])];
    }
  }
}

export function validateDaemonSet(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const errs = validateLabelSelector(s.selector, 'spec.selector');
  const selector = asSelector(s.selector);
  if (selector)
    errs.push(
      ...templateLabelsMismatch(
        selector,
        view(s.template, 'metadata').labels,
        'spec.template.metadata.labels',
      ),
    );
  if (present(s.selector) && isEmptySelector(s.selector))
    errs.push(
      invalidGo('spec.selector', selectorText(s.selector), 'empty selector is invalid for daemonset'),
    );
  errs.push(...validatePodTemplate(s.template, 'spec.template'));
  errs.push(...alwaysRestart(s.template, 'spec.template', 'DaemonSet'));
  errs.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateUpdateStrategy(view(s, 'updateStrategy'), 'spec.updateStrategy'));
  errs.push(...nonNegative(s.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

function templateGeneration(obj: KubeObject): number {
  const n = Number.parseInt(obj.metadata.annotations?.[templateGenerationKey] ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

function setTemplateGeneration(obj: KubeObject, n: number): void {
  obj.metadata.annotations = { ...obj.metadata.annotations, [templateGenerationKey]: String(n) };
}

export function daemonSetStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    defaults: defaultDaemonSet,
    validate: validateDaemonSet,
    prepareForCreate: (obj) => setTemplateGeneration(obj, Math.max(1, templateGeneration(obj))),
    prepareForUpdate(obj, old) {
      // A new template is a new template generation; otherwise the stored one stays.
      const changed = !same(spec(obj).template, spec(old).template);
      setTemplateGeneration(obj, templateGeneration(old) + (changed ? 1 : 0));
    },
    validateUpdate: (obj, old) =>
      immutable(spec(obj).selector, spec(old).selector, 'spec.selector', selectorText),
  });
}
