import type { ResourceInfo } from '../resource.ts';
import type { Strategy } from '../strategy.ts';
import { configMapStrategy } from './configmaps/strategy.ts';
import { cronJobStrategy } from './cronjobs/strategy.ts';
import { daemonSetStrategy } from './daemonsets/strategy.ts';
import { deploymentStrategy } from './deployments/strategy.ts';
import { endpointsStrategy } from './endpoints/strategy.ts';
import { endpointSliceStrategy } from './endpointslices/strategy.ts';
import { horizontalPodAutoscalerStrategy } from './horizontalpodautoscalers/strategy.ts';
import { ingressStrategy } from './ingresses/strategy.ts';
import { jobStrategy } from './jobs/strategy.ts';
import { leaseStrategy } from './leases/strategy.ts';
import { limitRangeStrategy } from './limitranges/strategy.ts';
import { networkPolicyStrategy } from './networkpolicies/strategy.ts';
import { persistentVolumeClaimStrategy } from './persistentvolumeclaims/strategy.ts';
import { persistentVolumeStrategy } from './persistentvolumes/strategy.ts';
import { podDisruptionBudgetStrategy } from './poddisruptionbudgets/strategy.ts';
import { priorityClassStrategy } from './priorityclasses/strategy.ts';
import { bindingStrategy, clusterRoleStrategy, roleStrategy } from './rbac/strategy.ts';
import { replicaSetStrategy } from './replicasets/strategy.ts';
import { resourceQuotaStrategy } from './resourcequotas/strategy.ts';
import { secretStrategy } from './secrets/strategy.ts';
import { serviceStrategy } from './services/strategy.ts';
import { statefulSetStrategy } from './statefulsets/strategy.ts';
import { storageClassStrategy } from './storageclasses/strategy.ts';

export { dns1035Label } from './shared/formats.ts';

const rbac = 'rbac.authorization.k8s.io';

/** Strategies for workload and configuration kinds, keyed `<group>/<plural>`. */
export const workloadStrategies: Record<string, (info: ResourceInfo) => Strategy> = {
  'apps/deployments': deploymentStrategy,
  'apps/replicasets': replicaSetStrategy,
  'apps/statefulsets': statefulSetStrategy,
  'apps/daemonsets': daemonSetStrategy,
  'batch/jobs': jobStrategy,
  'batch/cronjobs': cronJobStrategy,
  '/services': serviceStrategy,
  '/endpoints': endpointsStrategy,
  '/configmaps': configMapStrategy,
  '/secrets': secretStrategy,
  '/persistentvolumeclaims': persistentVolumeClaimStrategy,
  '/persistentvolumes': persistentVolumeStrategy,
  '/limitranges': limitRangeStrategy,
  '/resourcequotas': resourceQuotaStrategy,
  'discovery.k8s.io/endpointslices': endpointSliceStrategy,
  'coordination.k8s.io/leases': leaseStrategy,
  'policy/poddisruptionbudgets': podDisruptionBudgetStrategy,
  'autoscaling/horizontalpodautoscalers': horizontalPodAutoscalerStrategy,
  'networking.k8s.io/ingresses': ingressStrategy,
  'networking.k8s.io/networkpolicies': networkPolicyStrategy,
  'storage.k8s.io/storageclasses': storageClassStrategy,
  'scheduling.k8s.io/priorityclasses': priorityClassStrategy,
  [`${rbac}/roles`]: roleStrategy,
  [`${rbac}/clusterroles`]: clusterRoleStrategy,
  [`${rbac}/rolebindings`]: bindingStrategy,
  [`${rbac}/clusterrolebindings`]: bindingStrategy,
};
