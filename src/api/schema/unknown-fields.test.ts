import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  findDuplicateFields,
  findStrictFieldErrors,
  findUnknownFields,
  strictDecodingError,
  strictErrorMessage,
} from './unknown-fields.ts';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { a: 'b' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx',
            imagePullPolicy: 'IfNotPresent',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            resources: { limits: { cpu: 1, memory: '128Mi' }, requests: { cpu: '100m' } },
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
          },
        ],
        volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }],
        overhead: { cpu: '10m' },
      },
    },
  },
  status: {
    replicas: 2,
    conditions: [{ type: 'Available', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }],
  },
});

describe('findUnknownFields', () => {
  it('finds nothing in valid objects', () => {
    assert.deepEqual(findUnknownFields('apps', 'v1', 'Deployment', deployment()), []);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: deployment().spec.template.spec,
    };
    assert.deepEqual(findUnknownFields('', 'v1', 'Pod', pod), []);
  });

  it('accepts Quantity and IntOrString values as strings or numbers', () => {
    const svc = {
      kind: 'Service',
      spec: {
        ports: [
          { port: 80, targetPort: 8080 },
          { port: 81, targetPort: 'http' },
        ],
      },
    };
    assert.deepEqual(findUnknownFields('', 'v1', 'Service', svc), []);
    const quota = { kind: 'ResourceQuota', spec: { hard: { cpu: 4, 'requests.memory': '1Gi', pods: '10' } } };
    assert.deepEqual(findUnknownFields('', 'v1', 'ResourceQuota', quota), []);
  });

  it('reports unknown fields at depth, in lists, with upstream paths', () => {
    const d = deployment();
    Object.assign(d.spec.template.spec.containers[0]!, { imagePullPolice: 'Always' });
    Object.assign(d.spec.template.spec.volumes[0]!.emptyDir, { size: '1Gi' });
    Object.assign(d.metadata, { nam: 'x' });
    Object.assign(d, { extra: true });
    assert.deepEqual(findUnknownFields('apps', 'v1', 'Deployment', d), [
      'metadata.nam',
      'spec.template.spec.containers[0].imagePullPolice',
      'spec.template.spec.volumes[0].emptyDir.size',
      'extra',
    ]);
  });

  it('reports unknown fields inside maps of models', () => {
    const crd = {
      kind: 'CustomResourceDefinition',
      spec: {
        group: 'example.com',
        names: { kind: 'Foo', plural: 'foos' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', propertiez: {}, default: { any: { thing: 1 } } } },
                'x-kubernetes-preserve-unknown-fields': true,
              },
            },
          },
        ],
      },
    };
    assert.deepEqual(findUnknownFields('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', crd), [
      'spec.versions[0].schema.openAPIV3Schema.properties.spec.propertiez',
    ]);
  });

  it('accepts anything inside free-form fields', () => {
    const rev = { kind: 'ControllerRevision', revision: 1, data: { spec: { whatever: [{ deep: true }] } } };
    assert.deepEqual(findUnknownFields('apps', 'v1', 'ControllerRevision', rev), []);
  });

  it('ignores values of the wrong shape and kinds without a schema', () => {
    assert.deepEqual(findUnknownFields('apps', 'v1', 'Deployment', { spec: 'oops', metadata: null }), []);
    assert.deepEqual(findUnknownFields('example.com', 'v1', 'Foo', { anything: 1 }), []);
  });
});

describe('duplicate fields', () => {
  const text =
    '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","name":"b","labels":{"x":"1","x":"2"}},' +
    '"data":{"k":"v","k":"w"},"bogus":1,"bogus":2,"data":{}}';

  it('finds repeated keys anywhere in the text', () => {
    assert.deepEqual(findDuplicateFields(text), [
      'metadata.name',
      'metadata.labels.x',
      'data.k',
      'bogus',
      'data',
    ]);
    assert.deepEqual(findDuplicateFields('[{"a":1,"a":2}]'), ['[0].a']);
    assert.deepEqual(findDuplicateFields('{"a":{"b\\u0022":1,"b\\"":2}}'), ['a.b"']);
    assert.deepEqual(findDuplicateFields('not json'), []);
  });

  it('reports unknown and duplicate fields in document order, once each', () => {
    const errors = findStrictFieldErrors('', 'v1', 'ConfigMap', text);
    assert.deepEqual(errors.map(strictErrorMessage), [
      'duplicate field "metadata.name"',
      'duplicate field "metadata.labels.x"',
      'duplicate field "data.k"',
      'unknown field "bogus"',
      'duplicate field "data"',
    ]);
    assert.equal(
      strictDecodingError(errors.slice(2, 4)),
      'strict decoding error: duplicate field "data.k", unknown field "bogus"',
    );
  });

  it('does not look inside fields upstream decodes on their own', () => {
    const rev = '{"kind":"ControllerRevision","data":{"a":1,"a":2},"revision":1}';
    assert.deepEqual(findStrictFieldErrors('apps', 'v1', 'ControllerRevision', rev), []);
  });

  it('checks only duplicates for kinds without a schema', () => {
    const cr = '{"kind":"Foo","spec":{"x":1,"x":2,"y":3}}';
    assert.deepEqual(findStrictFieldErrors('example.com', 'v1', 'Foo', cr), [
      { type: 'duplicate field', path: 'spec.x' },
    ]);
  });
});
