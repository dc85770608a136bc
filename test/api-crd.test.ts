import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from './helpers/server.ts';

/** The CronTab example of the Kubernetes docs, with printer columns and the status subresource. */
const crd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: What the cron job runs, and when.
            properties:
              cronSpec:
                type: string
                pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'
              image:
                type: string
              replicas:
                type: integer
                minimum: 1
                maximum: 10
                default: 1
          status:
            type: object
            properties:
              replicas:
                type: integer
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
    additionalPrinterColumns:
    - name: Spec
      type: string
      description: The cron spec defining the interval a CronJob is run
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
`;

const cronTab = (name: string, spec: string) => `
apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: ${name}
spec:
${spec}
`;

describe('CustomResourceDefinitions with the real kubectl', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s?.cleanup();
  });

  test('create a CRD and wait for it to be established', async () => {
    assert.match(
      await s.ok(['apply', '-f', '-'], { input: crd }),
      /customresourcedefinition.apiextensions.k8s.io\/crontabs.stable.example.com created/,
    );
    assert.match(
      await s.ok([
        'wait',
        '--for',
        'condition=established',
        '--timeout=30s',
        'crd/crontabs.stable.example.com',
      ]),
      /condition met/,
    );
    const status = JSON.parse(
      await s.ok(['get', 'crd', 'crontabs.stable.example.com', '-o', 'jsonpath={.status}']),
    );
    assert.equal(status.acceptedNames.listKind, 'CronTabList');
    assert.deepEqual(status.storedVersions, ['v1']);
  });

  test('a valid CronTab applies; an invalid one shows the schema errors', async () => {
    assert.match(
      await s.ok(['apply', '-f', '-'], {
        input: cronTab('my-new-cron-object', '  cronSpec: "* * * * */5"\n  image: my-awesome-cron-image'),
      }),
      /crontab.stable.example.com\/my-new-cron-object created/,
    );
    const bad = await s.kubectl(['apply', '-f', '-'], {
      input: cronTab('bad', '  cronSpec: "nope"\n  replicas: 20'),
    });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /The CronTab "bad" is invalid:/);
    assert.match(
      bad.stderr,
      /spec.cronSpec: Invalid value: "nope": spec.cronSpec in body should match '\^\(\\d\+\|\\\*\)/,
    );
    assert.match(
      bad.stderr,
      /spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10/,
    );
    const wrongType = await s.kubectl(['apply', '-f', '-'], {
      input: cronTab('bad', '  cronSpec: "* * * * *"\n  replicas: "three"'),
    });
    assert.match(
      wrongType.stderr,
      /spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"/,
    );
  });

  test('unknown fields: refused with fieldValidation=Strict, pruned with a warning otherwise', async () => {
    const extra = cronTab('extra', '  cronSpec: "* * * * *"\n  colour: blue');
    const strict = await s.kubectl(['apply', '-f', '-'], { input: extra });
    assert.notEqual(strict.code, 0);
    assert.match(
      strict.stderr,
      /CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "spec.colour"/,
    );
    const warned = await s.kubectl(['apply', '--validate=warn', '-f', '-'], { input: extra });
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /Warning: unknown field "spec.colour"/);
  });

  test('get shows the printer columns; -o yaml shows defaults applied and unknown fields pruned', async () => {
    const table = await s.ok(['get', 'ct']);
    assert.match(table, /^NAME\s+SPEC\s+REPLICAS\s+AGE$/m);
    assert.match(table, /^my-new-cron-object\s+\* \* \* \* \*\/5\s+1\s+\d+s$/m);
    const yaml = await s.ok(['get', 'crontabs', 'extra', '-o', 'yaml']);
    const spec = yaml.slice(yaml.indexOf('\nspec:\n'));
    assert.equal(spec, "\nspec:\n  cronSpec: '* * * * *'\n  replicas: 1\n");
    assert.match(await s.ok(['get', 'crontab', '-o', 'name']), /crontab.stable.example.com\/extra/);
  });

  test('status and scale subresources', async () => {
    await s.ok([
      'patch',
      'ct',
      'extra',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"replicas":2}}',
    ]);
    assert.match(
      await s.ok(['scale', 'ct', 'extra', '--replicas=3']),
      /crontab.stable.example.com\/extra scaled/,
    );
    const obj = JSON.parse(await s.ok(['get', 'ct', 'extra', '-o', 'json']));
    assert.equal(obj.spec.replicas, 3);
    assert.equal(obj.status.replicas, 2);
    assert.equal(obj.metadata.generation, 2);
    // A main write cannot change status when the status subresource is on.
    await s.ok(['patch', 'ct', 'extra', '--type=merge', '-p', '{"status":{"replicas":9}}']);
    assert.equal(await s.ok(['get', 'ct', 'extra', '-o', 'jsonpath={.status.replicas}']), '2');
  });

  test('kubectl explain reads the schema from /openapi/v3', async () => {
    const out = await s.ok(['explain', 'crontab.spec']);
    assert.match(out, /KIND:\s+CronTab/);
    assert.match(out, /What the cron job runs, and when\./);
    assert.match(out, /cronSpec\s+<string>/);
    assert.match(out, /replicas\s+<integer>/);
  });

  test('custom resources are still served after a restart', async () => {
    await s.restart();
    assert.match(await s.ok(['get', 'ct']), /^my-new-cron-object\s+/m);
  });

  test('deleting the CRD deletes its custom resources, then the resource type is gone', async () => {
    assert.match(
      await s.ok(['delete', 'crd', 'crontabs.stable.example.com', '--timeout=60s']),
      /customresourcedefinition.apiextensions.k8s.io "crontabs.stable.example.com" deleted/,
    );
    const gone = await s.kubectl(['get', 'crontabs']);
    assert.notEqual(gone.code, 0);
    assert.match(
      gone.stderr,
      /the server doesn't have a resource type "crontabs"|the server could not find the requested resource/,
    );
    await s.ok(['apply', '-f', '-'], { input: crd });
    await s.ok([
      'wait',
      '--for',
      'condition=established',
      '--timeout=30s',
      'crd/crontabs.stable.example.com',
    ]);
    assert.match((await s.kubectl(['get', 'crontabs', '-A'])).stderr, /No resources found/);
  });
});
