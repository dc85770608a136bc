import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, strategyOf, update } from '../shared/testing.ts';

const roles = strategyOf('rbac.authorization.k8s.io', 'roles');
const clusterRoles = strategyOf('rbac.authorization.k8s.io', 'clusterroles');
const bindings = strategyOf('rbac.authorization.k8s.io', 'rolebindings');
const clusterBindings = strategyOf('rbac.authorization.k8s.io', 'clusterrolebindings');

test('rules need verbs, groups and resources; namespaced rules no URLs', () => {
  const role = {
    metadata: { name: 'r' },
    rules: [
      { apiGroups: [''], resources: ['pods'] },
      { verbs: ['get'] },
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
    ],
  };
  assert.deepEqual(create(roles, role).errors, [
    'rules[0].verbs: Required value: verbs must contain at least one value',
    'rules[1].apiGroups: Required value: resource rules must supply at least one api group',
    'rules[1].resources: Required value: resource rules must supply at least one resource',
    'rules[2].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
  ]);
  assert.deepEqual(create(clusterRoles, { ...role, rules: [role.rules[2]] }).errors, []);
});

test('bindings: roleRef group defaults; kinds and subjects are checked', () => {
  const binding = {
    metadata: { name: 'b' },
    roleRef: { kind: 'Role', name: 'r' },
    subjects: [
      { kind: 'User', name: 'alice' },
      { kind: 'Robot', name: 'r2' },
    ],
  };
  const { obj, errors } = create(bindings, binding);
  assert.deepEqual(errors, [
    'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
  ]);
  assert.equal((obj.roleRef as { apiGroup: string }).apiGroup, 'rbac.authorization.k8s.io');
  assert.equal((obj.subjects as { apiGroup?: string }[])[0]!.apiGroup, 'rbac.authorization.k8s.io');
  assert.deepEqual(
    create(clusterBindings, { ...binding, subjects: [{ kind: 'ServiceAccount', name: 'default' }] }).errors,
    [
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'subjects[0].namespace: Required value',
    ],
  );
});

test('roleRef cannot change', () => {
  const old = create(bindings, {
    metadata: { name: 'b' },
    roleRef: { kind: 'ClusterRole', name: 'view' },
  }).obj;
  const next = {
    ...old,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
  };
  assert.deepEqual(update(bindings, old, next).errors, [
    'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
  ]);
});
