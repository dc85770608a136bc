import type { KubeObject } from '../api/object.ts';
import { SelectorError } from '../api/selectors/errors.ts';
import { checkFieldSelector, parseFieldSelector } from '../api/selectors/fields.ts';
import { parseLabelSelector } from '../api/selectors/labels.ts';
import { statusErrors } from '../api/status.ts';
import type { Matcher, ResourceStore } from '../registry/store.ts';

/** The `labelSelector` and `fieldSelector` of a list or watch as one matcher (undefined: all). */
export function buildFilter(store: ResourceStore, q: URLSearchParams): Matcher | undefined {
  try {
    const labels = parseLabelSelector(q.get('labelSelector') ?? '');
    const fields = parseFieldSelector(q.get('fieldSelector') ?? '');
    if (!fields.isEverything()) {
      const allowed = Object.keys(store.strategy.selectableFields({ metadata: {} }));
      checkFieldSelector(fields, allowed, store.info.kind);
    }
    if (labels.isEverything() && fields.isEverything()) return undefined;
    return {
      matches: (obj: KubeObject) =>
        labels.matches(obj.metadata.labels) &&
        (fields.isEverything() || fields.matches(store.strategy.selectableFields(obj))),
    };
  } catch (e) {
    if (e instanceof SelectorError) throw statusErrors.badRequest(e.message);
    throw e;
  }
}
