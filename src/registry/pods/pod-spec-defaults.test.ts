import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPod, defaultPodSpec, defaultPodTemplate, imageTag } from './pod-spec-defaults.ts';

const notReady = {
  key: 'node.kubernetes.io/not-ready',
  operator: 'Exists',
  effect: 'NoExecute',
  tolerationSeconds: 300,
};
const unreachable = { ...notReady, key: 'node.kubernetes.io/unreachable' };

test('a pod as `kubectl run x --image=busybox` sends it gets the spec upstream returns', () => {
  // What kubectl 1.32 posts (the ServiceAccount admission's name is the strategy's; see strategy tests).
  const pod: Record<string, unknown> = {
    metadata: { name: 'x', labels: { run: 'x' } },
    spec: {
      containers: [{ name: 'x', image: 'busybox', resources: {} }],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
    },
  };
  defaultPod(pod);
  assert.deepEqual(pod.spec, {
    containers: [
      {
        name: 'x',
        image: 'busybox',
        imagePullPolicy: 'Always',
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      },
    ],
    dnsPolicy: 'ClusterFirst',
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
    priority: 0,
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    tolerations: [notReady, unreachable],
  });
  const again = structuredClone(pod);
  defaultPod(again);
  assert.deepEqual(again, pod, 'defaulting is idempotent');
});

test('image pull policy follows the tag', () => {
  const policy = (image: string) => {
    const spec: Record<string, unknown> = { containers: [{ name: 'c', image }] };
    defaultPodSpec(spec);
    return (spec.containers as { imagePullPolicy: string }[])[0]!.imagePullPolicy;
  };
  assert.equal(policy('nginx'), 'Always');
  assert.equal(policy('nginx:latest'), 'Always');
  assert.equal(policy('nginx:1.27'), 'IfNotPresent');
  assert.equal(policy('localhost:5000/app'), 'Always');
  assert.equal(policy('localhost:5000/app:v2'), 'IfNotPresent');
  assert.equal(policy('nginx@sha256:abcd'), 'IfNotPresent');
  assert.equal(policy(''), 'IfNotPresent');
  assert.equal(imageTag('Nginx'), '');
});

test('containers: ports, env, probes, hooks, resources', () => {
  const spec: Record<string, unknown> = {
    containers: [
      {
        name: 'c',
        image: 'app:1',
        ports: [{ containerPort: 80 }],
        env: [
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
        ],
        livenessProbe: { httpGet: { port: 8080 } },
        readinessProbe: { grpc: { port: 9000 }, periodSeconds: 5 },
        lifecycle: { preStop: { httpGet: { port: 80, path: '/stop' } } },
        resources: { limits: { cpu: '0.5', memory: '1024Mi' }, requests: { cpu: '100u' } },
      },
    ],
  };
  defaultPodSpec(spec);
  const [c] = spec.containers as Record<string, unknown>[];
  assert.deepEqual(c!.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.deepEqual(c!.env, [
    { name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
    { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '0' } } },
  ]);
  assert.deepEqual(c!.livenessProbe, {
    httpGet: { port: 8080, path: '/', scheme: 'HTTP' },
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  });
  assert.deepEqual(c!.readinessProbe, {
    grpc: { port: 9000, service: '' },
    periodSeconds: 5,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
  });
  assert.deepEqual(c!.lifecycle, { preStop: { httpGet: { port: 80, path: '/stop', scheme: 'HTTP' } } });
  // Canonical quantities, rounded up to milli-units; a template gets no requests from limits.
  assert.deepEqual(c!.resources, { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '1m' } });
});

test('volumes: modes, emptyDir, hostPath type, projected token expiry', () => {
  const spec: Record<string, unknown> = {
    containers: [{ name: 'c', image: 'x' }],
    volumes: [
      { name: 'scratch' },
      { name: 'cfg', configMap: { name: 'cfg' } },
      { name: 'sec', secret: { secretName: 's', defaultMode: 256 } },
      { name: 'host', hostPath: { path: '/var/log' } },
      { name: 'tok', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
      {
        name: 'info',
        downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] },
      },
    ],
  };
  defaultPodSpec(spec);
  assert.deepEqual(spec.volumes, [
    { name: 'scratch', emptyDir: {} },
    { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } },
    { name: 'sec', secret: { secretName: 's', defaultMode: 256 } },
    { name: 'host', hostPath: { path: '/var/log', type: '' } },
    {
      name: 'tok',
      projected: {
        defaultMode: 420,
        sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }],
      },
    },
    {
      name: 'info',
      downwardAPI: {
        defaultMode: 420,
        items: [{ path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } }],
      },
    },
  ]);
});

test('pod-only defaults: requests from limits, host ports with hostNetwork, existing tolerations', () => {
  const pod: Record<string, unknown> = {
    metadata: {},
    spec: {
      hostNetwork: true,
      containers: [
        {
          name: 'c',
          image: 'x',
          ports: [{ containerPort: 53, protocol: 'UDP' }],
          resources: { limits: { cpu: '1', memory: '64Mi' }, requests: { cpu: '500m' } },
        },
      ],
      tolerations: [{ operator: 'Exists' }],
      serviceAccount: 'builder',
    },
  };
  defaultPod(pod);
  const spec = pod.spec as Record<string, unknown>;
  const [c] = spec.containers as Record<string, unknown>[];
  assert.deepEqual(c!.resources, {
    limits: { cpu: '1', memory: '64Mi' },
    requests: { cpu: '500m', memory: '64Mi' },
  });
  assert.deepEqual(c!.ports, [{ containerPort: 53, protocol: 'UDP', hostPort: 53 }]);
  assert.deepEqual(spec.tolerations, [{ operator: 'Exists' }], 'a match-all toleration already covers both');
  assert.equal(spec.serviceAccountName, 'builder', 'serviceAccount is the deprecated alias');
});

test('templates: no pod-only defaults, metadata as upstream prints it', () => {
  const template: Record<string, unknown> = {
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { limits: { cpu: '1' } } }] },
  };
  defaultPodTemplate(template);
  assert.deepEqual(template.metadata, { labels: { app: 'web' }, creationTimestamp: null });
  const spec = template.spec as Record<string, unknown>;
  assert.equal(spec.enableServiceLinks, undefined);
  assert.equal(spec.tolerations, undefined);
  assert.equal(spec.priority, undefined);
  assert.deepEqual((spec.containers as Record<string, unknown>[])[0]!.resources, { limits: { cpu: '1' } });
  defaultPodTemplate(undefined);
});
