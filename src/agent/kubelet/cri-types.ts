/**
 * The part of the CRI client the kubelet calls, as plain objects the way @grpc/proto-loader
 * gives them (camelCase fields, enums as strings, int64 as numbers). `CriClient` from
 * src/agent/cri/client.ts satisfies it; unit tests pass fakes.
 */

export type ContainerState =
  | 'CONTAINER_CREATED'
  | 'CONTAINER_RUNNING'
  | 'CONTAINER_EXITED'
  | 'CONTAINER_UNKNOWN';
export type SandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';

export interface CriMount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  propagation?: string;
}

export interface PodSandboxConfig {
  metadata: { name: string; uid: string; namespace: string; attempt: number };
  hostname: string;
  logDirectory: string;
  dnsConfig?: { servers: string[]; searches: string[]; options: string[] };
  portMappings: { protocol: string; containerPort: number; hostPort: number; hostIp: string }[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux: {
    cgroupParent: string;
    securityContext: {
      namespaceOptions: { network: NamespaceMode; pid: NamespaceMode; ipc: NamespaceMode };
      runAsUser?: { value: number };
      runAsGroup?: { value: number };
      supplementalGroups: number[];
      privileged: boolean;
    };
    sysctls: Record<string, string>;
  };
}

export interface ContainerConfig {
  metadata: { name: string; attempt: number };
  image: { image: string };
  command: string[];
  args: string[];
  workingDir: string;
  envs: { key: string; value: string }[];
  mounts: CriMount[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  linux: {
    resources: {
      cpuPeriod: number;
      cpuQuota: number;
      cpuShares: number;
      memoryLimitInBytes: number;
      oomScoreAdj: number;
    };
    securityContext: {
      capabilities: { addCapabilities: string[]; dropCapabilities: string[] };
      privileged: boolean;
      namespaceOptions: { network: NamespaceMode; pid: NamespaceMode; ipc: NamespaceMode };
      runAsUser?: { value: number };
      runAsUsername: string;
      runAsGroup?: { value: number };
      readonlyRootfs: boolean;
      supplementalGroups: number[];
      noNewPrivs: boolean;
    };
  };
}

export interface CriSandbox {
  id: string;
  metadata?: { name: string; uid: string; namespace: string; attempt: number } | null;
  state: SandboxState | string;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface CriContainer {
  id: string;
  podSandboxId: string;
  metadata?: { name: string; attempt: number } | null;
  image?: { image: string } | null;
  imageRef: string;
  state: ContainerState | string;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface CriContainerStatus extends Omit<CriContainer, 'podSandboxId'> {
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  logPath: string;
}

type Call<Req, Res> = (req: Req, o?: { timeoutMs?: number }) => Promise<Res>;

export interface KubeletCri {
  runtime: {
    version: Call<{ version?: string }, { runtimeName: string; runtimeVersion: string }>;
    runPodSandbox: Call<{ config: PodSandboxConfig; runtimeHandler?: string }, { podSandboxId: string }>;
    stopPodSandbox: Call<{ podSandboxId: string }, unknown>;
    removePodSandbox: Call<{ podSandboxId: string }, unknown>;
    podSandboxStatus: Call<
      { podSandboxId: string },
      { status?: { network?: { ip: string; additionalIps?: { ip: string }[] } | null } | null }
    >;
    listPodSandbox: Call<{ filter?: unknown }, { items: CriSandbox[] }>;
    createContainer: Call<
      { podSandboxId: string; config: ContainerConfig; sandboxConfig: PodSandboxConfig },
      { containerId: string }
    >;
    startContainer: Call<{ containerId: string }, unknown>;
    stopContainer: Call<{ containerId: string; timeout: number }, unknown>;
    removeContainer: Call<{ containerId: string }, unknown>;
    listContainers: Call<{ filter?: unknown }, { containers: CriContainer[] }>;
    containerStatus: Call<{ containerId: string }, { status?: CriContainerStatus | null }>;
  };
  image: {
    imageStatus: Call<
      { image: { image: string } },
      { image?: { id: string; repoDigests?: string[] } | null }
    >;
    pullImage: Call<
      { image: { image: string }; auth?: unknown; sandboxConfig?: unknown },
      { imageRef: string }
    >;
  };
}
