/** What the API serves for one resource: its names, scope, verbs and subresources. */
export interface ResourceInfo {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Lower-case plural, the URL segment: `pods`. */
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly subresources: readonly string[];
  readonly verbs: readonly string[];
}

export const allVerbs = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
] as const;

interface Spec {
  kind: string;
  plural?: string;
  namespaced?: boolean;
  short?: string[];
  categories?: string[];
  sub?: string[];
  verbs?: readonly string[];
}

export function defineResources(group: string, version: string, specs: Spec[]): ResourceInfo[] {
  return specs.map((s) => ({
    group,
    version,
    kind: s.kind,
    plural: s.plural ?? `${s.kind.toLowerCase()}s`,
    singular: s.kind.toLowerCase(),
    namespaced: s.namespaced ?? true,
    shortNames: s.short ?? [],
    categories: s.categories ?? [],
    subresources: s.sub ?? [],
    verbs: s.verbs ?? allVerbs,
  }));
}
