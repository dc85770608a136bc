import { defineResources, type ResourceInfo } from './resource.ts';

const all = ['all'];
const status = ['status'];

/** Every built-in resource skiff serves, with upstream's names, short names and categories. */
export const builtinResources: ResourceInfo[] = [
  ...defineResources('', 'v1', [
    { kind: 'Namespace', namespaced: false, short: ['ns'], sub: ['status', 'finalize'] },
    {
      kind: 'Pod',
      short: ['po'],
      categories: all,
      sub: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'ephemeralcontainers'],
    },
    { kind: 'Service', short: ['svc'], categories: all, sub: status },
    { kind: 'Endpoints', plural: 'endpoints', short: ['ep'] },
    { kind: 'Binding', verbs: ['create'] },
    { kind: 'ConfigMap', short: ['cm'] },
    { kind: 'Secret' },
    { kind: 'ServiceAccount', short: ['sa'], sub: ['token'] },
    { kind: 'Node', namespaced: false, short: ['no'], sub: status },
    { kind: 'Event', short: ['ev'] },
    { kind: 'PersistentVolume', namespaced: false, short: ['pv'], sub: status },
    { kind: 'PersistentVolumeClaim', short: ['pvc'], sub: status },
    { kind: 'LimitRange', short: ['limits'] },
    { kind: 'ResourceQuota', short: ['quota'], sub: status },
  ]),
  ...defineResources('apps', 'v1', [
    { kind: 'Deployment', short: ['deploy'], categories: all, sub: ['status', 'scale'] },
    { kind: 'ReplicaSet', short: ['rs'], categories: all, sub: ['status', 'scale'] },
    { kind: 'StatefulSet', short: ['sts'], categories: all, sub: ['status', 'scale'] },
    { kind: 'DaemonSet', short: ['ds'], categories: all, sub: status },
    { kind: 'ControllerRevision' },
  ]),
  ...defineResources('batch', 'v1', [
    { kind: 'Job', categories: all, sub: status },
    { kind: 'CronJob', short: ['cj'], categories: all, sub: status },
  ]),
  ...defineResources('coordination.k8s.io', 'v1', [{ kind: 'Lease' }]),
  ...defineResources('discovery.k8s.io', 'v1', [{ kind: 'EndpointSlice' }]),
  ...defineResources('networking.k8s.io', 'v1', [
    { kind: 'Ingress', plural: 'ingresses', short: ['ing'], sub: status },
    { kind: 'IngressClass', plural: 'ingressclasses', namespaced: false },
    { kind: 'NetworkPolicy', plural: 'networkpolicies', short: ['netpol'] },
  ]),
  ...defineResources('storage.k8s.io', 'v1', [
    { kind: 'StorageClass', plural: 'storageclasses', namespaced: false, short: ['sc'] },
  ]),
  ...defineResources('policy', 'v1', [{ kind: 'PodDisruptionBudget', short: ['pdb'], sub: status }]),
  ...defineResources('autoscaling', 'v2', [
    { kind: 'HorizontalPodAutoscaler', short: ['hpa'], categories: all, sub: status },
  ]),
  ...defineResources('rbac.authorization.k8s.io', 'v1', [
    { kind: 'Role' },
    { kind: 'RoleBinding' },
    { kind: 'ClusterRole', namespaced: false },
    { kind: 'ClusterRoleBinding', namespaced: false },
  ]),
  ...defineResources('scheduling.k8s.io', 'v1', [
    { kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false, short: ['pc'] },
  ]),
  ...defineResources('authorization.k8s.io', 'v1', [
    { kind: 'SelfSubjectAccessReview', namespaced: false, verbs: ['create'] },
    { kind: 'SelfSubjectRulesReview', namespaced: false, verbs: ['create'] },
  ]),
  ...defineResources('apiextensions.k8s.io', 'v1', [
    { kind: 'CustomResourceDefinition', namespaced: false, short: ['crd', 'crds'], sub: status },
  ]),
];
