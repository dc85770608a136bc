/**
 * Apply conflicts as upstream reports them (managedfields/internal/conflict.go): a 409 Conflict
 * whose causes name each field and the manager holding it, and whose message reads
 * `Apply failed with 1 conflict: conflict with "m" using apps/v1: .spec.replicas`, or for several
 * `Apply failed with 2 conflicts: conflicts with "m" using apps/v1:\n- .a\n- .b`.
 */
import { type StatusCause, StatusError } from '../status.ts';
import type { FieldSet } from './fieldset.ts';
import type { ManagedFieldsEntry } from './managers.ts';
import { compareStrings, goQuote, isMap, type Path, pathString } from './path.ts';

export interface Conflict {
  /** The manager identifier (the JSON key of managedFields entries). */
  readonly manager: string;
  readonly path: Path;
}

/** printManager: `"kubectl"`, `"kube-controller-manager" using apps/v1`, with any subresource. */
export function printManager(id: string): string {
  let e: ManagedFieldsEntry;
  try {
    const v = JSON.parse(id) as unknown;
    if (!isMap(v)) return goQuote(id);
    e = v as ManagedFieldsEntry;
  } catch {
    return goQuote(id);
  }
  let s = goQuote(e.manager ?? '');
  if (e.subresource) s = `${s} with subresource ${goQuote(e.subresource)}`;
  if (e.operation === 'Update') return `${s} using ${e.apiVersion ?? ''}`;
  return s;
}

/** Conflicts from per-manager sets, managers in identifier order and paths in set order. */
export function conflictsFrom(sets: ReadonlyMap<string, FieldSet>): Conflict[] {
  const out: Conflict[] = [];
  for (const id of [...sets.keys()].sort(compareStrings)) {
    for (const path of sets.get(id)?.paths() ?? []) out.push({ manager: id, path });
  }
  return out;
}

export function conflictMessage(conflicts: readonly Conflict[]): string {
  const [only] = conflicts;
  if (conflicts.length === 1 && only) {
    return `Apply failed with 1 conflict: conflict with ${printManager(only.manager)}: ${pathString(only.path)}`;
  }
  const byManager = new Map<string, Path[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
  const lines: string[] = [];
  for (const m of [...byManager.keys()].sort(compareStrings)) {
    lines.push(`conflicts with ${printManager(m)}:`);
    for (const p of byManager.get(m) ?? []) lines.push(`- ${pathString(p)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** 409 Conflict with a FieldManagerConflict cause per field (errors.NewApplyConflict). */
export class ApplyConflictError extends StatusError {
  readonly conflicts: readonly Conflict[];
  /** The same causes as details.causes. */
  readonly causes: readonly StatusCause[];

  constructor(conflicts: readonly Conflict[]) {
    const causes: StatusCause[] = conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${printManager(c.manager)}`,
      field: pathString(c.path),
    }));
    super(409, 'Conflict', conflictMessage(conflicts), { causes });
    this.name = 'ApplyConflictError';
    this.conflicts = conflicts;
    this.causes = causes;
  }
}
