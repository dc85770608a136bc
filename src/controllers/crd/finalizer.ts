/**
 * Deleting a CRD's custom resources (upstream's CRDFinalizer.deleteInstances). A store of its own
 * reaches them whether or not a version is still served: every version shares the storage keys.
 */
import { isStatusError } from '../../api/status.ts';
import { type CustomResourceDefinition, customResource } from '../../registry/crd/index.ts';
import { ResourceStore } from '../../registry/store.ts';
import type { Backend } from '../../storage/types.ts';

/** Deletes every custom resource of the CRD; returns how many are still there (finalizers). */
export async function deleteInstances(backend: Backend, crd: CustomResourceDefinition): Promise<number> {
  const versions = crd.spec?.versions ?? [];
  const version = versions.find((v) => v.storage) ?? versions[0];
  if (!version) return 0;
  const named: CustomResourceDefinition = {
    ...crd,
    status: {
      ...crd.status,
      acceptedNames: crd.status?.acceptedNames?.plural ? crd.status.acceptedNames : (crd.spec?.names ?? {}),
    },
  };
  const s = customResource(named, version);
  if (!s.info.plural) return 0;
  const store = new ResourceStore(backend, s.info, s.strategy);
  const { items } = await store.list(undefined);
  for (const item of items) {
    if (item.metadata.deletionTimestamp) continue;
    try {
      await store.delete(item.metadata.namespace, item.metadata.name!, { propagationPolicy: 'Background' });
    } catch (e) {
      if (!(isStatusError(e) && e.code === 404)) throw e;
    }
  }
  return (await store.list(undefined)).items.length;
}
