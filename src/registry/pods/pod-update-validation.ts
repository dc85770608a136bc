/** Upstream's ValidatePodUpdate: which parts of a pod's spec may change after creation. */
import { type FieldError, field } from '../../api/field-errors.ts';
import { isObject, type KubeObject } from '../../api/object.ts';
import { asObject, type Obj, objects, str } from './json.ts';
import { rangeMessage } from './paths.ts';
import { validateTolerations } from './spec-fields-validation.ts';

const updatableFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** Deep equality of JSON values, ignoring the order of object keys. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]))
    );
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!jsonEqual(a[k], b[k])) return false;
  return true;
}

/** A readable diff of two specs (upstream prints a cmp.Diff of the Go structs). */
export function specDiff(old: unknown, now: unknown, type = 'core.PodSpec'): string {
  const lines: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (jsonEqual(a, b)) return;
    if (isObject(a) && isObject(b)) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
        walk(a[k], b[k], path ? `${path}.${k}` : k);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((v, i) => {
        walk(v, b[i], `${path}[${i}]`);
      });
      return;
    }
    if (a !== undefined) lines.push(`- \t${path}: ${JSON.stringify(a)},`);
    if (b !== undefined) lines.push(`+ \t${path}: ${JSON.stringify(b)},`);
  };
  walk(old, now, '');
  return [`  ${type}{`, ...lines, '  }', ''].join('\n');
}

function containerUpdateErrors(
  now: unknown,
  old: unknown,
  path: string,
): { errs: FieldError[]; stop: boolean } {
  const next = Array.isArray(now) ? now : [];
  const prev = Array.isArray(old) ? old : [];
  if (next.length !== prev.length)
    return { errs: [field.forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  next.forEach((c, i) => {
    const image = isObject(c) ? str(c.image) : '';
    if (!image) errs.push(field.required(`${path}[${i}].image`));
    if (image.trim() !== image)
      errs.push(field.invalid(`${path}[${i}].image`, image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

function onlyAddedTolerations(now: unknown, old: unknown, path: string): FieldError[] {
  const next = objects(now);
  for (const t of objects(old)) {
    const { tolerationSeconds: _, ...rest } = t;
    const kept = next.some((n) => {
      const { tolerationSeconds: _s, ...other } = n;
      return jsonEqual(rest, other);
    });
    if (!kept)
      return [field.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(now, path);
}

function onlyDeletedSchedulingGates(now: unknown, old: unknown, path: string): FieldError[] {
  const oldNames = new Set(objects(old).map((g) => str(g.name)));
  const errs: FieldError[] = [];
  const added = new Map<string, number>();
  objects(now).forEach((g, i) => {
    added.set(str(g.name), i);
  });
  for (const [name, i] of added) {
    if (!oldNames.has(name))
      errs.push(
        field.forbidden(
          `${path}[${i}].name`,
          `only deletion is allowed, but found new scheduling gate '${name}'`,
        ),
      );
  }
  return errs;
}

function deadlineErrors(spec: Obj, old: Obj): FieldError[] {
  const path = 'spec.activeDeadlineSeconds';
  const now = spec.activeDeadlineSeconds;
  const prev = old.activeDeadlineSeconds;
  if (typeof now === 'number') {
    if (now < 0 || now > 2147483647) return [field.invalid(path, now, rangeMessage(0, 2147483647))];
    if (typeof prev === 'number' && prev < now)
      return [field.invalid(path, now, 'must be less than or equal to previous value')];
    return [];
  }
  return typeof prev === 'number'
    ? [field.invalid(path, null, 'must not update from a positive integer to nil value')]
    : [];
}

/** The spec with what may change set back to the old values (upstream's "munged" spec). */
function mungedSpec(spec: Obj, old: Obj): Obj {
  const munged = structuredClone(spec);
  for (const kind of ['containers', 'initContainers']) {
    const prev = objects(old[kind]);
    if (Array.isArray(munged[kind]))
      munged[kind] = (munged[kind] as unknown[]).map((c, i) =>
        isObject(c) ? { ...c, image: prev[i]?.image } : c,
      );
  }
  for (const key of ['activeDeadlineSeconds', 'schedulingGates', 'tolerations']) {
    if (old[key] === undefined) delete munged[key];
    else munged[key] = old[key];
  }
  const oldGrace = old.terminationGracePeriodSeconds;
  if (typeof oldGrace === 'number' && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = oldGrace;
  return munged;
}

export function validatePodUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const spec = asObject(pod.spec);
  const oldSpec = asObject(old.spec);
  const errs: FieldError[] = [];
  // The status strategy's check: QoS is decided at creation.
  const qos = asObject(pod.status).qosClass;
  const oldQos = asObject(old.status).qosClass;
  if (qos !== oldQos) errs.push(field.invalid('status.qosClass', qos ?? '', 'field is immutable'));
  for (const kind of ['containers', 'initContainers']) {
    const { errs: cErrs, stop } = containerUpdateErrors(spec[kind], oldSpec[kind], `spec.${kind}`);
    errs.push(...cErrs);
    if (stop) return errs;
  }
  const deadline = deadlineErrors(spec, oldSpec);
  errs.push(...deadline);
  if (deadline.length > 0 && typeof spec.activeDeadlineSeconds === 'number') return errs;
  errs.push(...onlyAddedTolerations(spec.tolerations, oldSpec.tolerations, 'spec.tolerations'));
  errs.push(
    ...onlyDeletedSchedulingGates(spec.schedulingGates, oldSpec.schedulingGates, 'spec.schedulingGates'),
  );
  if (jsonEqual(spec, oldSpec)) return errs;
  const munged = mungedSpec(spec, oldSpec);
  if (!jsonEqual(munged, oldSpec)) {
    errs.push(
      field.forbidden(
        'spec',
        `pod updates may not change fields other than ${updatableFields.join(',')}\n${specDiff(oldSpec, munged)}`,
      ),
    );
  }
  return errs;
}

/**
 * The ephemeralcontainers subresource (upstream's ValidatePodEphemeralContainersUpdate): new
 * ephemeral containers may be added; existing ones stay as they are.
 */
export function validateEphemeralContainersUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const path = 'spec.ephemeralContainers';
  const next = new Map(objects(asObject(pod.spec).ephemeralContainers).map((c) => [str(c.name), c]));
  const errs: FieldError[] = [];
  for (const prev of objects(asObject(old.spec).ephemeralContainers)) {
    const name = str(prev.name);
    const now = next.get(name);
    if (!now)
      errs.push(
        field.forbidden(path, `existing ephemeral containers ${JSON.stringify(name)} may not be removed\n`),
      );
    else if (!jsonEqual(prev, now))
      errs.push(
        field.forbidden(
          path,
          `existing ephemeral containers ${JSON.stringify(name)} may not be changed\n${specDiff(prev, now, 'core.EphemeralContainer')}`,
        ),
      );
  }
  return errs;
}
