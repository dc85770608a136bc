/**
 * CustomResourceDefinition validation (apiextensions validation.go) for what users hit: the name,
 * group, scope, names, versions, schemas, subresources, printer columns, conversion, stored versions
 * and the API approval annotation of protected groups. A v1 CRD is checked as upstream checks its
 * internal form: per-version schemas, subresources and columns that are the same in every version
 * are reported at the top (`spec.validation.openAPIV3Schema…`, `spec.subresources…`).
 */
import { type FieldError, field } from '../../api/field-errors.ts';
import { dns1123Subdomain } from '../../api/names.ts';
import { dns1035Label } from './names.ts';
import { validateCRDSchema } from './schema-checks.ts';
import { deepEqual } from './schema-util.ts';
import type { CustomResourceDefinition, CustomResourceDefinitionVersion } from './types.ts';
import { validateColumn, validateNames, validateSubresources } from './validation-fields.ts';

const approvalAnnotation = 'api-approved.kubernetes.io';

function identical<T>(
  versions: CustomResourceDefinitionVersion[],
  get: (v: CustomResourceDefinitionVersion) => T,
): boolean {
  return versions.every((v) => deepEqual(get(v) ?? null, get(versions[0]!) ?? null));
}

/** The versions as upstream's internal type prints them in a field error's value. */
function goVersions(
  versions: CustomResourceDefinitionVersion[],
  hoisted: { schema: boolean; sub: boolean; cols: boolean },
) {
  return versions.map((v) => ({
    Name: v.name ?? '',
    Served: v.served ?? false,
    Storage: v.storage ?? false,
    Deprecated: v.deprecated ?? false,
    DeprecationWarning: v.deprecationWarning ?? null,
    Schema: hoisted.schema ? null : (v.schema ?? null),
    Subresources: hoisted.sub ? null : (v.subresources ?? null),
    AdditionalPrinterColumns: hoisted.cols ? null : (v.additionalPrinterColumns ?? null),
    SelectableFields: null,
  }));
}

function validateSpec(crd: CustomResourceDefinition): FieldError[] {
  const spec = crd.spec ?? {};
  const errs: FieldError[] = [];
  const versions = spec.versions ?? [];
  if (!spec.group) errs.push(field.required('spec.group'));
  else if (dns1123Subdomain(spec.group).length > 0)
    errs.push(field.invalid('spec.group', spec.group, dns1123Subdomain(spec.group).join(',')));
  else if (spec.group.split('.').length < 2)
    errs.push(field.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  if (!spec.scope) errs.push(field.required('spec.scope'));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced')
    errs.push(field.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  const hoisted = {
    schema: versions.length > 0 && identical(versions, (v) => v.schema),
    sub: versions.length > 0 && identical(versions, (v) => v.subresources),
    cols: versions.length > 0 && identical(versions, (v) => v.additionalPrinterColumns),
  };
  const topSchema = hoisted.schema ? versions[0]?.schema?.openAPIV3Schema : undefined;
  if (!topSchema) {
    for (const [i, v] of versions.entries()) {
      if (!v.schema?.openAPIV3Schema) errs.push(field.required(`spec.versions[${i}].schema.openAPIV3Schema`));
    }
  }
  const anyStatus = versions.some((v) => v.subresources?.status !== undefined);
  const seen = new Set<string>();
  let unique = true;
  let storage = 0;
  for (const [i, v] of versions.entries()) {
    const p = `spec.versions[${i}]`;
    if (v.storage) storage++;
    if (seen.has(v.name ?? '')) unique = false;
    seen.add(v.name ?? '');
    const nameErrs = dns1035Label(v.name ?? '');
    if (nameErrs.length > 0) errs.push(field.invalid(`${p}.name`, v.name ?? '', nameErrs.join(',')));
    if (!v.deprecated && v.deprecationWarning !== undefined)
      errs.push(
        field.invalid(
          `${p}.deprecationWarning`,
          v.deprecationWarning,
          'can only be set for deprecated versions',
        ),
      );
    if (!hoisted.schema && v.schema?.openAPIV3Schema) {
      errs.push(
        ...validateCRDSchema(v.schema.openAPIV3Schema, v.subresources?.status !== undefined, `${p}.schema`),
      );
    }
    if (!hoisted.sub) errs.push(...validateSubresources(v.subresources, `${p}.subresources`));
    if (!hoisted.cols)
      for (const [j, c] of (v.additionalPrinterColumns ?? []).entries())
        errs.push(...validateColumn(c, `${p}.additionalPrinterColumns[${j}]`));
  }
  if (!unique)
    errs.push(
      field.invalid('spec.versions', goVersions(versions, hoisted), 'must contain unique version names'),
    );
  if (storage !== 1)
    errs.push(
      field.invalid(
        'spec.versions',
        goVersions(versions, hoisted),
        'must have exactly one version marked as storage version',
      ),
    );
  const names = spec.names ?? {};
  for (const f of ['plural', 'singular', 'kind', 'listKind'] as const)
    if (!names[f]) errs.push(field.required(`spec.names.${f}`));
  errs.push(...validateNames(names, 'spec.names'));
  if (topSchema) errs.push(...validateCRDSchema(topSchema, anyStatus, 'spec.validation'));
  if (hoisted.sub) errs.push(...validateSubresources(versions[0]?.subresources, 'spec.subresources'));
  if (hoisted.cols)
    for (const [j, c] of (versions[0]?.additionalPrinterColumns ?? []).entries())
      errs.push(...validateColumn(c, `spec.additionalPrinterColumns[${j}]`));
  const strategy = spec.conversion?.strategy;
  if (!strategy) errs.push(field.required('spec.conversion.strategy'));
  else if (strategy !== 'None' && strategy !== 'Webhook')
    errs.push(field.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  // skiff converts between versions only by rewriting apiVersion: Webhook is refused by name.
  else if (strategy === 'Webhook')
    errs.push(field.notSupported('spec.conversion.strategy', strategy, ['None']));
  return errs;
}

function validateStoredVersions(crd: CustomResourceDefinition): FieldError[] {
  const stored = crd.status?.storedVersions ?? [];
  const p = 'status.storedVersions';
  if (stored.length === 0) return [field.invalid(p, null, 'must have at least one stored version')];
  const errs: FieldError[] = [];
  const left = new Map(stored.map((v, i) => [v, i]));
  for (const v of crd.spec?.versions ?? []) {
    if (v.storage && !left.has(v.name ?? ''))
      errs.push(field.invalid(p, stored, `must have the storage version ${v.name}`));
    left.delete(v.name ?? '');
  }
  for (const [v, i] of left) {
    errs.push(
      field.invalid(
        `${p}[${i}]`,
        v,
        `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`,
      ),
    );
  }
  return errs;
}

const isProtectedGroup = (g: string) =>
  g === 'k8s.io' || g.endsWith('.k8s.io') || g === 'kubernetes.io' || g.endsWith('.kubernetes.io');

function approvalState(crd: CustomResourceDefinition): {
  ok: boolean;
  missing: boolean;
  reason: string;
  value: string;
} {
  const value = crd.metadata.annotations?.[approvalAnnotation] ?? '';
  const see = 'see https://github.com/kubernetes/enhancements/pull/1111';
  if (!value)
    return {
      ok: false,
      missing: true,
      value,
      reason: `protected groups must have approval annotation "${approvalAnnotation}", ${see}`,
    };
  if (value.startsWith('unapproved')) return { ok: true, missing: false, value, reason: '' };
  try {
    const u = new URL(value);
    if (u.host && u.protocol) return { ok: true, missing: false, value, reason: '' };
  } catch {}
  return {
    ok: false,
    missing: false,
    value,
    reason: `protected groups must have approval annotation "${approvalAnnotation}" with either a URL or a reason starting with "unapproved", ${see}`,
  };
}

function validateApproval(crd: CustomResourceDefinition, old?: CustomResourceDefinition): FieldError[] {
  if (!isProtectedGroup(crd.spec?.group ?? '')) return [];
  const now = approvalState(crd);
  if (old && approvalState(old).value === now.value) return [];
  if (now.ok) return [];
  const p = `metadata.annotations[${approvalAnnotation}]`;
  return [now.missing ? field.required(p, now.reason) : field.invalid(p, now.value, now.reason)];
}

/**
 * Upstream's ValidateCustomResourceDefinition (metadata.name's DNS form is the store's check). With
 * `old` (an update), an approval annotation that did not change is not checked again.
 */
export function validateCRD(crd: CustomResourceDefinition, old?: CustomResourceDefinition): FieldError[] {
  const errs: FieldError[] = [];
  const name = crd.metadata.name ?? '';
  if (name !== `${crd.spec?.names?.plural ?? ''}.${crd.spec?.group ?? ''}`) {
    errs.push(field.invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  }
  errs.push(...validateSpec(crd), ...validateNames(crd.status?.acceptedNames, 'status.acceptedNames'));
  errs.push(...validateStoredVersions(crd), ...validateApproval(crd, old));
  if (crd.spec?.preserveUnknownFields) {
    errs.push(
      field.invalid(
        'spec.preserveUnknownFields',
        true,
        'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
      ),
    );
  }
  return errs;
}

/** What an update may not change: group and plural always, scope and kind once established. */
export function validateCRDUpdate(
  crd: CustomResourceDefinition,
  old: CustomResourceDefinition,
  established: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  const immutable = (p: string, now: unknown, before: unknown) => {
    if (!deepEqual(now, before)) errs.push(field.invalid(p, now ?? '', 'field is immutable'));
  };
  if (established) {
    immutable('spec.scope', crd.spec?.scope, old.spec?.scope);
    immutable('spec.names.kind', crd.spec?.names?.kind, old.spec?.names?.kind);
  }
  immutable('spec.group', crd.spec?.group, old.spec?.group);
  immutable('spec.names.plural', crd.spec?.names?.plural, old.spec?.names?.plural);
  return errs;
}
