import type { ResourceStore } from '../registry/store.ts';
import { watchResource } from '../registry/watch.ts';
import type { ListWatch } from './informer.ts';

/** List and watch straight from the registry, for controllers inside the server process. */
export function localListWatch(store: ResourceStore, namespace?: string): ListWatch {
  return {
    list: () => store.list(namespace),
    watch: (resourceVersion) => watchResource(store, namespace, { resourceVersion }),
  };
}
