import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import {
  decodeProtobufObject,
  formatDuration,
  isProtobufBody,
  ProtobufDecodeError,
  readProtobufEnvelope,
  supportedProtobufKinds,
} from './decode.ts';

const fixtures = path.join(import.meta.dirname, 'fixtures');

/** A body kubectl 1.32 sent (see fixtures/capture.mjs). */
function body(name: string): Buffer {
  return Buffer.from(readFileSync(path.join(fixtures, `${name}.pb.b64`), 'utf8'), 'base64');
}

function decode(name: string): Record<string, unknown> {
  return decodeProtobufObject(body(name));
}

/** kubectl's JSON prints Go's nil slices and zero times as null; the decoder leaves them out. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== null)
        .map(([k, x]) => [k, withoutNulls(x)]),
    );
  }
  return v;
}

/** The schemas, loaded separately to build bodies kubectl's generators never produce. */
const schemas = new protobuf.Root().loadSync(
  [
    'runtime.proto',
    'meta.proto',
    'intstr.proto',
    'resource.proto',
    'core.proto',
    'apps.proto',
    'policy.proto',
  ].map((f) => path.join(import.meta.dirname, f)),
  { keepCase: true },
);

function envelope(
  apiVersion: string,
  kind: string,
  raw: Uint8Array,
  extra: Record<string, string> = {},
): Buffer {
  const unknown = schemas.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const bytes = unknown.encode({ typeMeta: { apiVersion, kind }, raw, ...extra }).finish();
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), bytes]);
}

function encode(typeName: string, value: Record<string, unknown>): Uint8Array {
  const type = schemas.lookupType(typeName);
  return type.encode(type.fromObject(value)).finish();
}

function rejects(fn: () => unknown, reason: string, pattern?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProtobufDecodeError, `expected a ProtobufDecodeError, got ${String(e)}`);
    assert.equal(e.reason, reason, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

test('isProtobufBody looks for the k8s\\0 magic', () => {
  assert.equal(isProtobufBody(body('namespace')), true);
  assert.equal(isProtobufBody(Buffer.from('{"kind":"Namespace"}')), false);
  assert.equal(isProtobufBody(Buffer.from('k8s')), false);
  assert.equal(isProtobufBody(new Uint8Array(0)), false);
});

test('the envelope kubectl sends: typeMeta, raw, no content encoding or type', () => {
  const env = readProtobufEnvelope(body('deployment'));
  assert.equal(env.apiVersion, 'apps/v1');
  assert.equal(env.kind, 'Deployment');
  assert.equal(env.contentEncoding, '');
  assert.equal(env.contentType, '');
  assert.ok(env.raw.length > 100);
});

test('every captured body decodes to what kubectl itself prints as JSON', () => {
  const names = readdirSync(fixtures)
    .filter((f) => f.endsWith('.kubectl.json'))
    .map((f) => f.slice(0, -'.kubectl.json'.length));
  assert.ok(names.length >= 20, `only ${names.length} fixtures`);
  for (const name of names) {
    const want = withoutNulls(JSON.parse(readFileSync(path.join(fixtures, `${name}.kubectl.json`), 'utf8')));
    assert.deepEqual(decode(name), want, name);
  }
});

test('configmap --from-literal / --from-file: data strings, binaryData base64', () => {
  assert.deepEqual(decode('configmap'), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'demo' },
    data: { a: '1', b: 'two', empty: '', 'text.txt': 'plain text\n' },
    binaryData: { bin: Buffer.from('hello\x00\xff\xfe binary', 'latin1').toString('base64') },
  });
});

test('secret generic and docker-registry: data as base64, type', () => {
  assert.deepEqual(decode('secret'), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'creds' },
    data: { user: Buffer.from('admin').toString('base64'), pass: Buffer.from('s3cr:t').toString('base64') },
  });
  const docker = decode('secret-docker');
  assert.equal(docker.type, 'kubernetes.io/dockerconfigjson');
  const config = (docker.data as Record<string, string>)['.dockerconfigjson']!;
  assert.deepEqual(JSON.parse(Buffer.from(config, 'base64').toString('utf8')), {
    auths: { 'r.example.com': { username: 'u', password: 'p', email: 'u@example.com', auth: 'dTpw' } },
  });
});

test('namespace and serviceaccount', () => {
  assert.deepEqual(decode('namespace'), {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'team-a' },
    spec: {},
    status: {},
  });
  assert.deepEqual(decode('serviceaccount'), {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'sa1' },
  });
});

test('deployment: replicas, labels app=web, selector, image, port', () => {
  assert.deepEqual(decode('deployment'), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }],
        },
      },
      strategy: {},
    },
    status: {},
  });
});

test('deployment --replicas=0 keeps the zero (a pointer field), and the command', () => {
  const spec = decode('deployment-zero').spec as Record<string, unknown>;
  assert.equal(spec.replicas, 0);
  assert.deepEqual((spec.template as { spec: unknown }).spec, {
    containers: [
      { name: 'busybox', image: 'registry.k8s.io/busybox:1.36', command: ['sleep', '3600'], resources: {} },
    ],
  });
});

test('service clusterip --tcp=80:8080, nodeport with a named targetPort, externalname', () => {
  assert.deepEqual(decode('service'), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }],
      selector: { app: 'web' },
      type: 'ClusterIP',
    },
    status: { loadBalancer: {} },
  });
  const nodePort = decode('service-nodeport').spec as Record<string, unknown>;
  assert.deepEqual(nodePort.ports, [
    { name: '80-http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 },
  ]);
  assert.equal(nodePort.type, 'NodePort');
  const external = decode('service-external').spec as Record<string, unknown>;
  assert.equal(external.externalName, 'example.com');
  assert.equal(external.type, 'ExternalName');
  assert.equal(external.ports, undefined);
});

test('job and cronjob --schedule', () => {
  assert.deepEqual(decode('job'), {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'once' },
    spec: {
      template: {
        metadata: {},
        spec: {
          containers: [{ name: 'once', image: 'busybox', command: ['echo', 'hi'], resources: {} }],
          restartPolicy: 'Never',
        },
      },
    },
    status: {},
  });
  assert.deepEqual(decode('cronjob'), {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: {
        metadata: { name: 'tick' },
        spec: {
          template: {
            metadata: {},
            spec: {
              containers: [{ name: 'tick', image: 'busybox', command: ['date'], resources: {} }],
              restartPolicy: 'OnFailure',
            },
          },
        },
      },
    },
    status: {},
  });
});

test('role --verb --resource, clusterrole with non-resource URLs and an aggregation rule', () => {
  assert.deepEqual(decode('role'), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'reader' },
    rules: [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/log'] },
      { verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'] },
    ],
  });
  assert.deepEqual(decode('clusterrole').rules, [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]);
  assert.deepEqual(decode('clusterrole-agg'), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'agg' },
    aggregationRule: {
      clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-agg': 'true' } }],
    },
  });
});

test('rolebinding and clusterrolebinding', () => {
  assert.deepEqual(decode('clusterrolebinding'), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'crb' },
    subjects: [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' },
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'ops' },
    ],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
  });
  assert.deepEqual(decode('rolebinding').subjects, [
    { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
    { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' },
    { kind: 'ServiceAccount', name: 'sa1', namespace: 'default' },
  ]);
});

test('pdb: IntOrString as a number or a string, selector expressions', () => {
  assert.deepEqual(decode('pdb'), {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web-pdb' },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
    status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  });
  assert.deepEqual(decode('pdb-percent').spec, {
    selector: {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
      ],
    },
    maxUnavailable: '50%',
  });
});

test('priorityclass: value kept even when 0', () => {
  assert.deepEqual(decode('priorityclass'), {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'high' },
    value: 1000,
    description: 'high prio',
    preemptionPolicy: 'Never',
  });
  assert.deepEqual(decode('priorityclass-zero'), {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'zero' },
    value: 0,
    globalDefault: true,
    preemptionPolicy: 'PreemptLowerPriority',
  });
});

test('quota: Quantity as its string', () => {
  assert.deepEqual(decode('quota'), {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'q' },
    spec: {
      hard: { cpu: '1', memory: '1Gi', pods: '10', 'requests.storage': '500m' },
      scopes: ['BestEffort'],
    },
    status: {},
  });
});

test('ingress --rule: the inline rule value, backends, tls, class', () => {
  assert.deepEqual(decode('ingress'), {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', annotations: { a: 'b' } },
    spec: {
      defaultBackend: { service: { name: 'defsvc', port: { number: 80 } } },
      tls: [{ hosts: ['foo.com'], secretName: 'my-cert' }],
      rules: [
        {
          host: 'foo.com',
          http: {
            paths: [
              {
                path: '/bar',
                pathType: 'Exact',
                backend: { service: { name: 'svc1', port: { number: 8080 } } },
              },
              {
                path: '/static',
                pathType: 'Prefix',
                backend: { service: { name: 'svc2', port: { name: 'http' } } },
              },
            ],
          },
        },
      ],
      ingressClassName: 'nginx',
    },
    status: { loadBalancer: {} },
  });
});

test('auth can-i: SelfSubjectAccessReview and SelfSubjectRulesReview', () => {
  assert.deepEqual(decode('can-i'), {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    metadata: {},
    spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } },
    status: { allowed: false },
  });
  assert.deepEqual((decode('can-i-subresource').spec as Record<string, unknown>).resourceAttributes, {
    namespace: 'ns1',
    verb: 'get',
    group: 'apps',
    resource: 'deployments',
    subresource: 'scale',
  });
  assert.deepEqual(decode('can-i-nonresource').spec, {
    nonResourceAttributes: { path: '/healthz', verb: 'get' },
  });
  assert.deepEqual(decode('can-i-list'), {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectRulesReview',
    metadata: {},
    spec: { namespace: 'ns1' },
    status: { incomplete: false },
  });
});

test('create token: TokenRequest with audiences and expirationSeconds', () => {
  assert.deepEqual(decode('token'), {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: {},
    spec: { audiences: ['api'], expirationSeconds: 600 },
    status: { token: '' },
  });
});

test('times, inline structs, probes, volumes, env sources, managedFields', () => {
  const raw = encode('k8s.io.api.core.v1.Pod', {
    metadata: {
      name: 'p',
      creationTimestamp: { seconds: 1767323045 },
      deletionTimestamp: {},
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true },
      ],
      managedFields: [
        {
          manager: 'kubectl',
          operation: 'Update',
          time: { seconds: 1767323045, nanos: 5 },
          fieldsType: 'FieldsV1',
          fieldsV1: { Raw: Buffer.from('{"f:metadata":{}}') },
        },
      ],
    },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'nginx',
          env: [
            { name: 'PASS', valueFrom: { secretKeyRef: { localObjectReference: { name: 's' }, key: 'k' } } },
          ],
          resources: { limits: { cpu: { string: '500m' } } },
          livenessProbe: {
            handler: { httpGet: { path: '/', port: { type: 1, strVal: 'http' } } },
            periodSeconds: 0,
          },
          stdin: false,
        },
      ],
      volumes: [
        {
          name: 'cfg',
          volumeSource: { configMap: { localObjectReference: { name: 'cm' }, defaultMode: 420 } },
        },
        { name: 'tmp', volumeSource: { emptyDir: {} } },
      ],
      terminationGracePeriodSeconds: 0,
      hostNetwork: false,
    },
    status: { phase: 'Pending', startTime: { seconds: 0 } },
  });
  assert.deepEqual(decodeProtobufObject(envelope('v1', 'Pod', raw)), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p',
      creationTimestamp: '2026-01-02T03:04:05Z',
      ownerReferences: [
        { kind: 'ReplicaSet', name: 'rs', uid: 'u1', apiVersion: 'apps/v1', controller: true },
      ],
      managedFields: [
        {
          manager: 'kubectl',
          operation: 'Update',
          time: '2026-01-02T03:04:05Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': {} },
        },
      ],
    },
    spec: {
      volumes: [
        { name: 'cfg', configMap: { name: 'cm', defaultMode: 420 } },
        { name: 'tmp', emptyDir: {} },
      ],
      containers: [
        {
          name: 'c',
          image: 'nginx',
          env: [{ name: 'PASS', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
          resources: { limits: { cpu: '500m' } },
          livenessProbe: { httpGet: { path: '/', port: 'http' } },
        },
      ],
      terminationGracePeriodSeconds: 0,
    },
    status: { phase: 'Pending', startTime: '1970-01-01T00:00:00Z' },
  });
});

test('DeleteOptions under any apiVersion, and an Eviction', () => {
  const raw = encode('k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', {
    gracePeriodSeconds: 0,
    propagationPolicy: 'Background',
  });
  for (const apiVersion of ['v1', 'meta.k8s.io/v1', 'apps/v1']) {
    assert.deepEqual(decodeProtobufObject(envelope(apiVersion, 'DeleteOptions', raw)), {
      apiVersion,
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Background',
    });
  }
  const eviction = encode('k8s.io.api.policy.v1.Eviction', {
    metadata: { name: 'p', namespace: 'ns' },
    deleteOptions: { gracePeriodSeconds: 30 },
  });
  assert.deepEqual(decodeProtobufObject(envelope('policy/v1', 'Eviction', eviction)), {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name: 'p', namespace: 'ns' },
    deleteOptions: { gracePeriodSeconds: 30 },
  });
});

test('Go duration strings', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(999), '999ns');
  assert.equal(formatDuration(1500), '1.5µs');
  assert.equal(formatDuration(150_000_000), '150ms');
  assert.equal(formatDuration(3_723_500_000_000), '1h2m3.5s');
  assert.equal(formatDuration(600_000_000_000), '10m0s');
  assert.equal(formatDuration(-2_000_000_000), '-2s');
});

test('garbage bodies are refused with a ProtobufDecodeError', () => {
  rejects(() => decodeProtobufObject(Buffer.from('{"kind":"ConfigMap"}')), 'NotProtobuf');
  rejects(() => decodeProtobufObject(Buffer.from('k8s')), 'NotProtobuf');
  const good = body('deployment');
  rejects(() => decodeProtobufObject(good.subarray(0, good.length - 7)), 'Malformed');
  rejects(
    () => decodeProtobufObject(Buffer.concat([good.subarray(0, 4), Buffer.from([0xff, 0xff, 0xff])])),
    'Malformed',
  );
  rejects(() => decodeProtobufObject(Buffer.from('k8s\0', 'latin1')), 'Malformed', /no apiVersion and kind/);
  // The envelope parses but the object inside is cut short.
  const env = readProtobufEnvelope(good);
  rejects(
    () => decodeProtobufObject(envelope('apps/v1', 'Deployment', env.raw.subarray(0, 40))),
    'Malformed',
  );
  // A string field sent with a varint wire type.
  rejects(
    () => decodeProtobufObject(envelope('v1', 'Namespace', Buffer.from([0x0a, 0x02, 0x08, 0x01]))),
    'Malformed',
  );
});

test('unknown kinds, encodings and fields are refused as unsupported', () => {
  rejects(
    () => decodeProtobufObject(envelope('example.com/v1', 'Widget', new Uint8Array(0))),
    'UnsupportedKind',
    /Widget \(example\.com\/v1\)/,
  );
  rejects(() => decodeProtobufObject(envelope('apps/v1', 'ConfigMap', new Uint8Array(0))), 'UnsupportedKind');
  const raw = readProtobufEnvelope(body('namespace')).raw;
  rejects(
    () => decodeProtobufObject(envelope('v1', 'Namespace', raw, { contentEncoding: 'gzip' })),
    'UnsupportedKind',
  );
  rejects(
    () => decodeProtobufObject(envelope('v1', 'Namespace', raw, { contentType: 'application/json' })),
    'UnsupportedKind',
  );
  // A field number the schema does not have, deep inside: a glusterfs volume (VolumeSource 9).
  const pod = encode('k8s.io.api.core.v1.Pod', { spec: { containers: [{ name: 'c' }] } });
  const volume = Buffer.from([0x0a, 0x01, 0x76, 0x12, 0x02, 0x4a, 0x00]); // name "v", volumeSource { 9: {} }
  const withVolume = Buffer.concat([
    pod,
    Buffer.from([0x12, volume.length + 2, 0x0a, volume.length]),
    volume,
  ]);
  rejects(
    () => decodeProtobufObject(envelope('v1', 'Pod', withVolume)),
    'UnsupportedField',
    /field number 9 of k8s\.io\.api\.core\.v1\.VolumeSource at spec\.volumes\[0\]/,
  );
});

test('supportedProtobufKinds lists what kubectl create and auth can-i send', () => {
  const kinds = supportedProtobufKinds();
  for (const k of ['v1 ConfigMap', 'apps/v1 Deployment', 'authorization.k8s.io/v1 SelfSubjectAccessReview']) {
    assert.ok(kinds.includes(k), k);
  }
});
