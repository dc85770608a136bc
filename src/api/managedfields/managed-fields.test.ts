import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../object.ts';
import { fieldsV1Json, toFieldsV1 } from './fieldsv1.ts';
import { fieldSetOf, managerName, updateManagedFields } from './managed-fields.ts';
import { capUpdateManagers, decodeManagedFields } from './managers.ts';

const T1 = '2024-05-01T10:00:00Z';
const T2 = '2024-05-01T11:00:00Z';

type Obj = Record<string, unknown>;

/** `kubectl create deployment nginx --image=nginx --port=80` after defaulting (abridged). */
const created: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'nginx' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: {
        containers: [
          { name: 'nginx', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {} },
        ],
        securityContext: {},
      },
    },
  },
  status: {},
};

const withMeta = (o: KubeObject, meta: Obj): KubeObject => ({ ...o, metadata: { ...o.metadata, ...meta } });
const entries = (o: KubeObject) => (o.metadata.managedFields ?? []) as Obj[];

describe('updateManagedFields', () => {
  it('records a create as upstream encodes it, with "." on added pointers, maps and list items', () => {
    const out = updateManagedFields(undefined, created, 'kubectl-create', 'Update', undefined, T1);
    const [e] = entries(out);
    assert.deepEqual(Object.keys(e ?? {}), [
      'manager',
      'operation',
      'apiVersion',
      'time',
      'fieldsType',
      'fieldsV1',
    ]);
    assert.equal(
      JSON.stringify(e?.fieldsV1),
      '{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{".":{},"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{},"f:protocol":{}}},"f:resources":{}}},"f:securityContext":{}}}}}',
    );
    assert.equal(out.status !== undefined, true);
  });

  it('gives changed fields to the writer and takes them (and removed ones) from the others', () => {
    const live = withMeta(
      updateManagedFields(undefined, created, 'kubectl-create', 'Update', undefined, T1),
      { uid: 'u' },
    );
    const spec = live.spec as Obj;
    const next = { ...live, metadata: { ...live.metadata, labels: {} }, spec: { ...spec, replicas: 3 } };
    const out = updateManagedFields(live, next, 'kube-controller-manager', 'Update', undefined, T2);
    const [create, kcm] = entries(out);
    assert.equal(kcm?.manager, 'kube-controller-manager');
    assert.deepEqual(kcm?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    const createFields = JSON.stringify(create?.fieldsV1);
    assert.ok(!createFields.includes('"f:replicas"'));
    assert.ok(createFields.startsWith('{"f:spec":'), 'labels removed from the creator');
    assert.equal(create?.time, T1);
  });

  it('adds nothing for a write that changes nothing, and leaves untracked objects untracked', () => {
    const live = withMeta(
      updateManagedFields(undefined, created, 'kubectl-create', 'Update', undefined, T1),
      { uid: 'u' },
    );
    const same = updateManagedFields(live, live, 'kubectl-edit', 'Update', undefined, T2);
    assert.deepEqual(same.metadata.managedFields, live.metadata.managedFields);
    const bare = withMeta(created, { uid: 'u' });
    const out = updateManagedFields(
      bare,
      { ...bare, spec: { ...(bare.spec as Obj), replicas: 2 } },
      'x',
      'Update',
      undefined,
      T2,
    );
    assert.equal(out.metadata.managedFields, undefined);
  });

  it('takes managedFields a client sends, and ignores status on the main resource', () => {
    const live = withMeta(
      updateManagedFields(undefined, created, 'kubectl-create', 'Update', undefined, T1),
      { uid: 'u' },
    );
    const cleared = updateManagedFields(
      live,
      withMeta(live, { managedFields: [{}] }),
      'kubectl-edit',
      'Update',
      undefined,
      T2,
    );
    assert.equal(cleared.metadata.managedFields, undefined);
    const withStatus = updateManagedFields(
      live,
      { ...live, status: { replicas: 1 } },
      'ctl',
      'Update',
      undefined,
      T2,
    );
    assert.equal(entries(withStatus).length, 1);
    const viaStatus = updateManagedFields(
      live,
      { ...live, status: { replicas: 1 } },
      'ctl',
      'Update',
      'status',
      T2,
    );
    assert.deepEqual(entries(viaStatus)[1], {
      manager: 'ctl',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: T2,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { 'f:replicas': {} } },
      subresource: 'status',
    });
  });

  it('names managers from fieldManager or the User-Agent prefix', () => {
    assert.equal(
      managerName('kubectl-client-side-apply', 'kubectl/v1.31.0 (linux/amd64)'),
      'kubectl-client-side-apply',
    );
    assert.equal(
      managerName(null, 'kube-controller-manager/v1.31.0 (linux/amd64) kubernetes/abc'),
      'kube-controller-manager',
    );
    assert.equal(managerName(undefined, 'kubectl-edit/v1.31.0'), 'kubectl-edit');
    assert.equal(managerName('', undefined), '');
  });

  it('caps Update entries at ten, folding the oldest into "ancient-changes"', () => {
    const list = Array.from({ length: 12 }, (_, i) => ({
      manager: `m${i}`,
      operation: 'Update',
      apiVersion: 'v1',
      time: `2024-05-01T10:00:${String(i).padStart(2, '0')}Z`,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { [`f:k${i}`]: {} } },
    }));
    const capped = capUpdateManagers(decodeManagedFields(list));
    assert.equal(capped.size, 10);
    const ancient = capped.get('{"manager":"ancient-changes","operation":"Update","apiVersion":"v1"}');
    assert.equal(fieldsV1Json(ancient?.set as never), '{"f:data":{"f:k0":{},"f:k1":{},"f:k2":{}}}');
    assert.equal(ancient?.time, '2024-05-01T10:00:02Z');
  });

  it('lists the fields an object sets', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } };
    assert.deepEqual(toFieldsV1(fieldSetOf(cm, '', 'v1', 'ConfigMap')), {
      'f:apiVersion': {},
      'f:data': { 'f:a': {} },
      'f:kind': {},
      'f:metadata': { 'f:name': {} },
    });
  });
});
