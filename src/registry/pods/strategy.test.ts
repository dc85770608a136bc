import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldErrorString } from '../../api/field-errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { openBackend } from '../../storage/index.ts';
import { Registry } from '../registry.ts';
import { defaultPod } from './pod-spec-defaults.ts';
import { validatePodUpdate } from './pod-update-validation.ts';
import { computePodQOS } from './qos.ts';
import { podSelectableFields } from './strategy.ts';

type Spec = Record<string, unknown>;

const container = (name: string, resources: Record<string, unknown> = {}) => ({
  name,
  image: 'nginx',
  resources,
});

function qos(...containers: Record<string, unknown>[]): string {
  const pod: Record<string, unknown> = { metadata: {}, spec: { containers } };
  defaultPod(pod);
  return computePodQOS(pod.spec as Spec);
}

test('QoS classes as upstream computes them', () => {
  const full = { limits: { cpu: '500m', memory: '128Mi' } };
  assert.equal(qos(container('a')), 'BestEffort');
  assert.equal(qos(container('a', full)), 'Guaranteed', 'requests default to limits');
  assert.equal(
    qos(container('a', full), container('b', { limits: { cpu: '1', memory: '1Gi' } })),
    'Guaranteed',
  );
  assert.equal(qos(container('a', full), container('b')), 'Burstable');
  assert.equal(qos(container('a', { requests: { cpu: '100m' } })), 'Burstable');
  assert.equal(qos(container('a', { limits: { cpu: '1' } })), 'Burstable');
  assert.equal(
    qos(container('a', { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } })),
    'Burstable',
  );
  assert.equal(qos(container('a', { requests: { cpu: '0' } })), 'BestEffort', 'zero requests do not count');
  assert.equal(qos(container('a', { limits: { 'example.com/gpu': '1' } })), 'BestEffort');
});

function pod(spec: Spec): KubeObject {
  const p: KubeObject = {
    metadata: { name: 'p' },
    spec,
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
  defaultPod(p);
  return p;
}

const prefix =
  'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n';

test('updates: images, deadlines and new tolerations may change; nothing else', () => {
  const old = pod({ containers: [container('a')], activeDeadlineSeconds: 100 });
  const update = (change: (spec: Spec) => void) => {
    const next = structuredClone(old);
    change(next.spec as Spec);
    return validatePodUpdate(next, old).map(fieldErrorString);
  };
  assert.deepEqual(
    update((s) => {
      (s.containers as Spec[])[0]!.image = 'nginx:1.27';
      s.activeDeadlineSeconds = 50;
      (s.tolerations as unknown[]).push({ key: 'gpu', operator: 'Exists' });
    }),
    [],
  );
  assert.deepEqual(
    update((s) => {
      s.activeDeadlineSeconds = 200;
    }),
    ['spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value'],
  );
  assert.deepEqual(
    update((s) => {
      s.containers = [...(s.containers as Spec[]), container('b')];
    }),
    ['spec.containers: Forbidden: pod updates may not add or remove containers'],
  );
  assert.deepEqual(
    update((s) => {
      s.tolerations = [];
    }),
    ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds'],
  );
  const [restart] = update((s) => {
    s.restartPolicy = 'Never';
  });
  assert.ok(restart?.startsWith(prefix), restart);
  assert.match(restart!, /- \trestartPolicy: "Always",\n\+ \trestartPolicy: "Never",/);
});

test('selectable fields', () => {
  const p = pod({ containers: [container('a')], nodeName: 'n1' });
  p.metadata.namespace = 'default';
  p.status = { phase: 'Running', podIPs: [{ ip: '10.42.0.5' }] };
  assert.deepEqual(podSelectableFields(p), {
    'metadata.name': 'p',
    'metadata.namespace': 'default',
    'spec.nodeName': 'n1',
    'spec.restartPolicy': 'Always',
    'spec.schedulerName': 'default-scheduler',
    'spec.serviceAccountName': '',
    'spec.hostNetwork': 'false',
    'status.phase': 'Running',
    'status.podIP': '10.42.0.5',
    'status.nominatedNodeName': '',
  });
});

async function setup() {
  const registry = new Registry(openBackend('memory:', { compactIntervalMs: 0 }));
  await registry.byResource('', 'namespaces')!.create(undefined, { metadata: { name: 'default' } });
  return registry.byResource('', 'pods')!;
}

const invalid = (check: (messages: string[], message: string) => void) => (e: unknown) => {
  assert.ok(isStatusError(e) && e.code === 422, String(e));
  check(e.details?.causes?.map((c) => `${c.field}: ${c.message}`) ?? [], e.message);
  return true;
};

test('end to end: create defaults and validates through the generic store', async () => {
  const pods = await setup();
  const created = await pods.create('default', {
    metadata: { name: 'web', labels: { run: 'web' } },
    spec: {
      containers: [{ name: 'web', image: 'nginx', resources: { limits: { cpu: '1', memory: '1Gi' } } }],
    },
    status: { phase: 'Running' },
  });
  const spec = created.spec as Spec;
  assert.equal(created.metadata.generation, undefined, 'pods track no generation in 1.32');
  assert.deepEqual(created.status, { phase: 'Pending', qosClass: 'Guaranteed' });
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.serviceAccount, 'default');
  assert.equal(spec.priority, 0);
  assert.equal((spec.tolerations as unknown[]).length, 2);
  assert.deepEqual((spec.containers as Spec[])[0]!.resources, {
    limits: { cpu: '1', memory: '1Gi' },
    requests: { cpu: '1', memory: '1Gi' },
  });

  await assert.rejects(
    pods.create('default', {
      metadata: { name: 'bad' },
      spec: { containers: [], restartPolicy: 'Sometimes' },
    }),
    invalid((causes, message) => {
      assert.deepEqual(causes, [
        'spec.containers: Required value',
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      ]);
      assert.match(message, /^Pod "bad" is invalid: \[spec\.containers: Required value, /);
    }),
  );
  await assert.rejects(
    pods.create('default', {
      metadata: { name: 'prio' },
      spec: { containers: [container('a')], priority: 5 },
    }),
    (e) =>
      isStatusError(e) &&
      e.code === 403 &&
      e.message ===
        'pods "prio" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name',
  );
});

test('end to end: updates and the status subresource', async () => {
  const pods = await setup();
  await pods.create('default', { metadata: { name: 'web' }, spec: { containers: [container('web')] } });
  const change = (f: (o: KubeObject) => void) => (cur: KubeObject | undefined) => {
    const next = structuredClone(cur!);
    f(next);
    return next;
  };
  const updated = await pods.guaranteedUpdate(
    'default',
    'web',
    change((o) => {
      ((o.spec as Spec).containers as Spec[])[0]!.image = 'nginx:1.27';
      o.status = { phase: 'Succeeded' };
    }),
  );
  assert.equal(((updated.object.spec as Spec).containers as Spec[])[0]!.image, 'nginx:1.27');
  assert.equal((updated.object.status as Spec).phase, 'Pending', 'status only changes through /status');

  await assert.rejects(
    pods.guaranteedUpdate(
      'default',
      'web',
      change((o) => {
        (o.spec as Spec).restartPolicy = 'Never';
      }),
    ),
    invalid((causes) => assert.ok(causes[0]?.startsWith(prefix), causes[0])),
  );

  const status = await pods.guaranteedUpdate(
    'default',
    'web',
    change((o) => {
      o.status = { phase: 'Running', podIP: '10.42.0.9', podIPs: [{ ip: '10.42.0.9' }] };
      (o.spec as Spec).nodeName = 'elsewhere';
    }),
    { subresource: 'status' },
  );
  assert.deepEqual(status.object.status, {
    phase: 'Running',
    podIP: '10.42.0.9',
    podIPs: [{ ip: '10.42.0.9' }],
    qosClass: 'BestEffort',
  });
  assert.equal((status.object.spec as Spec).nodeName, undefined, 'the spec stays as it was');
});

test('end to end: ephemeral containers only through their subresource, and only added', async () => {
  const pods = await setup();
  const debug = { name: 'debug', image: 'busybox', targetContainerName: 'web' };
  await assert.rejects(
    pods.create('default', {
      metadata: { name: 'early' },
      spec: { containers: [container('web')], ephemeralContainers: [debug] },
    }),
    invalid((causes) =>
      assert.deepEqual(causes, ['spec.ephemeralContainers: Forbidden: cannot be set on create']),
    ),
  );
  await pods.create('default', { metadata: { name: 'web' }, spec: { containers: [container('web')] } });
  const setEphemeral = (list: unknown[]) => (cur: KubeObject | undefined) => {
    const next = structuredClone(cur!);
    (next.spec as Spec).ephemeralContainers = list;
    (next.spec as Spec).restartPolicy = 'Never'; // ignored: this subresource changes nothing else
    return next;
  };
  const added = await pods.guaranteedUpdate('default', 'web', setEphemeral([debug]), {
    subresource: 'ephemeralcontainers',
  });
  const spec = added.object.spec as Spec;
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal((spec.ephemeralContainers as Spec[])[0]!.imagePullPolicy, 'Always');
  await assert.rejects(
    pods.guaranteedUpdate('default', 'web', setEphemeral([]), { subresource: 'ephemeralcontainers' }),
    invalid((causes) =>
      assert.deepEqual(causes, [
        'spec.ephemeralContainers: Forbidden: existing ephemeral containers "debug" may not be removed\n',
      ]),
    ),
  );
  await assert.rejects(
    pods.guaranteedUpdate(
      'default',
      'web',
      setEphemeral([debug, { name: 'two', image: 'busybox', ports: [{ containerPort: 80 }] }]),
      { subresource: 'ephemeralcontainers' },
    ),
    invalid((causes) =>
      assert.deepEqual(causes, [
        'spec.ephemeralContainers[1].ports: Forbidden: cannot be set for an Ephemeral Container',
      ]),
    ),
  );
});
