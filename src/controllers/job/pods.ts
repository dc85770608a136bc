/**
 * Writing a Job's pods: creating them from the template with the tracking finalizer (and, for
 * Indexed Jobs, the completion index), deleting them, and removing the tracking finalizer.
 */
import type { KubeObject } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import type { Registry } from '../../registry/registry.ts';
import type { EventRecorder } from '../events.ts';
import { newControllerRef } from '../util/controller-ref.ts';
import { namespaceTerminating, podFromTemplate } from '../util/pod-control.ts';
import type { Pod, PodTemplate } from '../util/types.ts';
import { generateNameWithIndex } from './indexes.ts';
import {
  completionIndexAnnotation,
  completionIndexEnv,
  hasFinalizer,
  isIndexed,
  type Job,
  trackingFinalizer,
} from './types.ts';

type Container = { env?: { name?: string }[]; [field: string]: unknown };

/** Every container learns its index from the annotation (upstream's addCompletionIndexEnvVariables). */
function addIndexEnv(template: PodTemplate): void {
  const spec = template.spec ?? {};
  for (const list of [spec.containers, spec.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list as Container[]) {
      if (c.env?.some((e) => e.name === completionIndexEnv)) continue;
      c.env = [
        ...(c.env ?? []),
        {
          name: completionIndexEnv,
          valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${completionIndexAnnotation}']` } },
        } as { name: string },
      ];
    }
  }
}

/** The pod for a Job (and completion index, -1 for none), before the API server names it. */
export function jobPod(job: Job, index: number): Pod {
  const template = structuredClone(job.spec.template ?? {});
  template.metadata ??= {};
  const finalizers = template.metadata.finalizers ?? [];
  if (!finalizers.includes(trackingFinalizer))
    template.metadata.finalizers = [...finalizers, trackingFinalizer];
  if (isIndexed(job)) addIndexEnv(template);
  if (index >= 0) {
    template.metadata.annotations = {
      ...template.metadata.annotations,
      [completionIndexAnnotation]: `${index}`,
    };
    template.metadata.labels = { ...template.metadata.labels, [completionIndexAnnotation]: `${index}` };
    template.spec = { ...template.spec, hostname: `${job.metadata.name}-${index}` };
  }
  const pod = podFromTemplate(template, job, newControllerRef(job, 'batch/v1', 'Job'));
  if (index >= 0) pod.metadata.generateName = generateNameWithIndex(job.metadata.name!, index);
  return pod;
}

export class JobPodControl {
  private readonly registry: Registry;
  private readonly recorder: EventRecorder;

  constructor(registry: Registry, recorder: EventRecorder) {
    this.registry = registry;
    this.recorder = recorder;
  }

  private get pods() {
    return this.registry.byResource('', 'pods')!;
  }

  /** Creates one pod; a terminating namespace is not an error worth retrying. */
  async create(job: Job, index: number): Promise<void> {
    let created: KubeObject;
    try {
      created = await this.pods.create(job.metadata.namespace, jobPod(job, index));
    } catch (e) {
      if (namespaceTerminating(e)) return;
      void this.recorder.record(job, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
      throw e;
    }
    void this.recorder.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
  }

  /** Deletes a pod (gone already counts as done); `untrack` drops the finalizer first. */
  async delete(job: Job, pod: Pod, untrack: boolean): Promise<void> {
    if (untrack && hasFinalizer(pod)) await this.removeFinalizer(pod);
    try {
      await this.pods.delete(pod.metadata.namespace, pod.metadata.name!);
    } catch (e) {
      if (isStatusError(e) && e.code === 404) return;
      void this.recorder.record(job, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
      throw e;
    }
    void this.recorder.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
  }

  /** Removes the tracking finalizer; a pod already gone needs nothing. */
  async removeFinalizer(pod: Pod): Promise<void> {
    try {
      await this.pods.guaranteedUpdate(pod.metadata.namespace, pod.metadata.name!, (cur) => {
        if (!cur || cur.metadata.uid !== pod.metadata.uid)
          throw Object.assign(new Error('gone'), { gone: true });
        cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== trackingFinalizer);
        if (cur.metadata.finalizers.length === 0) delete cur.metadata.finalizers;
        return cur;
      });
    } catch (e) {
      if ((e as { gone?: boolean }).gone || (isStatusError(e) && e.code === 404)) return;
      throw e;
    }
  }
}
