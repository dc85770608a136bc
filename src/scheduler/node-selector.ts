/**
 * Node selectors as pods state them (upstream's component-helpers nodeaffinity): the
 * nodeSelector map and required node affinity terms (ORed; each term's expressions ANDed).
 */
import { isObject, type KubeObject } from '../api/object.ts';
import type { LabelOperator } from '../api/selectors/index.ts';
import { parseInt64, requirementMatches } from '../api/selectors/requirement.ts';

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

const operators: Record<string, LabelOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  Gt: 'gt',
  Lt: 'lt',
};

/** Whether one requirement holds; an invalid requirement never does. */
function requirementHolds(r: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const op = operators[r.operator];
  const values = r.values ?? [];
  if (!op) return false;
  if ((op === 'in' || op === 'notin') && values.length === 0) return false;
  if ((op === 'exists' || op === '!') && values.length > 0) return false;
  if ((op === 'gt' || op === 'lt') && (values.length !== 1 || parseInt64(values[0]!) === undefined))
    return false;
  return requirementMatches({ key: r.key, operator: op, values }, labels);
}

/** matchFields supports metadata.name with In or NotIn and exactly one value. */
function fieldHolds(r: NodeSelectorRequirement, nodeName: string): boolean {
  const values = r.values ?? [];
  if (r.key !== 'metadata.name' || values.length !== 1) return false;
  if (r.operator === 'In') return values[0] === nodeName;
  if (r.operator === 'NotIn') return values[0] !== nodeName;
  return false;
}

/** A term with neither expressions nor fields matches no node. */
export function termMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  return (
    exprs.every((r) => requirementHolds(r, labels)) &&
    fields.every((r) => fieldHolds(r, node.metadata.name ?? ''))
  );
}

export const termsMatch = (terms: readonly NodeSelectorTerm[], node: KubeObject) =>
  terms.some((t) => termMatches(t, node));

interface NodeAffinitySpec {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } | null;
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[] | null;
}

export function nodeAffinityOf(pod: KubeObject): NodeAffinitySpec | undefined {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const affinity = isObject(spec.affinity) ? spec.affinity : undefined;
  return affinity && isObject(affinity.nodeAffinity)
    ? (affinity.nodeAffinity as NodeAffinitySpec)
    : undefined;
}

/** The pod's nodeSelector and required node affinity together (GetRequiredNodeAffinity). */
export interface RequiredNodeAffinity {
  readonly nodeSelector: Record<string, string> | undefined;
  readonly terms: NodeSelectorTerm[] | undefined;
}

export function requiredNodeAffinity(pod: KubeObject): RequiredNodeAffinity {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const selector = isObject(spec.nodeSelector) ? (spec.nodeSelector as Record<string, string>) : undefined;
  const required = nodeAffinityOf(pod)?.requiredDuringSchedulingIgnoredDuringExecution;
  return { nodeSelector: selector, terms: required ? (required.nodeSelectorTerms ?? []) : undefined };
}

export function matchesRequiredNodeAffinity(req: RequiredNodeAffinity, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  if (req.nodeSelector) {
    for (const [k, v] of Object.entries(req.nodeSelector)) if (labels[k] !== v) return false;
  }
  return req.terms === undefined || termsMatch(req.terms, node);
}
