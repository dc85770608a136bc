/**
 * Creating and deleting a controller's pods (upstream's RealPodControl), with the events
 * `kubectl describe` shows: SuccessfulCreate "Created pod: <name>", SuccessfulDelete
 * "Deleted pod: <name>", and FailedCreate / FailedDelete warnings.
 */
import { dns1123Subdomain } from '../../api/names.ts';
import type { KubeObject, OwnerReference } from '../../api/object.ts';
import { isStatusError } from '../../api/status.ts';
import type { Registry } from '../../registry/registry.ts';
import type { EventRecorder } from '../events.ts';
import type { Pod, PodTemplate } from './types.ts';

/** `<owner>-` when that is a valid generateName, else the owner's name (upstream's getPodsPrefix). */
export function podNamePrefix(ownerName: string): string {
  // Upstream validates the prefix with its trailing dash masked as a letter.
  return dns1123Subdomain(`${ownerName}a`).length === 0 ? `${ownerName}-` : ownerName;
}

/** The pod a template describes: its labels, annotations, finalizers and spec, owned by `ref`. */
export function podFromTemplate(template: PodTemplate, owner: KubeObject, ref?: OwnerReference): Pod {
  const meta = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: podNamePrefix(owner.metadata.name ?? ''),
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers?.length ? { finalizers: [...meta.finalizers] } : {}),
      ...(ref ? { ownerReferences: [{ ...ref }] } : {}),
    },
    spec: structuredClone(template.spec ?? {}),
  };
  return pod;
}

/** Whether a create failed because the namespace is being deleted (nothing to retry then). */
export function namespaceTerminating(e: unknown): boolean {
  return isStatusError(e) && !!e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating');
}

export class PodControl {
  private readonly registry: Registry;
  private readonly recorder: EventRecorder;

  constructor(registry: Registry, recorder: EventRecorder) {
    this.registry = registry;
    this.recorder = recorder;
  }

  private get pods() {
    return this.registry.byResource('', 'pods')!;
  }

  async createPod(
    namespace: string,
    template: PodTemplate,
    owner: KubeObject,
    ref: OwnerReference,
  ): Promise<Pod> {
    const pod = podFromTemplate(template, owner, ref);
    if (Object.keys(pod.metadata.labels ?? {}).length === 0)
      throw new Error('unable to create pods, no labels');
    let created: Pod;
    try {
      created = (await this.pods.create(namespace, pod)) as Pod;
    } catch (e) {
      // A terminating namespace refuses every create: no event for that.
      if (!namespaceTerminating(e)) {
        void this.recorder.record(
          owner,
          'Warning',
          'FailedCreate',
          `Error creating: ${(e as Error).message}`,
        );
      }
      throw Object.assign(new Error(`unable to create pods: ${(e as Error).message}`), { cause: e });
    }
    void this.recorder.record(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    return created;
  }

  /** Deletes a pod; a pod already gone throws the 404 without an event. */
  async deletePod(namespace: string, name: string, owner: KubeObject): Promise<void> {
    try {
      await this.pods.delete(namespace, name);
    } catch (e) {
      if (isStatusError(e) && e.code === 404) throw e;
      void this.recorder.record(owner, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
      throw Object.assign(new Error(`unable to delete pods: ${(e as Error).message}`), { cause: e });
    }
    void this.recorder.record(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }
}
