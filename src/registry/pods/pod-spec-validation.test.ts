import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldErrorString } from '../../api/field-errors.ts';
import { defaultPod } from './pod-spec-defaults.ts';
import { validatePodOnly, validatePodSpec, validatePodTemplate } from './pod-spec-validation.ts';

type Spec = Record<string, unknown>;

/** A Pod's validation messages after defaulting, as a 422's causes would read. */
function podErrors(spec: Spec, annotations?: Record<string, string>): string[] {
  const pod: Record<string, unknown> = { metadata: {}, spec: structuredClone(spec) };
  defaultPod(pod);
  const s = pod.spec as Spec;
  return [...validatePodOnly(s, annotations), ...validatePodSpec(s, 'spec', { resourceIsPod: true })].map(
    fieldErrorString,
  );
}

const c = (extra: Record<string, unknown> = {}) => ({ name: 'app', image: 'nginx:1.27', ...extra });

const labelRule =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const nameRule =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const cases: [string, Spec, string[]][] = [
  ['a valid pod', { containers: [c()] }, []],
  ['no containers', { containers: [] }, ['spec.containers: Required value']],
  [
    'container names unique across init and regular containers',
    { containers: [c()], initContainers: [c()] },
    ['spec.initContainers[0].name: Duplicate value: "app"'],
  ],
  [
    'container names are DNS labels',
    { containers: [c({ name: 'Web_1' })] },
    [`spec.containers[0].name: Invalid value: "Web_1": ${labelRule}`],
  ],
  ['image is required', { containers: [{ name: 'app' }] }, ['spec.containers[0].image: Required value']],
  [
    'image without surrounding spaces',
    { containers: [c({ image: ' nginx' })] },
    ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace'],
  ],
  [
    'ports',
    {
      containers: [
        c({
          ports: [
            { name: 'http', containerPort: 70000 },
            { name: 'http', containerPort: 81, protocol: 'HTTP' },
            { name: 'Metrics', containerPort: 82 },
          ],
        }),
      ],
    },
    [
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].name: Duplicate value: "http"',
      'spec.containers[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[0].ports[2].name: Invalid value: "Metrics": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ],
  ],
  [
    'env names and sources',
    {
      containers: [
        c({
          env: [
            { name: 'A=B', value: '1' },
            { name: 'X', value: 'v', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
            { name: 'Y', valueFrom: {} },
          ],
        }),
      ],
    },
    [
      `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
      'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
      'spec.containers[0].env[2].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
    ],
  ],
  [
    'requests above limits',
    { containers: [c({ resources: { limits: { cpu: '100m' }, requests: { cpu: '200m' } } })] },
    [
      'spec.containers[0].resources.requests: Invalid value: "200m": must be less than or equal to cpu limit of 100m',
    ],
  ],
  [
    'resource names and quantities',
    { containers: [c({ resources: { limits: { gpu: '1', memory: '-1Gi', cpu: 'lots' } } })] },
    [
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      'spec.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
      `spec.containers[0].resources.limits[cpu]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
      // A Pod's requests default to its limits, so they fail too.
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      'spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
      `spec.containers[0].resources.requests[cpu]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ],
  ],
  [
    'volume mounts need a volume',
    { containers: [c({ volumeMounts: [{ name: 'x', mountPath: '/data' }] })] },
    ['spec.containers[0].volumeMounts[0].name: Not found: "x"'],
  ],
  [
    'volumes: names and exactly one source',
    {
      containers: [c()],
      volumes: [
        { name: 'a', emptyDir: {}, configMap: { name: 'cfg' } },
        { name: 'b', emptyDir: {} },
        { name: 'b', emptyDir: {} },
        { name: 'Bad', secret: {} },
      ],
    },
    [
      'spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type',
      'spec.volumes[2].name: Duplicate value: "b"',
      'spec.volumes[3].secret.secretName: Required value',
      `spec.volumes[3].name: Invalid value: "Bad": ${labelRule}`,
    ],
  ],
  [
    'restart policy',
    { containers: [c()], restartPolicy: 'Sometimes' },
    ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
  ],
  [
    'DNS policy',
    { containers: [c()], dnsPolicy: 'Custom' },
    [
      'spec.dnsPolicy: Unsupported value: "Custom": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ],
  ],
  [
    'probes: exactly one handler; liveness succeeds once',
    {
      containers: [
        c({
          livenessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 }, successThreshold: 2 },
          readinessProbe: { initialDelaySeconds: -1 },
        }),
      ],
    },
    [
      'spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      'spec.containers[0].readinessProbe: Required value: must specify a handler type',
      'spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0',
    ],
  ],
  [
    'init containers without restartPolicy=Always have no probes',
    {
      containers: [c()],
      initContainers: [{ name: 'init', image: 'busybox', readinessProbe: { exec: { command: ['x'] } } }],
    },
    [
      'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
    ],
  ],
  [
    'deadlines and node selector',
    { containers: [c()], activeDeadlineSeconds: 0, nodeSelector: { '-bad': 'x' } },
    [
      `spec.nodeSelector: Invalid value: "-bad": ${nameRule}`,
      'spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive',
    ],
  ],
  [
    'tolerations',
    {
      containers: [c()],
      tolerations: [
        { key: 'k', operator: 'In', effect: 'NoSchedule' },
        { key: 'k', operator: 'Exists', effect: 'Sometimes' },
        { operator: 'Equal', value: 'v' },
        { key: 'k', operator: 'Exists', tolerationSeconds: 5, effect: 'NoSchedule' },
      ],
    },
    [
      'spec.tolerations[0].operator: Unsupported value: "In": supported values: "Equal", "Exists"',
      'spec.tolerations[1].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      'spec.tolerations[2].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      'spec.tolerations[3].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set',
    ],
  ],
  [
    'host network: hostPort equals containerPort',
    { hostNetwork: true, containers: [c({ ports: [{ containerPort: 80, hostPort: 8080 }] })] },
    [
      'spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true',
    ],
  ],
  [
    'host ports do not collide',
    {
      containers: [
        c({ ports: [{ containerPort: 80, hostPort: 80 }] }),
        c({ name: 'b', ports: [{ containerPort: 81, hostPort: 80 }] }),
      ],
    },
    ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//80"'],
  ],
];

for (const [name, spec, want] of cases) {
  test(`validation: ${name}`, () => {
    assert.deepEqual(podErrors(spec), want);
  });
}

test('validation: pod deletion cost must be an int32', () => {
  assert.deepEqual(podErrors({ containers: [c()] }, { 'controller.kubernetes.io/pod-deletion-cost': 'x' }), [
    'metadata.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "x": must be a 32bit integer',
  ]);
});

test('templates: labels, spec under the template path, host ports may stay 0', () => {
  const template = {
    metadata: { labels: { app: 'web app' } },
    spec: {
      hostNetwork: true,
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name: 'web',
          image: 'nginx',
          imagePullPolicy: 'Always',
          terminationMessagePolicy: 'File',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
        },
      ],
    },
  };
  assert.deepEqual(validatePodTemplate(template, 'spec.template').map(fieldErrorString), [
    `spec.template.labels: Invalid value: "web app": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
  ]);
  assert.deepEqual(validatePodTemplate(undefined, 'spec.template').map(fieldErrorString), [
    'spec.template.spec.containers: Required value',
  ]);
  assert.deepEqual(validatePodSpec({}, 'spec.template.spec').map(fieldErrorString), [
    'spec.template.spec.terminationGracePeriodSeconds: Required value',
    'spec.template.spec.containers: Required value',
    'spec.template.spec.restartPolicy: Required value',
    'spec.template.spec.dnsPolicy: Required value',
  ]);
});
