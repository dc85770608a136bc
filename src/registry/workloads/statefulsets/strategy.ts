/** apps/v1 StatefulSets: upstream's SetDefaults_StatefulSet, ValidateStatefulSet and strategy. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { defaultClaimTemplate } from '../persistentvolumeclaims/strategy.ts';
import { goIntOrString, goPointer, goQuote, goValue } from '../shared/go-syntax.ts';
import { intOrPercentValue, notMoreThan100Percent, validateIntOrPercent } from '../shared/int-or-percent.ts';
import { alwaysRestart, defaultTemplate, requiredSelector } from '../shared/pod-template.ts';
import { templateLabelsMismatch } from '../shared/selector.ts';
import { kindStrategy } from '../shared/strategy.ts';
import {
  child,
  invalidGo,
  nonNegative,
  num,
  type Obj,
  objects,
  present,
  same,
  setDefault,
  spec,
  str,
  view,
} from '../shared/values.ts';

export function defaultStatefulSet(obj: KubeObject): void {
  const s = spec(obj);
  if (!s.podManagementPolicy) s.podManagementPolicy = 'OrderedReady';
  const update = child(s, 'updateStrategy');
  if (!update.type) {
    update.type = 'RollingUpdate';
    setDefault(update, 'rollingUpdate', {});
  }
  if (update.type === 'RollingUpdate' && present(update.rollingUpdate)) {
    setDefault(child(update, 'rollingUpdate'), 'partition', 0);
  }
  const retention = child(s, 'persistentVolumeClaimRetentionPolicy');
  if (!retention.whenDeleted) retention.whenDeleted = 'Retain';
  if (!retention.whenScaled) retention.whenScaled = 'Retain';
  setDefault(s, 'replicas', 1);
  setDefault(s, 'revisionHistoryLimit', 10);
  defaultTemplate(s);
  for (const claim of objects(s.volumeClaimTemplates)) defaultClaimTemplate(claim);
}

function validateUpdateStrategy(update: Obj, path: string): FieldError[] {
  const rolling = view(update, 'rollingUpdate');
  switch (update.type) {
    case undefined:
    case null:
    case '':
      return [field.required(path)];
    case 'OnDelete':
      if (!present(update.rollingUpdate)) return [];
      return [
        invalidGo(
          `${path}.rollingUpdate`,
          `apps.RollingUpdateStatefulSetStrategy{Partition:${num(rolling.partition) ?? 0}, MaxUnavailable:${goPointer(
            'intstr.IntOrString',
            rolling.maxUnavailable,
          )}}`,
          "only allowed for updateStrategy 'RollingUpdate'",
        ),
      ];
    case 'RollingUpdate': {
      if (!present(update.rollingUpdate)) return [];
      const at = `${path}.rollingUpdate`;
      const errs = nonNegative(rolling.partition, `${at}.partition`);
      if (present(rolling.maxUnavailable)) {
        errs.push(...validateIntOrPercent(rolling.maxUnavailable, `${at}.maxUnavailable`));
        if (intOrPercentValue(rolling.maxUnavailable) === 0)
          errs.push(invalidGo(`${at}.maxUnavailable`, goIntOrString(rolling.maxUnavailable), 'cannot be 0'));
        errs.push(...notMoreThan100Percent(rolling.maxUnavailable, `${at}.maxUnavailable`));
      }
      return errs;
    }
    default: {
      const shown = `apps.StatefulSetUpdateStrategy{Type:${goQuote(str(update.type))}, RollingUpdate:${goPointer(
        'apps.RollingUpdateStatefulSetStrategy',
        update.rollingUpdate,
      )}}`;
      return [field.invalid(path, goValue(shown), "must be 'RollingUpdate' or 'OnDelete'")];
    }
  }
}

export function validateStatefulSet(obj: KubeObject): FieldError[] {
  const s = spec(obj);
  const errs: FieldError[] = [];
  const policy = str(s.podManagementPolicy);
  if (policy === '') errs.push(field.required('spec.podManagementPolicy'));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel')
    errs.push(field.invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  errs.push(...validateUpdateStrategy(view(s, 'updateStrategy'), 'spec.updateStrategy'));
  const retention = view(s, 'persistentVolumeClaimRetentionPolicy');
  for (const when of ['whenDeleted', 'whenScaled']) {
    const v = str(retention[when]);
    if (present(s.persistentVolumeClaimRetentionPolicy) && v !== 'Retain' && v !== 'Delete')
      errs.push(
        field.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${when}`, v, ['Retain', 'Delete']),
      );
  }
  errs.push(
    ...nonNegative(s.replicas, 'spec.replicas'),
    ...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'),
  );
  if (present(s.ordinals)) errs.push(...nonNegative(view(s, 'ordinals').start, 'spec.ordinals.start'));
  const { errs: selectorErrs, selector } = requiredSelector(
    s.selector,
    'spec.selector',
    'empty selector is invalid for statefulset',
    '',
  );
  errs.push(...selectorErrs);
  // Upstream's ValidatePodTemplateSpecForStatefulSet checks the selector against the labels
  // and the template's metadata only, not its pod spec: mounts may name volumes that only the
  // volumeClaimTemplates provide.
  if (selector) {
    errs.push(
      ...templateLabelsMismatch(
        selector,
        view(s.template, 'metadata').labels,
        'spec.template.metadata.labels',
      ),
    );
  }
  errs.push(...alwaysRestart(s.template, 'spec.template', 'StatefulSet'));
  return errs;
}

/** The fields an update may change; everything else in spec is fixed at creation. */
const mutable = [
  'replicas',
  'template',
  'updateStrategy',
  'minReadySeconds',
  'ordinals',
  'persistentVolumeClaimRetentionPolicy',
];

export function validateStatefulSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const fixed = (o: KubeObject) =>
    Object.fromEntries(Object.entries(spec(o)).filter(([k]) => !mutable.includes(k)));
  if (same(fixed(obj), fixed(old))) return [];
  return [
    field.forbidden(
      'spec',
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}

export function statefulSetStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    defaults: defaultStatefulSet,
    validate: validateStatefulSet,
    validateUpdate: validateStatefulSetUpdate,
  });
}
