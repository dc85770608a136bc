import type { Logger } from 'pino';
import type { Registry } from '../registry/registry.ts';
import { Scheduler } from '../scheduler/index.ts';
import { CRDController } from './crd/controller.ts';
import { CronJobController } from './cronjob/controller.ts';
import { DaemonSetController } from './daemonset/controller.ts';
import { DeploymentController } from './deployment/controller.ts';
import { DisruptionController } from './disruption/controller.ts';
import { EndpointsController } from './endpoints/controller.ts';
import { EndpointSliceController } from './endpointslice/controller.ts';
import { EndpointSliceMirroringController } from './endpointslice/mirroring.ts';
import { EventTtlController } from './event-ttl/controller.ts';
import { GarbageCollector } from './gc/controller.ts';
import { JobController } from './job/controller.ts';
import { NamespaceController } from './namespace/controller.ts';
import { NamespaceDefaultsController } from './namespace-defaults/controller.ts';
import { NodeIpamController } from './node-ipam/controller.ts';
import { NodeLifecycleController } from './node-lifecycle/controller.ts';
import { TaintEvictionController } from './node-lifecycle/taint-eviction.ts';
import { PodGCController } from './podgc/controller.ts';
import { ReplicaSetController } from './replicaset/controller.ts';
import { ServiceLbController } from './servicelb/controller.ts';
import { StatefulSetController } from './statefulset/controller.ts';
import { TtlAfterFinishedController } from './ttl/controller.ts';

export interface Controller {
  start(): Promise<void>;
  stop(): void;
}

/** Every controller the server runs, started together once the API is ready. */
export async function startControllers(
  registry: Registry,
  caPem: string,
  log: Logger,
  config: { readonly clusterCidr?: string } = {},
): Promise<Controller[]> {
  const controllers: Controller[] = [
    new NamespaceController(registry, log),
    new NamespaceDefaultsController(registry, caPem, log),
    new EventTtlController(registry, log),
    new Scheduler(registry, log),
    new CRDController(registry, log),
    new ReplicaSetController(registry, log),
    new DeploymentController(registry, log),
    new StatefulSetController(registry, log),
    new DaemonSetController(registry, log),
    new DisruptionController(registry, log),
    new EndpointsController(registry, log),
    new EndpointSliceController(registry, log),
    new EndpointSliceMirroringController(registry, log),
    new GarbageCollector(registry, log),
    new PodGCController(registry, log),
    new TtlAfterFinishedController(registry, log),
    new JobController(registry, log),
    new CronJobController(registry, log),
    new NodeLifecycleController(registry, log),
    new TaintEvictionController(registry, log),
    new NodeIpamController(registry, log, { clusterCidr: config.clusterCidr }),
    new ServiceLbController(registry, log),
    // Admission's per-create reads (Namespace, PriorityClasses) from the shared informers.
    { start: () => registry.startAdmissionCaches(), stop: () => registry.stopAdmissionCaches() },
  ];
  await Promise.all(controllers.map((c) => c.start()));
  return controllers;
}
