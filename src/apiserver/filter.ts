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
    // A label k=v (or k in (a,b)) can only be set if the stored JSON holds "k":"v" (or one of
    // them): objects without it are skipped before they are parsed. Stored objects are the JSON
    // the API serves, so a label is written exactly as JSON.stringify writes key and value.
    const needles = labels.requirements
      .filter((r) => r.operator === '=' || r.operator === '==' || r.operator === 'in')
      .map((r) => r.values.map((v) => `${JSON.stringify(r.key)}:${JSON.stringify(v)}`));
    return {
      matches: (obj: KubeObject) =>
        labels.matches(obj.metadata.labels) &&
        (fields.isEverything() || fields.matches(store.strategy.selectableFields(obj))),
      ...(needles.length > 0 && !store.convert && !store.toStorage
        ? { mayMatchStored: (json: string) => needles.every((any) => any.some((n) => json.includes(n))) }
        : {}),
    };
  } catch (e) {
    if (e instanceof SelectorError) throw statusErrors.badRequest(e.message);
    throw e;
  }
}
