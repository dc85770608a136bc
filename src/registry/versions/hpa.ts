import { isObject, type KubeObject } from '../../api/object.ts';

/** Where autoscaling/v1 keeps the v2 metrics it cannot express (as upstream does). */
const metricsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics';

type Metric = {
  type?: string;
  resource?: { name?: string; target?: { type?: string; averageUtilization?: number } };
};

const isCpuUtilization = (m: Metric) =>
  m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization';

/** A stored autoscaling/v2 HPA as autoscaling/v1 serves it: the CPU target, the rest annotated. */
export function hpaV2ToV1(h: KubeObject): KubeObject {
  const spec = isObject(h.spec) ? h.spec : {};
  const status = isObject(h.status) ? h.status : undefined;
  const metrics = (Array.isArray(spec.metrics) ? spec.metrics : []) as Metric[];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => !isCpuUtilization(m));
  const annotations = { ...h.metadata.annotations };
  if (others.length > 0) annotations[metricsAnnotation] = JSON.stringify(others);
  const current = ((status?.currentMetrics as Metric[] | undefined) ?? []).find(
    (m) => m.type === 'Resource' && m.resource?.name === 'cpu',
  ) as { resource?: { current?: { averageUtilization?: number } } } | undefined;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { ...h.metadata, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      ...(cpu?.resource?.target?.averageUtilization !== undefined
        ? { targetCPUUtilizationPercentage: cpu.resource.target.averageUtilization }
        : {}),
    },
    ...(status
      ? {
          status: {
            ...(status.observedGeneration !== undefined
              ? { observedGeneration: status.observedGeneration }
              : {}),
            ...(status.lastScaleTime !== undefined ? { lastScaleTime: status.lastScaleTime } : {}),
            currentReplicas: status.currentReplicas ?? 0,
            desiredReplicas: status.desiredReplicas ?? 0,
            ...(current?.resource?.current?.averageUtilization !== undefined
              ? { currentCPUUtilizationPercentage: current.resource.current.averageUtilization }
              : {}),
          },
        }
      : {}),
  };
}

/** An autoscaling/v1 HPA as v2 stores it. */
export function hpaV1ToV2(h: KubeObject): KubeObject {
  const spec = isObject(h.spec) ? h.spec : {};
  const annotations = { ...h.metadata.annotations };
  let others: Metric[] = [];
  try {
    others = annotations[metricsAnnotation] ? (JSON.parse(annotations[metricsAnnotation]) as Metric[]) : [];
  } catch {
    others = [];
  }
  delete annotations[metricsAnnotation];
  const target = spec.targetCPUUtilizationPercentage;
  const metrics: Metric[] = [
    ...(typeof target === 'number'
      ? [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } },
          },
        ]
      : []),
    ...others,
  ];
  const { annotations: _a, ...meta } = h.metadata;
  const status = isObject(h.status) ? h.status : undefined;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { ...meta, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      ...(metrics.length ? { metrics } : {}),
    },
    ...(status
      ? {
          status: {
            ...(status.observedGeneration !== undefined
              ? { observedGeneration: status.observedGeneration }
              : {}),
            ...(status.lastScaleTime !== undefined ? { lastScaleTime: status.lastScaleTime } : {}),
            currentReplicas: status.currentReplicas ?? 0,
            desiredReplicas: status.desiredReplicas ?? 0,
            ...(typeof status.currentCPUUtilizationPercentage === 'number'
              ? {
                  currentMetrics: [
                    {
                      type: 'Resource',
                      resource: {
                        name: 'cpu',
                        current: { averageUtilization: status.currentCPUUtilizationPercentage },
                      },
                    },
                  ],
                }
              : {}),
          },
        }
      : {}),
  };
}
