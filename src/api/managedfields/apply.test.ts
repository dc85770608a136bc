import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../object.ts';
import { isStatusError } from '../status.ts';
import type { ApplyOptions } from './apply.ts';
import { updateManagedFields } from './managed-fields.ts';
import {
  apply,
  conflictOf,
  container,
  deployment,
  entries,
  entry,
  type Obj,
  owns,
  stored,
  T1,
  T2,
  template,
} from './testing.ts';

describe('serverSideApply', () => {
  it('creates with an Apply entry holding exactly the configuration, then prunes what a re-apply drops', () => {
    const env = [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ];
    const cfg1 = deployment(
      { replicas: 2, template: template(container('c', { env })) },
      { app: 'web', tier: 'fe' },
    );
    const created = stored(apply(undefined, cfg1, 'kubectl', T1));
    assert.deepEqual(entries(created), [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: T1,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {}, 'f:tier': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"c"}': {
                    '.': {},
                    'f:env': {
                      'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} },
                      'k:{"name":"B"}': { '.': {}, 'f:name': {}, 'f:value': {} },
                    },
                    'f:image': {},
                    'f:name': {},
                  },
                },
              },
            },
          },
        },
      },
    ]);

    const cfg2 = deployment({ replicas: 2, template: template(container('c', { env: [env[0]] })) });
    const next = apply(created, cfg2, 'kubectl', T2);
    assert.deepEqual(next.metadata.labels, { app: 'web' });
    const spec = next.spec as { template: { spec: { containers: Obj[] } } };
    assert.deepEqual(spec.template.spec.containers[0]?.env, [{ name: 'A', value: '1' }]);
    assert.equal(owns(next, 'kubectl', 'metadata', 'labels', 'tier'), false);
    assert.equal(entry(next, 'kubectl')?.time, T2);
    assert.equal(next.metadata.uid, 'u1');
  });

  it('gives fields set before the first apply to "before-first-apply"', () => {
    const legacy = stored(deployment({ replicas: 4, template: template(container('c')) }));
    const err = conflictOf(() =>
      apply(legacy, deployment({ replicas: 1, template: template(container('c')) }), 'kubectl', T1),
    );
    assert.equal(
      err.message,
      'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas',
    );
  });

  it('lets kubectl take over fields its client-side-apply annotation still describes', () => {
    const cfg = deployment({ replicas: 3, template: template(container('c')) });
    const annotated: KubeObject = {
      ...cfg,
      metadata: {
        ...cfg.metadata,
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(cfg) },
      },
    };
    const live = stored(
      updateManagedFields(undefined, annotated, 'kubectl-client-side-apply', 'Update', undefined, T1),
    );
    const next = apply(live, deployment({ replicas: 4, template: template(container('c')) }), 'kubectl', T2);
    assert.equal((next.spec as Obj).replicas, 4);
    const note = next.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '';
    assert.ok(note.endsWith('}\n'));
    assert.equal((JSON.parse(note) as { spec: Obj }).spec.replicas, 4);
    // Another manager name gets the conflict.
    conflictOf(() =>
      apply(live, deployment({ replicas: 4, template: template(container('c')) }), 'other', T2),
    );
  });

  it('refuses managedFields in the body, the wrong kind, and a name not matching the URL', () => {
    const cfg = deployment({ replicas: 1 });
    const bad = (o: KubeObject, extra: Partial<ApplyOptions> = {}) => {
      try {
        apply(undefined, o, 'kubectl', T1, extra);
      } catch (e) {
        assert.ok(isStatusError(e));
        return [e.code, e.message];
      }
      return assert.fail('expected an error');
    };
    assert.deepEqual(bad({ ...cfg, metadata: { ...cfg.metadata, managedFields: [] } }), [
      400,
      'metadata.managedFields must be nil',
    ]);
    assert.deepEqual(bad({ ...cfg, apiVersion: 'apps/v1beta1' }), [
      400,
      'invalid object type: apps/v1beta1, Kind=Deployment',
    ]);
    assert.deepEqual(bad(cfg, { name: 'other' }), [
      400,
      'the name of the object (web) does not match the name on the URL (other)',
    ]);
    const keyless = deployment({ template: template({ image: 'x' }) });
    assert.deepEqual(bad(keyless), [
      500,
      'failed to create typed patch object (apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits all key fields ["name"] (and doesn\'t have default values for any key fields)',
    ]);
  });

  it('keeps the old time when a re-apply changes nothing', () => {
    const cfg = deployment({ replicas: 2, template: template(container('c')) });
    const created = stored(apply(undefined, cfg, 'kubectl', T1));
    const again = apply(created, cfg, 'kubectl', T2);
    assert.deepEqual(again, created);
  });

  it('treats custom resources as untyped: objects granular, lists atomic', () => {
    const cr = (spec: Obj): KubeObject => ({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec,
    });
    const opts = { group: 'example.com', version: 'v1', kind: 'Widget' };
    const a = stored(
      apply(undefined, cr({ size: 1, tags: ['x', 'y'], nested: { a: 1, b: 2 } }), 'one', T1, opts),
    );
    assert.deepEqual(entry(a, 'one')?.fieldsV1, {
      'f:spec': { 'f:nested': { 'f:a': {}, 'f:b': {} }, 'f:size': {}, 'f:tags': {} },
    });
    const b = apply(a, cr({ nested: { c: 3 } }), 'two', T2, opts);
    assert.deepEqual(b.spec, { size: 1, tags: ['x', 'y'], nested: { a: 1, b: 2, c: 3 } });
    const err = conflictOf(() => apply(a, cr({ tags: ['z'] }), 'two', T2, opts));
    assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "one": .spec.tags');
  });
});
