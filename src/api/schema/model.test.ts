import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metaModels, modelField, modelInfo, schemaFor } from './model.ts';

const served: [string, string, string[]][] = [
  [
    '',
    'v1',
    [
      'Namespace',
      'Pod',
      'Service',
      'Endpoints',
      'ConfigMap',
      'Secret',
      'ServiceAccount',
      'Node',
      'Event',
      'PersistentVolume',
      'PersistentVolumeClaim',
      'LimitRange',
      'ResourceQuota',
      'Status',
      'DeleteOptions',
    ],
  ],
  ['apps', 'v1', ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision']],
  ['batch', 'v1', ['Job', 'CronJob']],
  ['coordination.k8s.io', 'v1', ['Lease']],
  ['discovery.k8s.io', 'v1', ['EndpointSlice']],
  ['events.k8s.io', 'v1', ['Event']],
  ['networking.k8s.io', 'v1', ['Ingress', 'IngressClass', 'NetworkPolicy']],
  ['storage.k8s.io', 'v1', ['StorageClass']],
  ['policy', 'v1', ['PodDisruptionBudget']],
  ['autoscaling', 'v1', ['HorizontalPodAutoscaler', 'Scale']],
  ['autoscaling', 'v2', ['HorizontalPodAutoscaler']],
  ['rbac.authorization.k8s.io', 'v1', ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']],
  ['scheduling.k8s.io', 'v1', ['PriorityClass']],
  ['apiextensions.k8s.io', 'v1', ['CustomResourceDefinition']],
  ['authorization.k8s.io', 'v1', ['SelfSubjectAccessReview', 'SelfSubjectRulesReview']],
];

describe('schemaFor', () => {
  it('maps every kind skiff serves, and its list, to a model', () => {
    for (const [group, version, kinds] of served) {
      for (const kind of kinds) {
        const model = schemaFor(group, version, kind);
        assert.ok(model, `${group}/${version} ${kind}`);
        const info = modelInfo(model);
        assert.ok(info?.fields.has('apiVersion') && info.fields.has('kind'), model);
        if (
          kind !== 'Status' &&
          kind !== 'DeleteOptions' &&
          kind !== 'Scale' &&
          !kind.startsWith('SelfSubject')
        ) {
          assert.ok(schemaFor(group, version, `${kind}List`), `${kind}List`);
        }
      }
    }
  });

  it('tells apart kinds of the same name in different groups', () => {
    assert.equal(schemaFor('', 'v1', 'Event'), 'CoreV1Event');
    assert.equal(schemaFor('events.k8s.io', 'v1', 'Event'), 'EventsV1Event');
    assert.equal(schemaFor('autoscaling', 'v2', 'HorizontalPodAutoscaler'), 'V2HorizontalPodAutoscaler');
    assert.equal(modelInfo('V1Deployment')?.definition, 'io.k8s.api.apps.v1.Deployment');
  });

  it('returns undefined for unknown kinds', () => {
    assert.equal(schemaFor('stable.example.com', 'v1', 'CronTab'), undefined);
    assert.equal(schemaFor('apps', 'v1', 'Pod'), undefined);
  });

  it('names the meta models', () => {
    for (const name of Object.values(metaModels)) assert.ok(modelInfo(name), name);
    assert.equal(modelField('V1Pod', 'metadata')?.model, metaModels.ObjectMeta);
    assert.equal(modelField('V1PodList', 'metadata')?.model, metaModels.ListMeta);
  });
});

describe('modelField', () => {
  it('describes nested model, array and map fields', () => {
    const containers = modelField('V1PodSpec', 'containers');
    assert.equal(containers?.type, 'array');
    assert.deepEqual(containers?.items, { type: 'model', model: 'V1Container' });
    assert.equal(containers?.required, true);
    const labels = modelField('V1ObjectMeta', 'labels');
    assert.equal(labels?.type, 'map');
    assert.deepEqual(labels?.values, { type: 'string' });
    assert.equal(modelField('V1Container', 'imagePullPolicy')?.type, 'string');
    assert.equal(modelField('V1Container', 'imagePullPolice'), undefined);
  });

  it('recognises Quantity, IntOrString, times and free-form fields', () => {
    assert.equal(modelField('V1ResourceRequirements', 'limits')?.values?.type, 'quantity');
    assert.equal(modelField('V1PersistentVolumeClaimStatus', 'capacity')?.values?.type, 'quantity');
    assert.equal(modelField('V2MetricTarget', 'averageValue')?.type, 'quantity');
    assert.equal(modelField('V1ServicePort', 'targetPort')?.type, 'int-or-string');
    assert.equal(modelField('V1RollingUpdateDeployment', 'maxSurge')?.type, 'int-or-string');
    assert.equal(modelField('V1HTTPGetAction', 'port')?.type, 'int-or-string');
    assert.equal(modelField('V1ObjectMeta', 'creationTimestamp')?.type, 'date-time');
    assert.equal(
      modelField('V1LeaseSpec', 'renewTime')?.ref,
      'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
    );
    assert.equal(modelField('V1ControllerRevision', 'data')?.type, 'object');
    assert.equal(modelField('V1JSONSchemaProps', 'default')?.type, 'any');
    assert.deepEqual(modelField('V1Secret', 'data')?.values, { type: 'string', format: 'byte' });
  });

  it('types numbers by format', () => {
    assert.deepEqual(
      {
        type: modelField('V1DeploymentSpec', 'replicas')?.type,
        format: modelField('V1DeploymentSpec', 'replicas')?.format,
      },
      { type: 'integer', format: 'int32' },
    );
    assert.equal(modelField('V1ObjectMeta', 'generation')?.format, 'int64');
    assert.equal(modelField('V1JSONSchemaProps', 'maximum')?.type, 'number');
  });
});

describe('patch metadata', () => {
  it('has merge keys and strategies from upstream', () => {
    assert.deepEqual(modelField('V1PodSpec', 'containers')?.patch, {
      mergeKey: 'name',
      strategy: 'merge',
      listType: 'map',
      listMapKeys: ['name'],
    });
    assert.equal(modelField('V1Container', 'env')?.patch?.mergeKey, 'name');
    assert.equal(modelField('V1Container', 'env')?.patch?.strategy, 'merge');
    assert.deepEqual(modelField('V1PodSpec', 'volumes')?.patch, {
      mergeKey: 'name',
      strategy: 'merge,retainKeys',
      listType: 'map',
      listMapKeys: ['name'],
    });
    assert.deepEqual(modelField('V1ObjectMeta', 'finalizers')?.patch, { strategy: 'merge', listType: 'set' });
    assert.equal(modelField('V1Container', 'ports')?.patch?.mergeKey, 'containerPort');
    assert.deepEqual(modelField('V1Container', 'ports')?.patch?.listMapKeys, ['containerPort', 'protocol']);
    assert.equal(modelField('V1DeploymentSpec', 'strategy')?.patch?.strategy, 'retainKeys');
    assert.equal(modelField('V1Container', 'args')?.patch?.listType, 'atomic');
    assert.equal(modelField('V1Container', 'image')?.patch, undefined);
  });

  it('keeps definition-level map types', () => {
    assert.equal(modelInfo('V1LabelSelector')?.mapType, 'atomic');
    assert.equal(modelInfo('V1PodSpec')?.mapType, undefined);
  });
});
