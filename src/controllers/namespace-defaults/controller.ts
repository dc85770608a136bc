import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import { type InformerHandle, sharedInformers } from '../../client/shared.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import type { Registry } from '../../registry/registry.ts';
import { runWorkers } from '../run-workers.ts';

const rootCaName = 'kube-root-ca.crt';
const rootCaDescription =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

async function createIfMissing(registry: Registry, plural: string, obj: KubeObject): Promise<void> {
  try {
    await registry.byResource('', plural)!.create(obj.metadata.namespace, obj);
  } catch (e) {
    if (isStatusError(e) && (e.reason === 'AlreadyExists' || e.code === 403 || e.code === 404)) return;
    throw e;
  }
}

/** What every namespace holds: the root CA ConfigMap and the `default` ServiceAccount. */
export async function ensureNamespaceDefaults(
  registry: Registry,
  namespace: string,
  caPem: string,
): Promise<void> {
  const cm = registry.byResource('', 'configmaps')!;
  const current = await cm.get(namespace, rootCaName).catch(() => undefined);
  if (!current) {
    await createIfMissing(registry, 'configmaps', {
      metadata: {
        name: rootCaName,
        namespace,
        annotations: { 'kubernetes.io/description': rootCaDescription },
      },
      data: { 'ca.crt': caPem },
    });
  } else if ((current.data as Record<string, string> | undefined)?.['ca.crt'] !== caPem) {
    await cm.guaranteedUpdate(namespace, rootCaName, (o) => ({ ...o!, data: { 'ca.crt': caPem } }));
  }
  await createIfMissing(registry, 'serviceaccounts', { metadata: { name: 'default', namespace } });
}

/**
 * Upstream's root-CA publisher and service-account controller in one: each Active namespace
 * gets its defaults, and gets them back if they are deleted.
 */
export class NamespaceDefaultsController {
  private readonly queue = new WorkQueue<string>();
  private readonly namespaces: InformerHandle;
  private readonly owned: InformerHandle[];
  private readonly registry: Registry;
  private readonly caPem: string;
  private readonly log: Logger;

  constructor(registry: Registry, caPem: string, log: Logger) {
    this.registry = registry;
    this.caPem = caPem;
    this.log = log.child({ controller: 'namespace-defaults' });
    this.namespaces = sharedInformers(registry).forStore(registry.byResource('', 'namespaces')!);
    this.namespaces.addHandler({ add: (o) => this.queue.add(o.metadata.name!) });
    this.owned = ['configmaps', 'serviceaccounts'].map((p) =>
      sharedInformers(registry).forStore(registry.byResource('', p)!),
    );
    for (const inf of this.owned) {
      inf.addHandler({
        delete: (o) => {
          if (o.metadata.name === rootCaName || o.metadata.name === 'default')
            this.queue.add(o.metadata.namespace!);
        },
      });
    }
  }

  async start(): Promise<void> {
    await Promise.all([this.namespaces.start(), ...this.owned.map((i) => i.start())]);
    void runWorkers(this.queue, (key) => this.sync(key), 2, this.log);
  }

  stop(): void {
    this.queue.shutDown();
    this.namespaces.stop();
    for (const i of this.owned) i.stop();
  }

  async sync(name: string): Promise<void> {
    const ns = this.namespaces.get(name);
    if (!ns || ns.metadata.deletionTimestamp) return;
    await ensureNamespaceDefaults(this.registry, name, this.caPem);
  }
}
