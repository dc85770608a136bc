import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { updateManagedFields } from './managed-fields.ts';
import {
  apply,
  conflictOf,
  container,
  containerNames,
  deployment,
  entries,
  entry,
  type Obj,
  owns,
  stored,
  T1,
  T2,
  T3,
  template,
} from './testing.ts';

describe('apply ownership across managers', () => {
  it('reports a conflict with an Update manager exactly as upstream, and force takes the field', () => {
    const csa = updateManagedFields(
      undefined,
      deployment({ replicas: 3, template: template(container('c')) }),
      'kubectl-client-side-apply',
      'Update',
      undefined,
      T1,
    );
    const live = stored(csa);
    const cfg = deployment({ replicas: 5, template: template(container('c')) });
    const err = conflictOf(() => apply(live, cfg, 'kubectl', T2));
    assert.equal(err.code, 409);
    assert.equal(err.reason, 'Conflict');
    assert.equal(
      err.message,
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    );
    assert.deepEqual(err.details?.causes, [
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "kubectl-client-side-apply" using apps/v1',
        field: '.spec.replicas',
      },
    ]);

    const forced = apply(live, cfg, 'kubectl', T2, { force: true });
    assert.equal((forced.spec as Obj).replicas, 5);
    assert.equal(owns(forced, 'kubectl', 'spec', 'replicas'), true);
    assert.equal(owns(forced, 'kubectl-client-side-apply', 'spec', 'replicas'), false);
    assert.equal(
      owns(
        forced,
        'kubectl-client-side-apply',
        'spec',
        'template',
        'spec',
        'containers',
        'k:{"name":"c"}',
        'image',
      ),
      true,
    );
    // Applying the value it already has is no conflict: both own it.
    const same = apply(live, deployment({ replicas: 3, template: template(container('c')) }), 'kubectl', T2);
    assert.equal(owns(same, 'kubectl', 'spec', 'replicas'), true);
    assert.equal(owns(same, 'kubectl-client-side-apply', 'spec', 'replicas'), true);
  });

  it('lists several conflicts per manager, and conflicts between appliers', () => {
    const a = stored(
      apply(undefined, deployment({ replicas: 1, template: template(container('c')) }), 'alpha', T1),
    );
    const cfg = deployment(
      { replicas: 2, template: template(container('c', { image: 'other' })) },
      { app: 'web' },
    );
    const err = conflictOf(() => apply(a, cfg, 'beta', T2));
    assert.equal(
      err.message,
      'Apply failed with 2 conflicts: conflicts with "alpha":\n- .spec.replicas\n- .spec.template.spec.containers[name="c"].image',
    );
    assert.deepEqual(
      err.details?.causes?.map((c) => c.field),
      ['.spec.replicas', '.spec.template.spec.containers[name="c"].image'],
    );
  });

  it('conflicts with a scale through the subresource, naming it', () => {
    const applied = stored(
      apply(undefined, deployment({ replicas: 2, template: template(container('c')) }), 'kubectl', T1),
    );
    const scaled = updateManagedFields(
      applied,
      { ...applied, spec: { ...(applied.spec as Obj), replicas: 7 } },
      'kubectl-scale',
      'Update',
      'scale',
      T2,
    );
    // No time: upstream's ScaleHandler never finds one for the scale entry.
    assert.deepEqual(entry(scaled, 'kubectl-scale'), {
      manager: 'kubectl-scale',
      operation: 'Update',
      apiVersion: 'apps/v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      subresource: 'scale',
    });
    assert.equal(owns(scaled, 'kubectl', 'spec', 'replicas'), false);
    const err = conflictOf(() =>
      apply(scaled, deployment({ replicas: 2, template: template(container('c')) }), 'kubectl', T3),
    );
    assert.equal(
      err.message,
      'Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas',
    );
    // Leaving replicas out of the configuration keeps the scaled value: someone else owns it now.
    const kept = apply(scaled, deployment({ template: template(container('c')) }), 'kubectl', T3);
    assert.equal((kept.spec as Obj).replicas, 7);
  });

  it('moves ownership to an updater that changes an applied field', () => {
    const applied = stored(
      apply(undefined, deployment({ replicas: 2, template: template(container('c')) }), 'kubectl', T1),
    );
    const edited = updateManagedFields(
      applied,
      {
        ...applied,
        spec: { ...(applied.spec as Obj), template: template(container('c', { image: 'c:2' })) },
      },
      'kubectl-edit',
      'Update',
      undefined,
      T2,
    );
    assert.equal(
      owns(edited, 'kubectl', 'spec', 'template', 'spec', 'containers', 'k:{"name":"c"}', 'image'),
      false,
    );
    assert.equal(
      owns(edited, 'kubectl-edit', 'spec', 'template', 'spec', 'containers', 'k:{"name":"c"}', 'image'),
      true,
    );
    assert.deepEqual(
      entries(edited).map((e) => e.manager),
      ['kubectl', 'kubectl-edit'],
    );
    const err = conflictOf(() =>
      apply(edited, deployment({ replicas: 2, template: template(container('c')) }), 'kubectl', T3),
    );
    assert.equal(err.details?.causes?.[0]?.message, 'conflict with "kubectl-edit" using apps/v1');
    assert.equal(err.details?.causes?.[0]?.field, '.spec.template.spec.containers[name="c"].image');
  });

  it('merges containers by name across managers', () => {
    const base = stored(apply(undefined, deployment({ template: template(container('a')) }), 'mgr-a', T1));
    const both = stored(apply(base, deployment({ template: template(container('b')) }), 'mgr-b', T2));
    assert.deepEqual(containerNames(both), ['a', 'b']);
    assert.equal(owns(both, 'mgr-a', 'spec', 'template', 'spec', 'containers', 'k:{"name":"a"}'), true);
    assert.equal(owns(both, 'mgr-a', 'spec', 'template', 'spec', 'containers', 'k:{"name":"b"}'), false);
    assert.equal(owns(both, 'mgr-b', 'spec', 'template', 'spec', 'containers', 'k:{"name":"b"}'), true);
    // A changes its container and keeps B's; both own the shared labels and selector.
    const again = apply(
      both,
      deployment({ template: template(container('a', { image: 'a:2' })) }),
      'mgr-a',
      T3,
    );
    assert.deepEqual(containerNames(again), ['a', 'b']);
    assert.equal(owns(again, 'mgr-b', 'spec', 'selector'), true);
    // A dropping its container removes only that one.
    const dropped = apply(both, deployment({ template: template() }), 'mgr-a', T3);
    assert.deepEqual(containerNames(dropped), ['b']);
  });

  it('keeps a field one applier drops while another applier also owns it', () => {
    const labels = { app: 'web', team: 'x' };
    const a = stored(apply(undefined, deployment({ replicas: 1 }, labels), 'alpha', T1));
    const both = stored(apply(a, deployment({}, labels), 'beta', T2));
    assert.equal(owns(both, 'alpha', 'metadata', 'labels', 'team'), true);
    assert.equal(owns(both, 'beta', 'metadata', 'labels', 'team'), true);
    const dropped = apply(both, deployment({}), 'alpha', T3);
    assert.deepEqual(dropped.metadata.labels, labels);
    assert.equal((dropped.spec as Obj).replicas, undefined);
    assert.equal(owns(dropped, 'alpha', 'metadata', 'labels', 'team'), false);
  });
});
