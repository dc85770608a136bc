/**
 * Pods (upstream's pkg/registry/core/pod/strategy.go, 1.32): status starts Pending with its QoS
 * class, the spec is immutable but for a few fields, the status subresource keeps the spec.
 * Pods do not track metadata.generation in 1.32.
 */
import { type FieldError, field } from '../../api/field-errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceInfo } from '../resource.ts';
import { genericStrategy, keepAllBut, metadataFields, type Strategy } from '../strategy.ts';
import { checkPriority, defaultServiceAccount, keepPriority } from './admission.ts';
import { asObject, child, objects, str } from './json.ts';
import { defaultPod } from './pod-spec-defaults.ts';
import { validatePodOnly, validatePodSpec } from './pod-spec-validation.ts';
import { validateEphemeralContainersUpdate, validatePodUpdate } from './pod-update-validation.ts';
import { computePodQOS } from './qos.ts';

/** The fields `fieldSelector` can use on pods (upstream's ToSelectableFields). */
export function podSelectableFields(pod: KubeObject): Record<string, string> {
  const spec = asObject(pod.spec);
  const status = asObject(pod.status);
  const podIPs = objects(status.podIPs);
  return {
    ...metadataFields(pod, true),
    'spec.nodeName': str(spec.nodeName),
    'spec.restartPolicy': str(spec.restartPolicy),
    'spec.schedulerName': str(spec.schedulerName),
    'spec.serviceAccountName': str(spec.serviceAccountName),
    'spec.hostNetwork': String(spec.hostNetwork === true),
    'status.phase': str(status.phase),
    'status.podIP': podIPs.length > 0 ? str(podIPs[0]?.ip) : str(status.podIP),
    'status.nominatedNodeName': str(status.nominatedNodeName),
  };
}

/** PrepareForCreate's status: Pending, the QoS class, and SchedulingGated when gated. */
function initialStatus(pod: KubeObject): Record<string, unknown> {
  const spec = asObject(pod.spec);
  // Upstream's GetPodQOS prefers a class already in the submitted status.
  const submitted = str(asObject(pod.status).qosClass);
  const status: Record<string, unknown> = { phase: 'Pending', qosClass: submitted || computePodQOS(spec) };
  if (objects(spec.schedulingGates).length > 0) {
    status.conditions = [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: null,
        reason: 'SchedulingGated',
        message: 'Scheduling is blocked due to non-empty scheduling gates',
      },
    ];
  }
  return status;
}

/** Status writes (the kubelet's) keep the spec and owner references; the QoS class stays. */
function prepareStatusUpdate(obj: KubeObject, old: KubeObject): void {
  if (old.spec === undefined) delete obj.spec;
  else obj.spec = structuredClone(old.spec);
  if (old.metadata.ownerReferences === undefined) delete obj.metadata.ownerReferences;
  else obj.metadata.ownerReferences = structuredClone(old.metadata.ownerReferences);
  const status = child(obj, 'status');
  const oldQos = asObject(old.status).qosClass;
  if (!status.qosClass && oldQos !== undefined) status.qosClass = oldQos;
}

export function podStrategy(info: ResourceInfo): Strategy {
  const base = genericStrategy(info);
  // Objects between prepareForCreate and validate: a few checks apply on create only.
  const creating = new WeakSet<KubeObject>();
  // Objects written through the ephemeralcontainers subresource, which validates differently.
  const ephemeralUpdates = new WeakSet<KubeObject>();
  return {
    ...base,
    prepareForCreate(obj) {
      creating.add(obj);
      const spec = child(obj, 'spec');
      checkPriority(spec, obj.metadata.name ?? '');
      defaultServiceAccount(spec);
      defaultPod(obj);
      obj.status = initialStatus(obj);
    },
    prepareForUpdate(obj, old) {
      if (old.status === undefined) delete obj.status;
      else obj.status = structuredClone(old.status);
      keepPriority(child(obj, 'spec'), asObject(old.spec));
    },
    prepareForSubresourceUpdate(subresource, obj, old) {
      if (subresource === 'status') return prepareStatusUpdate(obj, old);
      if (subresource === 'ephemeralcontainers') {
        ephemeralUpdates.add(obj);
        const containers = asObject(obj.spec).ephemeralContainers;
        return keepAllBut(
          obj,
          old,
          () => containers ?? [],
          (o, v) => {
            child(o, 'spec').ephemeralContainers = v;
          },
        );
      }
      base.prepareForSubresourceUpdate(subresource, obj, old);
    },
    applyDefaults(obj) {
      defaultPod(obj);
    },
    validate(obj) {
      const spec = asObject(obj.spec);
      const errs: FieldError[] = [
        ...validatePodOnly(spec, obj.metadata.annotations),
        ...validatePodSpec(spec, 'spec', { resourceIsPod: true }),
      ];
      if (creating.has(obj)) {
        creating.delete(obj);
        if (Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length > 0)
          errs.push(field.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
        if (str(spec.nodeName) && objects(spec.schedulingGates).length > 0)
          errs.push(
            field.forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'),
          );
      }
      return errs;
    },
    validateUpdate(obj, old, subresource) {
      // A binding sets spec.nodeName (and PodScheduled) on a pod that had none: the one spec
      // change the pod update rules leave to it.
      if (subresource === 'binding') return [];
      if (!ephemeralUpdates.has(obj)) return validatePodUpdate(obj, old);
      ephemeralUpdates.delete(obj);
      return validateEphemeralContainersUpdate(obj, old);
    },
    selectableFields: podSelectableFields,
    gracePeriod(pod, requested) {
      const spec = asObject(pod.spec);
      const phase = asObject(pod.status).phase;
      // Never scheduled, or already finished: nothing runs that needs time to stop.
      if (!str(spec.nodeName) || phase === 'Succeeded' || phase === 'Failed') return 0;
      if (requested !== undefined) return Math.max(0, requested);
      const fromSpec = spec.terminationGracePeriodSeconds;
      return typeof fromSpec === 'number' && fromSpec >= 0 ? fromSpec : 30;
    },
  };
}
