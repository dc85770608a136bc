import type { Logger } from 'pino';
import type { Registry } from '../registry/registry.ts';
import { CRDController } from './crd/controller.ts';
import { EventTtlController } from './event-ttl/controller.ts';
import { NamespaceController } from './namespace/controller.ts';
import { NamespaceDefaultsController } from './namespace-defaults/controller.ts';

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
  ];
  await Promise.all(controllers.map((c) => c.start()));
  return controllers;
}
