import type { KubeObject } from '../../api/object.ts';
import { StatusError, statusErrors } from '../../api/status.ts';

/**
 * Upstream's NamespaceLifecycle admission: nothing is created in a namespace that does not
 * exist (404 from the namespace lookup) or is being deleted (403). `getNamespace` is the
 * registry's informer-backed read (undefined: no such namespace).
 */
export function namespaceLifecycle(getNamespace: (name: string) => Promise<KubeObject | undefined>) {
  return async (namespace: string | undefined): Promise<void> => {
    if (!namespace) return;
    const ns = await getNamespace(namespace);
    if (!ns) throw statusErrors.notFound({ group: '', resource: 'namespaces' }, namespace);
    if (!ns.metadata.deletionTimestamp) return;
    throw new StatusError(
      403,
      'Forbidden',
      `unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        name: namespace,
        kind: 'namespaces',
        causes: [
          {
            reason: 'NamespaceTerminating',
            message: `namespace ${namespace} is being terminated`,
            field: 'metadata.namespace',
          },
        ],
      },
    );
  };
}
