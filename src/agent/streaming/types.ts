import type { CriClient } from '../cri/client.ts';

/** One container of a pod, as the kubelet knows it. */
export interface ContainerRef {
  readonly podUid: string;
  readonly containerId: string;
  /** The CRI log file of this container instance (`…/<container>/<restartCount>.log`). */
  readonly logPath: string;
  readonly running: boolean;
  /** The pod's sandbox, when the kubelet knows it (port-forward needs it). */
  readonly podSandboxId?: string;
}

/** What the streaming endpoint needs from the kubelet. */
export interface StreamingRuntime {
  readonly cri: Pick<CriClient, 'runtime'>;
  /**
   * The named container (or the pod's only container when undefined) of pod ns/name; with
   * previous, the instance before the current one. Undefined when there is none.
   */
  findContainer(
    namespace: string,
    pod: string,
    container: string | undefined,
    options: { previous: boolean },
  ): Promise<ContainerRef | undefined> | ContainerRef | undefined;
}

/** Where the endpoint writes what it does; pino's Logger fits. */
export interface StreamingLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
