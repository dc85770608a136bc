import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type OpenApiResourceWithSchema, openApiV3Document, openApiV3Index } from './openapi.ts';
import { operationInfix } from './openapi-paths.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk untyped JSON documents.
type Doc = Record<string, any>;

const resources: OpenApiResourceWithSchema[] = [
  {
    group: '',
    version: 'v1',
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    subresources: ['status', 'log'],
  },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false },
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    subresources: ['status', 'scale'],
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'ControllerRevision',
    plural: 'controllerrevisions',
    namespaced: true,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectAccessReview',
    plural: 'selfsubjectaccessreviews',
    namespaced: false,
    verbs: ['create'],
  },
  {
    group: 'stable.example.com',
    version: 'v1',
    kind: 'CronTab',
    plural: 'crontabs',
    namespaced: true,
    schema: {
      type: 'object',
      properties: { spec: { type: 'object', properties: { cronSpec: { type: 'string' } } } },
    },
  },
];

/** What kubectl's queryParamVerifierV3 does: a PATCH for the kind that takes the parameter. */
function supportsQueryParam(
  doc: Doc,
  gvk: { group: string; version: string; kind: string },
  param: string,
): boolean {
  for (const item of Object.values(doc.paths as Record<string, Doc>)) {
    const op = item.patch;
    const g = op?.['x-kubernetes-group-version-kind'];
    if (!g || g.group !== gvk.group || g.version !== gvk.version || g.kind !== gvk.kind) continue;
    return (op.parameters as Doc[]).some((p) => p.name === param);
  }
  return false;
}

describe('openApiV3Document', () => {
  it('serves apps/v1 with Deployment schemas and a PATCH that takes fieldValidation', async () => {
    const doc: Doc = await openApiV3Document('apps', 'v1', resources, { version: 'v1.32.4' });
    assert.equal(doc.openapi, '3.0.0');
    assert.equal(doc.info.version, 'v1.32.4');
    const deployment = doc.components.schemas['io.k8s.api.apps.v1.Deployment'];
    assert.deepEqual(deployment['x-kubernetes-group-version-kind'], [
      { group: 'apps', kind: 'Deployment', version: 'v1' },
    ]);
    assert.match(deployment.description, /declarative updates for Pods/);
    assert.deepEqual(deployment.properties.spec, {
      allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }],
      default: {},
      description: 'Specification of the desired behavior of the Deployment.',
    });
    assert.ok(
      supportsQueryParam(doc, { group: 'apps', version: 'v1', kind: 'Deployment' }, 'fieldValidation'),
    );
    assert.ok(
      supportsQueryParam(
        doc,
        { group: 'apps', version: 'v1', kind: 'ControllerRevision' },
        'fieldValidation',
      ),
    );
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    assert.equal(patch.operationId, 'patchAppsV1NamespacedDeployment');
    assert.equal(patch['x-kubernetes-action'], 'patch');
    assert.ok(patch.requestBody.content['application/strategic-merge-patch+json']);
    assert.ok(doc.paths['/apis/apps/v1/deployments'].get, 'list across namespaces');
    assert.equal(
      doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch[
        'x-kubernetes-group-version-kind'
      ].kind,
      'Scale',
    );
    for (const name of [
      'io.k8s.api.apps.v1.DeploymentList',
      'io.k8s.api.core.v1.PodTemplateSpec',
      'io.k8s.api.autoscaling.v1.Scale',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
      'io.k8s.apimachinery.pkg.api.resource.Quantity',
      'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    ]) {
      assert.ok(doc.components.schemas[name], name);
    }
    assert.equal(doc.components.schemas['io.k8s.api.core.v1.Pod'], undefined, 'only what apps/v1 refers to');
    assert.equal(
      Object.keys(doc.paths).some((p) => p.startsWith('/api/v1/')),
      false,
    );
  });

  it('carries patch extensions, required fields and v3 shapes', async () => {
    const doc: Doc = await openApiV3Document('', 'v1', resources);
    const schemas = doc.components.schemas;
    const containers = schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
    assert.deepEqual(containers.items, {
      allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.Container' }],
      default: {},
    });
    assert.deepEqual(schemas['io.k8s.api.core.v1.PodSpec'].required, ['containers']);
    assert.equal(schemas['io.k8s.api.core.v1.Container'].properties.name.default, '');
    assert.deepEqual(
      schemas['io.k8s.api.core.v1.ResourceRequirements'].properties.limits.additionalProperties,
      {
        $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
      },
    );
    assert.deepEqual(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].oneOf, [
      { type: 'integer' },
      { type: 'string' },
    ]);
    assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].format, 'date-time');
    assert.equal(schemas['io.k8s.api.core.v1.LocalObjectReference']['x-kubernetes-map-type'], 'atomic');
    assert.ok(supportsQueryParam(doc, { group: '', version: 'v1', kind: 'Pod' }, 'fieldValidation'));
    assert.ok(supportsQueryParam(doc, { group: '', version: 'v1', kind: 'Node' }, 'fieldValidation'));
    const nodes = doc.paths['/api/v1/nodes/{name}'];
    assert.deepEqual(
      nodes.parameters.map((p: Doc) => p.name),
      ['name', 'pretty'],
    );
    assert.equal(nodes.patch.operationId, 'patchCoreV1Node');
    assert.equal(doc.paths['/api/v1/namespaces/{namespace}/pods'].get.operationId, 'listCoreV1NamespacedPod');
    assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/status'].patch);
    assert.equal(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/log'], undefined);
  });

  it('serves only the verbs a resource has', async () => {
    const doc: Doc = await openApiV3Document('authorization.k8s.io', 'v1', resources);
    const collection = doc.paths['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'];
    assert.equal(collection.post.operationId, 'createAuthorizationV1SelfSubjectAccessReview');
    assert.equal(collection.get, undefined);
    assert.ok(doc.components.schemas['io.k8s.api.authorization.v1.SelfSubjectAccessReview']);
  });

  it('gives custom resources a document with their schema', async () => {
    const doc: Doc = await openApiV3Document('stable.example.com', 'v1', resources);
    const schema = doc.components.schemas['com.example.stable.v1.CronTab'];
    assert.deepEqual(schema['x-kubernetes-group-version-kind'], [
      { group: 'stable.example.com', kind: 'CronTab', version: 'v1' },
    ]);
    assert.equal(schema.properties.spec.properties.cronSpec.type, 'string');
    assert.ok(schema.properties.metadata.allOf);
    assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    assert.ok(doc.components.schemas['com.example.stable.v1.CronTabList']);
    assert.ok(
      supportsQueryParam(
        doc,
        { group: 'stable.example.com', version: 'v1', kind: 'CronTab' },
        'fieldValidation',
      ),
    );
  });
});

describe('openApiV3Index', () => {
  it('lists each group-version with its hash', () => {
    assert.deepEqual(
      openApiV3Index(['v1', 'apps/v1'], (gv) => `H-${gv}`),
      {
        paths: {
          'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=H-v1' },
          'apis/apps/v1': { serverRelativeURL: '/openapi/v3/apis/apps/v1?hash=H-apps/v1' },
        },
      },
    );
  });
});

describe('operationInfix', () => {
  it('names group-versions as upstream operation ids do', () => {
    assert.equal(operationInfix('', 'v1'), 'CoreV1');
    assert.equal(operationInfix('rbac.authorization.k8s.io', 'v1'), 'RbacAuthorizationV1');
    assert.equal(operationInfix('autoscaling', 'v2'), 'AutoscalingV2');
    assert.equal(operationInfix('stable.example.com', 'v1'), 'StableExampleComV1');
  });
});
