/**
 * Which of a CRD's requested names it may have (apiextensions' NamingConditionController): a name
 * already in use in the group by another resource is refused, one the CRD was accepted with stays
 * its own. Pure: the caller says which names are in use.
 */
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionCondition,
  CustomResourceDefinitionNames,
} from '../../registry/crd/index.ts';
import { findCondition } from '../../registry/crd/index.ts';

export interface NamesInUse {
  /** Plurals, singulars and short names of the group's resources. */
  readonly resources: ReadonlySet<string>;
  /** Kinds and list kinds of the group's resources. */
  readonly kinds: ReadonlySet<string>;
}

type Condition = Omit<CustomResourceDefinitionCondition, 'lastTransitionTime'>;

export interface NamingResult {
  readonly acceptedNames: CustomResourceDefinitionNames;
  readonly namesAccepted: Condition;
  readonly established: Condition;
}

function conflict(
  requested: string | undefined,
  accepted: string | undefined,
  used: ReadonlySet<string>,
): string | undefined {
  if (requested === accepted || !used.has(requested ?? '')) return undefined;
  return `${JSON.stringify(requested ?? '')} is already in use`;
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

export function calculateNames(crd: CustomResourceDefinition, inUse: NamesInUse): NamingResult {
  const requested = crd.spec?.names ?? {};
  const accepted = crd.status?.acceptedNames ?? {};
  const next: CustomResourceDefinitionNames = { ...accepted };
  let refused: { reason: string; message: string } | undefined;
  const check = (
    f: 'plural' | 'singular' | 'kind' | 'listKind',
    reason: string,
    used: ReadonlySet<string>,
  ) => {
    const err = conflict(requested[f], accepted[f], used);
    if (err) refused = { reason, message: err };
    else if (requested[f] === undefined) delete next[f];
    else next[f] = requested[f];
  };
  check('plural', 'PluralConflict', inUse.resources);
  check('singular', 'SingularConflict', inUse.resources);
  if (!sameList(requested.shortNames, accepted.shortNames)) {
    const had = new Set(accepted.shortNames ?? []);
    const errs = (requested.shortNames ?? [])
      .filter((s) => !had.has(s))
      .map((s) => conflict(s, '', inUse.resources))
      .filter((e) => e !== undefined);
    if (errs.length > 0)
      refused = {
        reason: 'ShortNamesConflict',
        message: errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`,
      };
    else if (requested.shortNames === undefined) delete next.shortNames;
    else next.shortNames = requested.shortNames;
  }
  check('kind', 'KindConflict', inUse.kinds);
  check('listKind', 'ListKindConflict', inUse.kinds);
  if (requested.categories === undefined) delete next.categories;
  else next.categories = requested.categories;
  const namesAccepted: Condition = refused
    ? { type: 'NamesAccepted', status: 'False', ...refused }
    : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  const old = findCondition(crd, 'Established');
  let established: Condition = old
    ? {
        type: 'Established',
        status: old.status,
        ...(old.reason !== undefined ? { reason: old.reason } : {}),
        ...(old.message !== undefined ? { message: old.message } : {}),
      }
    : { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' };
  if (established.status !== 'True' && namesAccepted.status === 'True') {
    established = {
      type: 'Established',
      status: 'False',
      reason: 'Installing',
      message: 'the initial names have been accepted',
    };
  }
  return { acceptedNames: next, namesAccepted, established };
}

/** The names a CRD holds in its group, as upstream's getAcceptedNamesForGroup counts them. */
export function acceptedNamesOf(
  crd: CustomResourceDefinition,
  resources: Set<string>,
  kinds: Set<string>,
): void {
  const n = crd.status?.acceptedNames ?? {};
  for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) resources.add(r);
  for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
}
