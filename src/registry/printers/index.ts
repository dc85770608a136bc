/**
 * The server-side table printers, keyed by `<group>/<plural>` ('' for the core group). Resources
 * without an entry use `defaultTable`, as upstream's apiserver does.
 */
import type { TableColumns } from '../table.ts';
import { table as clusterrolebindings } from './clusterrolebindings.ts';
import { table as clusterroles } from './clusterroles.ts';
import { table as configmaps } from './configmaps.ts';
import { table as controllerrevisions } from './controllerrevisions.ts';
import { table as cronjobs } from './cronjobs.ts';
import { table as customresourcedefinitions } from './customresourcedefinitions.ts';
import { table as daemonsets } from './daemonsets.ts';
import { defaultTable } from './default.ts';
import { table as deployments } from './deployments.ts';
import { table as endpoints } from './endpoints.ts';
import { table as endpointslices } from './endpointslices.ts';
import { table as events } from './events.ts';
import { table as horizontalpodautoscalers } from './horizontalpodautoscalers.ts';
import { table as ingressclasses } from './ingressclasses.ts';
import { table as ingresses } from './ingresses.ts';
import { table as jobs } from './jobs.ts';
import { table as leases } from './leases.ts';
import { table as limitranges } from './limitranges.ts';
import { table as namespaces } from './namespaces.ts';
import { table as networkpolicies } from './networkpolicies.ts';
import { table as nodes } from './nodes.ts';
import { table as persistentvolumeclaims } from './persistentvolumeclaims.ts';
import { table as persistentvolumes } from './persistentvolumes.ts';
import { table as poddisruptionbudgets } from './poddisruptionbudgets.ts';
import { table as pods } from './pods.ts';
import { table as priorityclasses } from './priorityclasses.ts';
import { table as replicasets } from './replicasets.ts';
import { table as resourcequotas } from './resourcequotas.ts';
import { table as rolebindings } from './rolebindings.ts';
import { table as roles } from './roles.ts';
import { table as secrets } from './secrets.ts';
import { table as serviceaccounts } from './serviceaccounts.ts';
import { table as services } from './services.ts';
import { table as statefulsets } from './statefulsets.ts';
import { table as storageclasses } from './storageclasses.ts';

export { defaultTable };

const RBAC = 'rbac.authorization.k8s.io';

export const printers: Record<string, TableColumns> = {
  '/pods': pods,
  '/namespaces': namespaces,
  '/nodes': nodes,
  '/services': services,
  '/endpoints': endpoints,
  '/configmaps': configmaps,
  '/secrets': secrets,
  '/serviceaccounts': serviceaccounts,
  '/events': events,
  '/persistentvolumes': persistentvolumes,
  '/persistentvolumeclaims': persistentvolumeclaims,
  '/limitranges': limitranges,
  '/resourcequotas': resourcequotas,
  'apps/deployments': deployments,
  'apps/replicasets': replicasets,
  'apps/statefulsets': statefulsets,
  'apps/daemonsets': daemonsets,
  'apps/controllerrevisions': controllerrevisions,
  'batch/jobs': jobs,
  'batch/cronjobs': cronjobs,
  'coordination.k8s.io/leases': leases,
  'discovery.k8s.io/endpointslices': endpointslices,
  'networking.k8s.io/ingresses': ingresses,
  'networking.k8s.io/ingressclasses': ingressclasses,
  'networking.k8s.io/networkpolicies': networkpolicies,
  'storage.k8s.io/storageclasses': storageclasses,
  'policy/poddisruptionbudgets': poddisruptionbudgets,
  'autoscaling/horizontalpodautoscalers': horizontalpodautoscalers,
  [`${RBAC}/roles`]: roles,
  [`${RBAC}/rolebindings`]: rolebindings,
  [`${RBAC}/clusterroles`]: clusterroles,
  [`${RBAC}/clusterrolebindings`]: clusterrolebindings,
  'scheduling.k8s.io/priorityclasses': priorityclasses,
  'apiextensions.k8s.io/customresourcedefinitions': customresourcedefinitions,
};
