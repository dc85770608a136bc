/**
 * Discovery entries of metrics.k8s.io/v1beta1, as metrics-server registers them: `nodes`
 * (NodeMetrics, cluster-scoped) and `pods` (PodMetrics, namespaced), get and list only.
 */
export const metricsGroup = 'metrics.k8s.io';
export const metricsVersion = 'v1beta1';
export const metricsGroupVersion = `${metricsGroup}/${metricsVersion}`;

const resources = [
  { name: 'nodes', kind: 'NodeMetrics', namespaced: false },
  { name: 'pods', kind: 'PodMetrics', namespaced: true },
] as const;

const verbs = ['get', 'list'];

/** The group's entry in `/apis` (APIGroupList.groups) and, with kind/apiVersion, `/apis/metrics.k8s.io`. */
export function metricsApiGroup() {
  const v = { groupVersion: metricsGroupVersion, version: metricsVersion };
  return { name: metricsGroup, versions: [v], preferredVersion: v };
}

export function metricsApiGroupDoc() {
  return { kind: 'APIGroup', apiVersion: 'v1', ...metricsApiGroup() };
}

/** `/apis/metrics.k8s.io/v1beta1`. */
export function metricsApiResourceList() {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: metricsGroupVersion,
    resources: resources.map((r) => ({
      name: r.name,
      singularName: '',
      namespaced: r.namespaced,
      kind: r.kind,
      verbs,
    })),
  };
}

/** The group's item in aggregated discovery of `/apis` (APIGroupDiscoveryList.items), v2 and v2beta1 alike. */
export function metricsAggregatedGroup() {
  return {
    metadata: { name: metricsGroup },
    versions: [
      {
        version: metricsVersion,
        resources: resources.map((r) => ({
          resource: r.name,
          responseKind: { group: metricsGroup, version: metricsVersion, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.kind === 'NodeMetrics' ? 'nodemetrics' : 'podmetrics',
          verbs,
        })),
        freshness: 'Current',
      },
    ],
  };
}
