/** apps/v1 Deployments: upstream's SetDefaults_Deployment, ValidateDeployment and strategy. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { goIntOrString, goPointer, goQuote, goValue } from '../shared/go-syntax.ts';
import { intOrPercentValue, notMoreThan100Percent, validateIntOrPercent } from '../shared/int-or-percent.ts';
import { defaultTemplate, requiredSelector, validateAlwaysTemplate } from '../shared/pod-template.ts';
import { selectorText } from '../shared/selector.ts';
import { kindStrategy } from '../shared/strategy.ts';
import {
  child,
  immutable,
  invalidGo,
  nonNegative,
  num,
  type Obj,
  present,
  same,
  setDefault,
  spec,
  str,
  view,
} from '../shared/values.ts';

export function defaultDeployment(obj: KubeObject): void {
  const s = spec(obj);
  setDefault(s, 'replicas', 1);
  const strategy = child(s, 'strategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = child(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', '25%');
    setDefault(rolling, 'maxSurge', '25%');
  }
  setDefault(s, 'revisionHistoryLimit', 10);
  setDefault(s, 'progressDeadlineSeconds', 600);
  defaultTemplate(s);
}

function validateRollingUpdate(rolling: Obj, path: string): FieldError[] {
  const errs = [
    ...validateIntOrPercent(rolling.maxUnavailable, `${path}.maxUnavailable`),
    ...validateIntOrPercent(rolling.maxSurge, `${path}.maxSurge`),
  ];
  if (intOrPercentValue(rolling.maxUnavailable) === 0 && intOrPercentValue(rolling.maxSurge) === 0) {
    errs.push(
      invalidGo(
        `${path}.maxUnavailable`,
        goIntOrString(rolling.maxUnavailable),
        'may not be 0 when `maxSurge` is 0',
      ),
    );
  }
  errs.push(...notMoreThan100Percent(rolling.maxUnavailable, `${path}.maxUnavailable`));
  return errs;
}

function validateStrategy(strategy: Obj, path: string): FieldError[] {
  switch (strategy.type) {
    case 'Recreate':
      return present(strategy.rollingUpdate)
        ? [
            field.forbidden(
              `${path}.rollingUpdate`,
              "may not be specified when strategy `type` is 'Recreate'",
            ),
          ]
        : [];
    case 'RollingUpdate':
      return present(strategy.rollingUpdate)
        ? validateRollingUpdate(view(strategy, 'rollingUpdate'), `${path}.rollingUpdate`)
        : [field.required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
    default: {
      const shown = `apps.DeploymentStrategy{Type:${goQuote(str(strategy.type))}, RollingUpdate:${goPointer(
        'apps.RollingUpdateDeployment',
        strategy.rollingUpdate,
      )}}`;
      return [field.notSupported(path, goValue(shown), ['Recreate', 'RollingUpdate'])];
    }
  }
}

export function validateDeployment(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const errs = nonNegative(s.replicas, 'spec.replicas');
  const { errs: selectorErrs, selector } = requiredSelector(
    s.selector,
    'spec.selector',
    'empty selector is invalid for deployment',
    'invalid label selector',
  );
  errs.push(...selectorErrs);
  if (selector) errs.push(...validateAlwaysTemplate(s.template, selector, 'spec.template', 'ReplicaSet'));
  errs.push(...validateStrategy(view(s, 'strategy'), 'spec.strategy'));
  errs.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(s.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const deadline = num(s.progressDeadlineSeconds);
  if (deadline !== undefined) {
    errs.push(...nonNegative(deadline, 'spec.progressDeadlineSeconds'));
    if (deadline <= (num(s.minReadySeconds) ?? 0)) {
      errs.push(
        field.invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'),
      );
    }
  }
  return errs;
}

export function deploymentStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    defaults: defaultDeployment,
    validate: validateDeployment,
    prepareForUpdate(obj, old) {
      // Annotations are copied to the ReplicaSets, so changing them is a new generation too.
      const generation = old.metadata.generation ?? 1;
      if (
        obj.metadata.generation === generation &&
        !same(obj.metadata.annotations, old.metadata.annotations)
      ) {
        obj.metadata.generation = generation + 1;
      }
    },
    validateUpdate: (obj, old) =>
      immutable(spec(obj).selector, spec(old).selector, 'spec.selector', selectorText),
  });
}
