import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fieldErrorString } from '../../api/field-errors.ts';
import { isStatusError } from '../../api/status.ts';
import { openBackend } from '../../storage/index.ts';
import { Registry } from '../registry.ts';
import { defaultCRD } from './strategy.ts';
import { cronTabCRD } from './testing.ts';
import type { CustomResourceDefinition } from './types.ts';
import { validateCRD } from './validation.ts';

const backend = openBackend('memory:', { compactIntervalMs: 0 });
const registry = new Registry(backend);
const crds = registry.byResource('apiextensions.k8s.io', 'customresourcedefinitions')!;
after(() => backend.close());

const errorsOf = (crd: CustomResourceDefinition) => {
  defaultCRD(crd);
  return validateCRD(crd).map(fieldErrorString);
};

async function invalid(crd: CustomResourceDefinition): Promise<string> {
  try {
    await crds.create(undefined, crd, { dryRun: true });
  } catch (e) {
    assert.ok(isStatusError(e) && e.code === 422, String(e));
    return e.message;
  }
  assert.fail('created');
}

test('create defaults names and conversion, clears status, records the stored version', async () => {
  const crd = cronTabCRD();
  crd.spec!.names = { plural: 'crontabs', kind: 'CronTab' };
  crd.status = { conditions: [{ type: 'Established', status: 'True' }] };
  const created = (await crds.create(undefined, crd)) as CustomResourceDefinition;
  assert.equal(created.spec?.names?.singular, 'crontab');
  assert.equal(created.spec?.names?.listKind, 'CronTabList');
  assert.deepEqual(created.spec?.conversion, { strategy: 'None' });
  assert.deepEqual(created.status, { acceptedNames: { plural: '', kind: '' }, storedVersions: ['v1'] });
  assert.equal(created.metadata.generation, 1);
  const updated = (
    await crds.guaranteedUpdate(undefined, created.metadata.name!, (cur) => {
      const c = cur as CustomResourceDefinition;
      c.spec!.names!.shortNames = ['ct'];
      return c;
    })
  ).object;
  assert.equal(updated.metadata.generation, 2);
});

test('the name must be <plural>.<group>, with upstream wording', async () => {
  const crd = cronTabCRD();
  crd.metadata.name = 'crontab.stable.example.com';
  assert.match(
    await invalid(crd),
    /^CustomResourceDefinition.apiextensions.k8s.io "crontab.stable.example.com" is invalid: metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural\+"."\+spec.group$/,
  );
});

test('group, scope, names and versions', () => {
  const crd = cronTabCRD();
  crd.metadata.name = 'crontabs.example';
  crd.spec!.group = 'example';
  crd.spec!.scope = 'Global';
  crd.spec!.names = { plural: 'crontabs', kind: 'CronTab', listKind: 'CronTab', singular: 'Bad_Name' };
  crd.spec!.versions!.push({ ...crd.spec!.versions![0]!, storage: true });
  crd.spec!.conversion = { strategy: 'None' };
  crd.status = { storedVersions: ['v1'] };
  const errs = errorsOf(crd);
  assert.deepEqual(errs.slice(0, 2), [
    'spec.group: Invalid value: "example": should be a domain with at least one dot',
    'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
  ]);
  assert.ok(
    errs.some(
      (e) =>
        e.startsWith('spec.versions: Invalid value: [{"Name":"v1","Served":true,"Storage":true') &&
        e.endsWith(': must contain unique version names'),
    ),
  );
  assert.ok(errs.some((e) => e.endsWith(': must have exactly one version marked as storage version')));
  assert.ok(
    errs.includes('spec.names.listKind: Invalid value: "CronTab": kind and listKind may not be the same'),
  );
  assert.ok(
    errs.some((e) =>
      e.startsWith('spec.names.singular: Invalid value: "Bad_Name": a DNS-1035 label must consist of'),
    ),
  );
});

test('a schema is required and must be structural; single-version errors are reported at the top', async () => {
  const crd = cronTabCRD();
  delete crd.spec!.versions![0]!.schema;
  assert.match(await invalid(crd), /spec.versions\[0\].schema.openAPIV3Schema: Required value$/);
  const loose = cronTabCRD();
  loose.spec!.versions![0]!.schema = {
    openAPIV3Schema: { type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } },
  };
  assert.match(
    await invalid(loose),
    /is invalid: spec.validation.openAPIV3Schema.properties\[spec\].type: Required value: must not be empty for specified object fields$/,
  );
});

test('subresources and printer columns', () => {
  const crd = cronTabCRD();
  crd.spec!.versions![0]!.subresources!.scale = {
    specReplicasPath: 'spec.replicas',
    statusReplicasPath: '.spec.replicas',
  };
  crd.spec!.versions![0]!.additionalPrinterColumns = [
    { name: 'X', type: 'text', jsonPath: '.spec.x' },
    { name: 'Y', type: 'string' },
  ];
  crd.spec!.conversion = { strategy: 'None' };
  crd.status = { storedVersions: ['v1'] };
  assert.deepEqual(errorsOf(crd), [
    'spec.subresources.scale.specReplicasPath: Invalid value: "spec.replicas": must be a simple json path starting with .',
    'spec.subresources.scale.statusReplicasPath: Invalid value: ".spec.replicas": should be a json path under .status',
    'spec.additionalPrinterColumns[0].type: Invalid value: "text": must be one of boolean,date,integer,number,string',
    'spec.additionalPrinterColumns[1].JSONPath: Required value',
  ]);
});

test('protected groups need the approval annotation', async () => {
  const crd = cronTabCRD();
  crd.metadata.name = 'crontabs.example.k8s.io';
  crd.spec!.group = 'example.k8s.io';
  assert.match(
    await invalid(crd),
    /metadata.annotations\[api-approved.kubernetes.io\]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https:\/\/github.com\/kubernetes\/enhancements\/pull\/1111$/,
  );
  crd.metadata.annotations = { 'api-approved.kubernetes.io': 'unapproved, testing' };
  await crds.create(undefined, crd, { dryRun: true });
});

test('deleting a CRD adds the cleanup finalizer and the Terminating condition', async () => {
  const crd = cronTabCRD();
  crd.metadata.name = 'things.example.com';
  crd.spec!.group = 'example.com';
  crd.spec!.names = { plural: 'things', kind: 'Thing' };
  await crds.create(undefined, crd);
  const { object, deleted } = await crds.delete(undefined, 'things.example.com');
  const held = object as CustomResourceDefinition;
  assert.equal(deleted, false);
  assert.deepEqual(held.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
  assert.ok(held.metadata.deletionTimestamp);
  const terminating = held.status?.conditions?.find((c) => c.type === 'Terminating');
  assert.equal(terminating?.reason, 'InstanceDeletionPending');
  // Dropping the finalizer through the status subresource lets it go.
  await crds.guaranteedUpdate(
    undefined,
    'things.example.com',
    (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: [] } }),
    { subresource: 'status' },
  );
  await assert.rejects(crds.get(undefined, 'things.example.com'), (e) => isStatusError(e) && e.code === 404);
});
