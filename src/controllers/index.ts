import type { Logger } from 'pino';
import type { Registry } from '../registry/registry.ts';
import { Scheduler } from '../scheduler/index.ts';
import { CRDController } from './crd/controller.ts';
import { DeploymentController } from './deployment/controller.ts';
import { EventTtlController } from './event-ttl/controller.ts';
import { NamespaceController } from './namespace/controller.ts';
import { NamespaceDefaultsController } from './namespace-defaults/controller.ts';
import { ReplicaSetController } from './replicaset/controller.ts';

export interface Controller {
  start(): Promise<void>;
  stop(): void;
}

/** Every controller the server runs, started together once the API is ready. */
export async function startControllers(
  registry: Registry,
  caPem: string,
  log: Logger,
): Promise<Controller[]> {
  const controllers: Controller[] = [
    new NamespaceController(registry, log),
    new NamespaceDefaultsController(registry, caPem, log),
    new EventTtlController(registry, log),
    new CRDController(registry, log),
    new Scheduler(registry, log),
    new ReplicaSetController(registry, log),
    new DeploymentController(registry, log),
  ];
  await Promise.all(controllers.map((c) => c.start()));
  return controllers;
}
