import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import type pino from 'pino';
import { Reflector } from '../../sim/reflector.ts';
import { desiredRoutes, type NodeRouteFacts, routeFacts, syncRoutes } from './routes.ts';

/**
 * Watches Nodes and keeps a host-gw route to every other node's podCIDR; a route whose node
 * goes away is deleted. Failures are logged and retried on the next change or resync.
 */
export class HostGwRouter {
  private readonly nodes = new Map<string, NodeRouteFacts>();
  private readonly reflector: Reflector<V1Node>;
  private readonly self: string;
  private readonly log: pino.Logger;
  private timer: NodeJS.Timeout | undefined;
  private resync: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private lastErrors = '';

  constructor(kc: KubeConfig, self: string, log: pino.Logger) {
    this.self = self;
    this.log = log;
    const core = kc.makeApiClient(CoreV1Api);
    this.reflector = new Reflector<V1Node>({
      kc,
      path: '/api/v1/nodes',
      list: () => core.listNode(),
      filter: () => true,
      upsert: (n) => {
        const facts = routeFacts(n);
        this.nodes.set(facts.name, facts);
        this.schedule();
      },
      remove: (key) => {
        this.nodes.delete(key.split('/').pop() ?? key);
        this.schedule();
      },
      log,
    });
  }

  async start(): Promise<void> {
    await this.reflector.start();
    await this.sync();
    this.resync = setInterval(() => this.schedule(), 30_000);
    this.resync.unref();
  }

  stop(): void {
    this.reflector.stop();
    clearTimeout(this.timer);
    clearInterval(this.resync);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.sync(), 20);
    this.timer.unref();
  }

  /** One pass; passes never overlap. */
  sync(): Promise<void> {
    this.running = this.running.then(async () => {
      const desired = desiredRoutes(this.nodes.values(), this.self);
      try {
        const errors = await syncRoutes(desired);
        const text = errors.join('; ');
        if (text && text !== this.lastErrors) this.log.warn({ errors }, 'host-gw routes not all applied');
        this.lastErrors = text;
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'host-gw route sync failed');
      }
    });
    return this.running;
  }
}
