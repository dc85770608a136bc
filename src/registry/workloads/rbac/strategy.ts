/** rbac.authorization.k8s.io/v1 roles and bindings: upstream's defaults and validation. */
import { type FieldError, field } from '../../../api/field-errors.ts';
import { dns1123Subdomain, pathSegmentName } from '../../../api/names.ts';
import type { KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../resource.ts';
import type { Strategy } from '../../strategy.ts';
import { goQuote, goStrings, goStruct } from '../shared/go-syntax.ts';
import { asSelector, validateLabelSelector } from '../shared/selector.ts';
import { kindStrategy } from '../shared/strategy.ts';
import { child, invalidGo, objects, present, same, str, strings, view } from '../shared/values.ts';

const group = 'rbac.authorization.k8s.io';

function validateRules(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  objects(obj.rules).forEach((rule, i) => {
    const at = `rules[${i}]`;
    if (strings(rule.verbs).length === 0)
      errs.push(field.required(`${at}.verbs`, 'verbs must contain at least one value'));
    const urls = strings(rule.nonResourceURLs);
    if (urls.length > 0) {
      const shown = goStrings(urls);
      if (namespaced)
        errs.push(
          invalidGo(`${at}.nonResourceURLs`, shown, 'namespaced rules cannot apply to non-resource URLs'),
        );
      if ([rule.apiGroups, rule.resources, rule.resourceNames].some((l) => strings(l).length > 0))
        errs.push(
          invalidGo(
            `${at}.nonResourceURLs`,
            shown,
            'rules cannot apply to both regular resources and non-resource URLs',
          ),
        );
      return;
    }
    if (strings(rule.apiGroups).length === 0)
      errs.push(field.required(`${at}.apiGroups`, 'resource rules must supply at least one api group'));
    if (strings(rule.resources).length === 0)
      errs.push(field.required(`${at}.resources`, 'resource rules must supply at least one resource'));
  });
  return errs;
}

function validateAggregation(obj: KubeObject): FieldError[] {
  if (!present(obj.aggregationRule)) return [];
  const path = 'aggregationRule.clusterRoleSelectors';
  const selectors = objects(view(obj, 'aggregationRule').clusterRoleSelectors);
  const errs: FieldError[] = [];
  if (selectors.length === 0)
    errs.push(
      field.required(path, 'at least one clusterRoleSelector required if aggregationRule is non-nil'),
    );
  selectors.forEach((sel, i) => {
    errs.push(...validateLabelSelector(sel, `${path}[${i}]`));
    if (!asSelector(sel)) errs.push(field.invalid(`${path}[${i}]`, sel, 'invalid label selector.'));
  });
  return errs;
}

/** Subjects default their apiGroup; a binding's roleRef its group. */
function defaultBinding(obj: KubeObject): void {
  const ref = child(obj, 'roleRef');
  if (!ref.apiGroup) ref.apiGroup = group;
  for (const subject of objects(obj.subjects)) {
    if (present(subject.apiGroup) && subject.apiGroup !== '') continue;
    if (subject.kind === 'User' || subject.kind === 'Group') subject.apiGroup = group;
    else if (subject.kind === 'ServiceAccount') subject.apiGroup = '';
  }
}

function validateBinding(obj: KubeObject, namespaced: boolean): FieldError[] {
  const ref = view(obj, 'roleRef');
  const errs: FieldError[] = [];
  if (ref.apiGroup !== group) errs.push(field.notSupported('roleRef.apiGroup', str(ref.apiGroup), [group]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(str(ref.kind))) errs.push(field.notSupported('roleRef.kind', str(ref.kind), kinds));
  const name = str(ref.name);
  if (name === '') errs.push(field.required('roleRef.name'));
  else errs.push(...pathSegmentName(name).map((msg) => field.invalid('roleRef.name', name, msg)));
  objects(obj.subjects).forEach((subject, i) => {
    const at = `subjects[${i}]`;
    const subjectName = str(subject.name);
    if (subjectName === '') errs.push(field.required(`${at}.name`));
    switch (subject.kind) {
      case 'ServiceAccount':
        if (subjectName)
          errs.push(
            ...dns1123Subdomain(subjectName).map((msg) => field.invalid(`${at}.name`, subjectName, msg)),
          );
        if (str(subject.apiGroup))
          errs.push(field.notSupported(`${at}.apiGroup`, str(subject.apiGroup), ['']));
        if (!namespaced && !str(subject.namespace)) errs.push(field.required(`${at}.namespace`));
        break;
      case 'User':
      case 'Group':
        if (subject.apiGroup !== group)
          errs.push(field.notSupported(`${at}.apiGroup`, str(subject.apiGroup), [group]));
        break;
      default:
        errs.push(field.notSupported(`${at}.kind`, str(subject.kind), ['ServiceAccount', 'User', 'Group']));
    }
  });
  return errs;
}

/** `roleRef: Invalid value: rbac.RoleRef{...}: cannot change roleRef` */
function validateBindingUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const ref = view(obj, 'roleRef');
  if (same(ref, view(old, 'roleRef'))) return [];
  const shown = goStruct(
    'rbac.RoleRef',
    ['apiGroup', 'kind', 'name'].map((k) => [
      k === 'apiGroup' ? 'APIGroup' : k[0]!.toUpperCase() + k.slice(1),
      goQuote(str(ref[k])),
    ]),
  );
  return [invalidGo('roleRef', shown, 'cannot change roleRef')];
}

export function roleStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, { validate: (obj) => validateRules(obj, info.namespaced) });
}

export function clusterRoleStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    validate: (obj) => [...validateRules(obj, false), ...validateAggregation(obj)],
  });
}

export function bindingStrategy(info: ResourceInfo): Strategy {
  return kindStrategy(info, {
    defaults: defaultBinding,
    validate: (obj) => validateBinding(obj, info.namespaced),
    validateUpdate: validateBindingUpdate,
  });
}
