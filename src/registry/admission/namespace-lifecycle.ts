import { StatusError } from '../../api/status.ts';
import type { ResourceStore } from '../store.ts';

/**
 * Upstream's NamespaceLifecycle admission: nothing is created in a namespace that does not
 * exist (404 from the namespace lookup) or is being deleted (403).
 */
export function namespaceLifecycle(namespaces: ResourceStore) {
  return async (namespace: string | undefined): Promise<void> => {
    if (!namespace) return;
    const ns = await namespaces.get(undefined, namespace);
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
