/**
 * Upstream's ValidatePodSpec (pkg/apis/core/validation), for the fields users write, with its
 * field paths and messages. Runs on defaulted specs.
 */
import { type FieldError, field } from '../../api/field-errors.ts';
import { dns1123Label, dns1123Subdomain } from '../../api/names.ts';
import { isObject } from '../../api/object.ts';
import { qualifiedNameErrors } from '../../api/selectors/validation.ts';
import {
  validateContainers,
  validateEphemeralContainers,
  validateInitContainers,
} from './container-validation.ts';
import { asObject, type Obj, objects, str } from './json.ts';
import { rangeMessage } from './paths.ts';
import { defaultPodTemplate } from './pod-spec-defaults.ts';
import {
  validateAnnotationKeys,
  validateDNSConfig,
  validateHostAliases,
  validateHostNetworkPorts,
  validateLabels,
  validatePodSecurityContext,
  validateTolerations,
} from './spec-fields-validation.ts';
import { validateVolumes } from './volume-validation.ts';

export interface PodSpecOptions {
  /** The spec is a Pod's, not a template's (upstream's ResourceIsPod). */
  readonly resourceIsPod?: boolean;
}

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const preemptionPolicies = ['PreemptLowerPriority', 'Never'];
const maxInt32 = 2147483647;

function enumErrors(value: unknown, path: string, supported: string[]): FieldError[] {
  const v = str(value);
  if (v === '') return [field.required(path)];
  return supported.includes(v) ? [] : [field.notSupported(path, v, supported)];
}

/** A name field that, when set, must pass a name rule. */
function nameErrors(value: unknown, path: string, rule: (v: string) => string[]): FieldError[] {
  const v = str(value);
  return v ? rule(v).map((m) => field.invalid(path, v, m)) : [];
}

function schedulingGateErrors(gates: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  objects(gates).forEach((gate, i) => {
    const name = str(gate.name);
    errs.push(...qualifiedNameErrors(name).map((m) => field.invalid(`${path}[${i}]`, name, m)));
    if (seen.has(name)) errs.push(field.duplicate(`${path}[${i}]`, name));
    seen.add(name);
  });
  return errs;
}

function imagePullSecretErrors(secrets: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objects(secrets).forEach((ref, i) => {
    if (Object.keys(ref).some((k) => k !== 'name'))
      errs.push(field.invalid(`${path}[${i}]`, ref, 'only name may be set'));
  });
  return errs;
}

function validateSpec(spec: Obj, path: string, opts: PodSpecOptions): FieldError[] {
  const errs: FieldError[] = [];
  const grace = spec.terminationGracePeriodSeconds;
  if (grace === undefined || grace === null)
    errs.push(field.required(`${path}.terminationGracePeriodSeconds`));
  const gracePeriod = typeof grace === 'number' ? grace : undefined;
  const { volumes, errs: volumeErrs } = validateVolumes(spec.volumes, `${path}.volumes`);
  errs.push(...volumeErrs);
  errs.push(...validateContainers(spec, volumes, gracePeriod, `${path}.containers`));
  errs.push(...validateInitContainers(spec, volumes, gracePeriod, `${path}.initContainers`));
  errs.push(...validateEphemeralContainers(spec, volumes, `${path}.ephemeralContainers`));
  errs.push(...validateHostNetworkPorts(spec, path, opts.resourceIsPod === true));
  errs.push(...enumErrors(spec.restartPolicy, `${path}.restartPolicy`, restartPolicies));
  errs.push(...enumErrors(spec.dnsPolicy, `${path}.dnsPolicy`, dnsPolicies));
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  errs.push(...validatePodSecurityContext(spec.securityContext, `${path}.securityContext`));
  errs.push(...imagePullSecretErrors(spec.imagePullSecrets, `${path}.imagePullSecrets`));
  errs.push(...validateDNSConfig(spec, `${path}.dnsConfig`));
  objects(spec.readinessGates).forEach((gate, i) => {
    const type = str(gate.conditionType);
    const p = `${path}.readinessGates[${i}].conditionType`;
    errs.push(...qualifiedNameErrors(type).map((m) => field.invalid(p, type, m)));
  });
  errs.push(...schedulingGateErrors(spec.schedulingGates, `${path}.schedulingGates`));
  errs.push(...nameErrors(spec.serviceAccountName, `${path}.serviceAccountName`, dns1123Subdomain));
  errs.push(...nameErrors(spec.nodeName, `${path}.nodeName`, dns1123Subdomain));
  const deadline = spec.activeDeadlineSeconds;
  if (typeof deadline === 'number' && (deadline < 1 || deadline > maxInt32))
    errs.push(field.invalid(`${path}.activeDeadlineSeconds`, deadline, rangeMessage(1, maxInt32)));
  errs.push(...nameErrors(spec.hostname, `${path}.hostname`, dns1123Label));
  errs.push(...nameErrors(spec.subdomain, `${path}.subdomain`, dns1123Label));
  errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  errs.push(...validateHostAliases(spec.hostAliases, `${path}.hostAliases`));
  errs.push(...nameErrors(spec.priorityClassName, `${path}.priorityClassName`, dns1123Subdomain));
  if (typeof spec.runtimeClassName === 'string')
    errs.push(
      ...dns1123Subdomain(spec.runtimeClassName).map((m) =>
        field.invalid(`${path}.runtimeClassName`, spec.runtimeClassName, m),
      ),
    );
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null)
    errs.push(...enumErrors(spec.preemptionPolicy, `${path}.preemptionPolicy`, preemptionPolicies));
  if (isObject(spec.os)) {
    const os = str(spec.os.name);
    if (!os) errs.push(field.required(`${path}.os.name`, 'cannot be empty'));
    else if (os !== 'linux' && os !== 'windows')
      errs.push(field.notSupported(`${path}.os`, os, ['linux', 'windows']));
  }
  return errs;
}

/** A pod spec as upstream's ValidatePodSpec checks it (defaults already applied). */
export function validatePodSpec(spec: unknown, path: string, opts: PodSpecOptions = {}): FieldError[] {
  return validateSpec(asObject(spec), path, opts);
}

/** A workload's pod template (upstream's ValidatePodTemplateSpec): labels, annotations, spec. */
export function validatePodTemplate(template: unknown, path: string): FieldError[] {
  // A missing template reads as an empty one, defaulted as upstream's decoding would.
  if (!isObject(template)) {
    const empty: Obj = {};
    defaultPodTemplate(empty);
    return validatePodTemplate(empty, path);
  }
  const metadata = asObject(template.metadata);
  const spec = asObject(template.spec);
  const errs = [
    ...validateLabels(metadata.labels, `${path}.labels`),
    ...validateAnnotationKeys(metadata.annotations, `${path}.annotations`),
    ...podAnnotationErrors(metadata.annotations, spec, `${path}.annotations`),
    ...validatePodSpec(spec, `${path}.spec`),
  ];
  if (Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length > 0)
    errs.push(
      field.forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'),
    );
  return errs;
}

const deletionCost = 'controller.kubernetes.io/pod-deletion-cost';
const mirrorPod = 'kubernetes.io/config.mirror';

/** Upstream's ValidatePodSpecificAnnotations (mirror pods, deletion cost). */
export function podAnnotationErrors(annotations: unknown, spec: Obj, path: string): FieldError[] {
  const a = asObject(annotations);
  const errs: FieldError[] = [];
  if (a[mirrorPod] !== undefined && !str(spec.nodeName))
    errs.push(
      field.invalid(
        `${path}[${mirrorPod}]`,
        a[mirrorPod],
        'must set spec.nodeName if mirror pod annotation is set',
      ),
    );
  const cost = a[deletionCost];
  if (cost !== undefined) {
    const text = str(cost);
    const n = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isInteger(n) || n < -2147483648 || n > maxInt32)
      errs.push(field.invalid(`${path}[${deletionCost}]`, text, 'must be a 32bit integer'));
  }
  return errs;
}

/** What only a Pod (not a template) must satisfy beyond its spec (validatePodMetadataAndSpec). */
export function validatePodOnly(spec: Obj, annotations: unknown): FieldError[] {
  const errs = podAnnotationErrors(annotations, spec, 'metadata.annotations');
  for (const kind of ['containers', 'initContainers']) {
    objects(spec[kind]).forEach((c, i) => {
      const image = str(c.image);
      if (image !== image.trim())
        errs.push(
          field.invalid(`spec.${kind}[${i}].image`, image, 'must not have leading or trailing whitespace'),
        );
    });
  }
  return errs;
}
