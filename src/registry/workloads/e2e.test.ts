/** The strategies through the generic store, on the memory backend. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { openBackend } from '../../storage/index.ts';
import { Registry } from '../registry.ts';
import { deployment, podTemplate } from './shared/fixtures.ts';
import type { Loose } from './shared/testing.ts';

async function setup() {
  const registry = new Registry(openBackend('memory:', { compactIntervalMs: 0 }));
  await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: 'default' } });
  return (group: string, plural: string) => registry.byResource(group, plural)!;
}

/** Rejects with a 422 whose message and causes are upstream's. */
const invalid = (message: string, causes: { field: string; message: string }[]) => (e: unknown) => {
  assert.ok(isStatusError(e), String(e));
  assert.equal(e.code, 422);
  assert.equal(e.reason, 'Invalid');
  assert.equal(e.message, message);
  assert.deepEqual(
    e.details?.causes?.map((c) => ({ field: c.field, message: c.message })),
    causes,
  );
  return true;
};

const replace = (edit: (o: KubeObject & Loose) => void) => (cur: KubeObject | undefined) => {
  const copy = structuredClone(cur!) as KubeObject & Loose;
  edit(copy);
  return copy;
};

test('a Deployment is defaulted on create and its selector cannot move', async () => {
  const store = await setup();
  const deploy = store('apps', 'deployments');
  const created = await deploy.create('default', deployment());
  assert.equal((created.spec as { replicas: number }).replicas, 1);
  assert.equal(created.metadata.generation, 1);
  await assert.rejects(
    deploy.guaranteedUpdate(
      'default',
      'web',
      replace((d) => {
        d.spec.selector = { matchLabels: { app: 'x' } };
        d.spec.template.metadata.labels = { app: 'x' };
      }),
    ),
    invalid(
      'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      [
        {
          field: 'spec.selector',
          message:
            'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
        },
      ],
    ),
  );
  const scaled = await deploy.guaranteedUpdate(
    'default',
    'web',
    replace((d) => {
      d.spec.replicas = 3;
    }),
  );
  assert.equal(scaled.object.metadata.generation, 2);
});

test("a Job's selector comes from its uid", async () => {
  const store = await setup();
  const job = await store('batch', 'jobs').create('default', {
    metadata: { name: 'pi' },
    spec: { template: podTemplate({}, 'Never') },
  });
  const uid = job.metadata.uid!;
  assert.deepEqual((job.spec as { selector: unknown }).selector, {
    matchLabels: { 'batch.kubernetes.io/controller-uid': uid },
  });
  assert.equal(job.metadata.labels?.['batch.kubernetes.io/job-name'], 'pi');
  await assert.rejects(
    store('batch', 'jobs').create('default', {
      metadata: { name: 'bad' },
      spec: { template: podTemplate({}) },
    }),
    invalid(
      'Job.batch "bad" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
      [
        {
          field: 'spec.template.spec.restartPolicy',
          message: 'Required value: valid values: "OnFailure", "Never"',
        },
      ],
    ),
  );
});

test('Secrets take stringData into data; immutable ones stay as they are', async () => {
  const store = await setup();
  const secrets = store('', 'secrets');
  const s = await secrets.create('default', {
    metadata: { name: 'creds' },
    stringData: { token: 'abc' },
    immutable: true,
  });
  assert.deepEqual(s.data, { token: 'YWJj' });
  assert.equal(s.type, 'Opaque');
  assert.equal(s.stringData, undefined);
  await assert.rejects(
    secrets.guaranteedUpdate(
      'default',
      'creds',
      replace((x) => {
        x.data.token = 'eHl6';
      }),
    ),
    invalid('Secret "creds" is invalid: data: Forbidden: field is immutable when `immutable` is set', [
      { field: 'data', message: 'Forbidden: field is immutable when `immutable` is set' },
    ]),
  );
  await assert.rejects(
    secrets.create('default', { metadata: { name: 'bad' }, data: { x: '!!!' } }),
    (e) => isStatusError(e) && e.code === 400,
  );
});

test('a Service keeps its clusterIP; a RoleBinding its roleRef', async () => {
  const store = await setup();
  const services = store('', 'services');
  await services.create('default', {
    metadata: { name: 'web' },
    spec: { clusterIP: '10.43.0.9', selector: { app: 'web' }, ports: [{ port: 80 }] },
  });
  await assert.rejects(
    services.guaranteedUpdate(
      'default',
      'web',
      replace((s) => {
        s.spec.clusterIP = '10.43.0.10';
        s.spec.clusterIPs = ['10.43.0.10'];
      }),
    ),
    invalid(
      'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.43.0.10"}: may not change once set',
      [
        {
          field: 'spec.clusterIPs[0]',
          message: 'Invalid value: []string{"10.43.0.10"}: may not change once set',
        },
      ],
    ),
  );
  const bindings = store('rbac.authorization.k8s.io', 'rolebindings');
  await bindings.create('default', {
    metadata: { name: 'b' },
    roleRef: { kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'ServiceAccount', name: 'default' }],
  });
  await assert.rejects(
    bindings.guaranteedUpdate(
      'default',
      'b',
      replace((b) => {
        b.roleRef.name = 'admin';
      }),
    ),
    invalid(
      'RoleBinding.rbac.authorization.k8s.io "b" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"admin"}: cannot change roleRef',
      [
        {
          field: 'roleRef',
          message:
            'Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"admin"}: cannot change roleRef',
        },
      ],
    ),
  );
});

test('a CronJob with a bad schedule is refused', async () => {
  const store = await setup();
  await assert.rejects(
    store('batch', 'cronjobs').create('default', {
      metadata: { name: 'c' },
      spec: { schedule: 'nope', jobTemplate: { spec: { template: podTemplate({}, 'Never') } } },
    }),
    invalid(
      'CronJob.batch "c" is invalid: spec.schedule: Invalid value: "nope": expected exactly 5 fields, found 1: [nope]',
      [
        {
          field: 'spec.schedule',
          message: 'Invalid value: "nope": expected exactly 5 fields, found 1: [nope]',
        },
      ],
    ),
  );
});
