/**
 * A pod with what the scheduler derives from it once (upstream's framework.PodInfo): its
 * priority, resource requests and parsed inter-pod (anti-)affinity terms.
 */
import { isObject, type KubeObject } from '../api/object.ts';
import {
  fromLabelSelectorObject,
  type LabelSelector,
  type LabelSelectorObject,
} from '../api/selectors/index.ts';
import { nonZeroDefaults, podRequests, type Resource, toResource } from './resources.ts';

export interface AffinityTerm {
  readonly namespaces: ReadonlySet<string>;
  readonly selector: LabelSelector;
  readonly namespaceSelector: LabelSelector;
  readonly topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  readonly weight: number;
}

/** Namespace labels by name; undefined when the namespace is unknown. */
export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

/** Whether `pod` is in the term's namespaces and matches its selector. */
export function termMatchesPod(term: AffinityTerm, pod: KubeObject, nsLabels: NamespaceLabels): boolean {
  const ns = pod.metadata.namespace ?? '';
  const inNamespace = term.namespaces.has(ns) || term.namespaceSelector.matches(nsLabels(ns));
  return inNamespace && term.selector.matches(pod.metadata.labels);
}

interface PodAffinityTermObject {
  labelSelector?: LabelSelectorObject | null;
  namespaces?: string[] | null;
  namespaceSelector?: LabelSelectorObject | null;
  topologyKey?: string;
}

function parseTerm(pod: KubeObject, t: PodAffinityTermObject): AffinityTerm {
  const namespaces = t.namespaces ?? [];
  const ownNamespace =
    namespaces.length === 0 && (t.namespaceSelector === undefined || t.namespaceSelector === null);
  return {
    namespaces: new Set(ownNamespace ? [pod.metadata.namespace ?? ''] : namespaces),
    selector: fromLabelSelectorObject(t.labelSelector),
    namespaceSelector: fromLabelSelectorObject(t.namespaceSelector),
    topologyKey: t.topologyKey ?? '',
  };
}

const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isObject) : []);

export class PodInfo {
  readonly pod: KubeObject;
  readonly priority: number;
  /** PreemptLowerPriority or Never: the pod's own, else its PriorityClass's. */
  readonly preemptionPolicy: string;
  /** What the pod requests (with overhead), for NodeResourcesFit and node accounting. */
  readonly requests: Resource;
  /** cpu and memory with upstream's non-zero defaults, for least-allocated scoring. */
  readonly nonZero: { milliCPU: number; memory: number };
  readonly requiredAffinityTerms: AffinityTerm[] = [];
  readonly requiredAntiAffinityTerms: AffinityTerm[] = [];
  readonly preferredAffinityTerms: WeightedAffinityTerm[] = [];
  readonly preferredAntiAffinityTerms: WeightedAffinityTerm[] = [];
  /** Why an affinity term could not be parsed, if one could not. */
  parseError: string | undefined;

  constructor(pod: KubeObject, priority = 0, preemptionPolicy = '') {
    this.pod = pod;
    this.priority = priority;
    const own = isObject(pod.spec) ? pod.spec.preemptionPolicy : undefined;
    this.preemptionPolicy = (typeof own === 'string' && own) || preemptionPolicy || 'PreemptLowerPriority';
    this.requests = toResource(podRequests(pod));
    const nz = podRequests(pod, nonZeroDefaults);
    this.nonZero = { milliCPU: nz.cpu ?? 0, memory: nz.memory ?? 0 };
    const spec = isObject(pod.spec) ? pod.spec : {};
    const affinity = isObject(spec.affinity) ? spec.affinity : {};
    try {
      for (const [key, required, preferred] of [
        ['podAffinity', this.requiredAffinityTerms, this.preferredAffinityTerms],
        ['podAntiAffinity', this.requiredAntiAffinityTerms, this.preferredAntiAffinityTerms],
      ] as const) {
        const a = isObject(affinity[key]) ? affinity[key] : {};
        for (const t of list(a.requiredDuringSchedulingIgnoredDuringExecution))
          required.push(parseTerm(pod, t));
        for (const w of list(a.preferredDuringSchedulingIgnoredDuringExecution)) {
          const term = parseTerm(pod, isObject(w.podAffinityTerm) ? w.podAffinityTerm : {});
          preferred.push({ ...term, weight: typeof w.weight === 'number' ? w.weight : 0 });
        }
      }
    } catch (e) {
      this.parseError = (e as Error).message;
    }
  }

  get uid(): string {
    return this.pod.metadata.uid ?? '';
  }

  get namespace(): string {
    return this.pod.metadata.namespace ?? '';
  }

  get name(): string {
    return this.pod.metadata.name ?? '';
  }

  /** namespace/name, the queue's key. */
  get key(): string {
    return `${this.namespace}/${this.name}`;
  }

  get labels(): Record<string, string> {
    return this.pod.metadata.labels ?? {};
  }

  get spec(): Record<string, unknown> {
    return isObject(this.pod.spec) ? this.pod.spec : {};
  }

  get status(): Record<string, unknown> {
    return isObject(this.pod.status) ? this.pod.status : {};
  }

  get nodeName(): string {
    return typeof this.spec.nodeName === 'string' ? this.spec.nodeName : '';
  }

  get nominatedNodeName(): string {
    return typeof this.status.nominatedNodeName === 'string' ? this.status.nominatedNodeName : '';
  }

  get hasAffinity(): boolean {
    const a = isObject(this.spec.affinity) ? this.spec.affinity : {};
    return isObject(a.podAffinity) || isObject(a.podAntiAffinity);
  }

  get hasRequiredAntiAffinity(): boolean {
    return this.requiredAntiAffinityTerms.length > 0;
  }
}

/** Whether the pod matches every term (false for no terms). */
export function podMatchesAllTerms(
  terms: readonly AffinityTerm[],
  pod: KubeObject,
  ns: NamespaceLabels,
): boolean {
  return terms.length > 0 && terms.every((t) => termMatchesPod(t, pod, ns));
}
