/**
 * The CRI ContainerConfig of one container instance (upstream kuberuntime_container.go
 * generateContainerConfig and its Linux half). Pure: image facts, env and mounts come in.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { V1Container, V1Pod, V1SecurityContext } from '@kubernetes/client-node';
import { canonicalJson } from '../../util/canonical-json.ts';
import type { ContainerConfig, CriMount } from './cri-types.ts';
import { containerResources } from './resources.ts';
import {
  containerNameLabel,
  namespaceOptions,
  podNameLabel,
  podNamespaceLabel,
  podUidLabel,
} from './sandbox-config.ts';

export const restartCountAnnotation = 'io.kubernetes.container.restartCount';
export const terminationMessagePathAnnotation = 'io.kubernetes.container.terminationMessagePath';
export const terminationMessagePolicyAnnotation = 'io.kubernetes.container.terminationMessagePolicy';
export const terminationGraceAnnotation = 'io.kubernetes.pod.terminationGracePeriod';
export const containerHashAnnotation = 'io.kubernetes.container.hash';

/**
 * A hash of what a container was created from (its spec without resources, which change in
 * place): a running container whose hash differs from its spec's is restarted.
 */
export function containerHash(c: V1Container): string {
  const { resources: _resources, resizePolicy: _resize, ...rest } = c;
  // Canonical: a pod from a list (client-node's field order) and from a watch event (the API's
  // order) must hash alike, or an agent restart would restart every container.
  return createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 16);
}

/** A problem with the pod's spec or its references: the container waits with this reason. */
export class ContainerConfigError extends Error {
  readonly reason: string;
  constructor(message: string, reason = 'CreateContainerConfigError') {
    super(message);
    this.reason = reason;
  }
}

export interface ContainerFacts {
  podDir: string;
  memoryCapacity: number;
  /** The image's reference (ID) from the image manager. */
  imageRef: string;
  /** The image's numeric user, when it names one (for runAsNonRoot). */
  imageUid?: number;
  imageUsername?: string;
  env: { key: string; value: string }[];
  /** Volume mounts for this container, from the pod's volumes. */
  mounts: CriMount[];
  /** $(VAR) expansion of command and args against the container's env. */
  expand(text: string): string;
}

export const podDirOf = (agentDir: string, uid: string) => path.join(agentDir, 'pods', uid);
export const etcHostsPath = (podDir: string) => path.join(podDir, 'etc-hosts');
export const terminationLogPath = (podDir: string, container: string, restartCount: number) =>
  path.join(podDir, 'containers', container, String(restartCount));

/** Pod-level security settings with the container's on top (securitycontext.DetermineEffectiveSecurityContext). */
export function effectiveSecurityContext(pod: V1Pod, c: V1Container): V1SecurityContext {
  const p = pod.spec?.securityContext ?? {};
  const s = c.securityContext ?? {};
  return {
    ...s,
    runAsUser: s.runAsUser ?? p.runAsUser,
    runAsGroup: s.runAsGroup ?? p.runAsGroup,
    runAsNonRoot: s.runAsNonRoot ?? p.runAsNonRoot,
  };
}

const podText = (pod: V1Pod) => `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;

/** The kubelet's runAsNonRoot check (kuberuntime_container_linux.go verifyRunAsNonRoot). */
export function verifyRunAsNonRoot(
  pod: V1Pod,
  c: V1Container,
  sc: V1SecurityContext,
  f: ContainerFacts,
): void {
  if (!sc.runAsNonRoot || sc.privileged) return;
  const where = `(pod: "${podText(pod)}", container: ${c.name})`;
  if (sc.runAsUser !== undefined) {
    if (sc.runAsUser === 0)
      throw new ContainerConfigError(`container's runAsUser breaks non-root policy ${where}`);
    return;
  }
  if (f.imageUid === undefined && f.imageUsername)
    throw new ContainerConfigError(
      `container has runAsNonRoot and image has non-numeric user (${f.imageUsername}), cannot verify user is non-root ${where}`,
    );
  if (!f.imageUid)
    throw new ContainerConfigError(`container has runAsNonRoot and image will run as root ${where}`);
}

function hasMountAt(c: V1Container, target: string): boolean {
  return (c.volumeMounts ?? []).some((m) => path.posix.normalize(m.mountPath) === target);
}

export function containerConfig(
  pod: V1Pod,
  c: V1Container,
  restartCount: number,
  f: ContainerFacts,
): ContainerConfig {
  const sc = effectiveSecurityContext(pod, c);
  verifyRunAsNonRoot(pod, c, sc, f);
  const podSc = pod.spec?.securityContext;
  const mounts = [...f.mounts];
  if (!pod.spec?.hostNetwork && !hasMountAt(c, '/etc/hosts'))
    mounts.push({ containerPath: '/etc/hosts', hostPath: etcHostsPath(f.podDir), readonly: false });
  const messagePath = c.terminationMessagePath ?? '/dev/termination-log';
  if (messagePath && !hasMountAt(c, messagePath))
    mounts.push({
      containerPath: messagePath,
      hostPath: terminationLogPath(f.podDir, c.name, restartCount),
      readonly: false,
    });
  const caps = sc.capabilities ?? {};
  const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;
  return {
    metadata: { name: c.name, attempt: restartCount },
    image: { image: f.imageRef },
    command: (c.command ?? []).map(f.expand),
    args: (c.args ?? []).map(f.expand),
    workingDir: c.workingDir ?? '',
    envs: f.env,
    mounts,
    labels: {
      [podNameLabel]: pod.metadata?.name ?? '',
      [podNamespaceLabel]: pod.metadata?.namespace ?? '',
      [podUidLabel]: pod.metadata?.uid ?? '',
      [containerNameLabel]: c.name,
    },
    annotations: {
      [containerHashAnnotation]: containerHash(c),
      [restartCountAnnotation]: String(restartCount),
      [terminationMessagePathAnnotation]: messagePath,
      [terminationMessagePolicyAnnotation]: c.terminationMessagePolicy ?? 'File',
      [terminationGraceAnnotation]: String(grace),
    },
    logPath: `${c.name}/${restartCount}.log`,
    stdin: c.stdin ?? false,
    stdinOnce: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    linux: {
      resources: containerResources(pod, c, f.memoryCapacity),
      securityContext: {
        capabilities: { addCapabilities: caps.add ?? [], dropCapabilities: caps.drop ?? [] },
        privileged: sc.privileged ?? false,
        namespaceOptions: namespaceOptions(pod),
        ...(sc.runAsUser !== undefined ? { runAsUser: { value: sc.runAsUser } } : {}),
        runAsUsername: '',
        ...(sc.runAsGroup !== undefined ? { runAsGroup: { value: sc.runAsGroup } } : {}),
        readonlyRootfs: sc.readOnlyRootFilesystem ?? false,
        supplementalGroups: [
          ...(podSc?.supplementalGroups ?? []),
          ...(podSc?.fsGroup !== undefined ? [podSc.fsGroup] : []),
        ],
        noNewPrivs: sc.allowPrivilegeEscalation === false,
      },
    },
  };
}

/** /etc/hosts for a pod (kubelet_pods.go managedHostsFileContent). */
export function etcHostsContent(pod: V1Pod, podIps: string[], clusterDomain: string): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const hostname = pod.spec?.hostname || pod.metadata?.name || '';
  const sub = pod.spec?.subdomain;
  for (const ip of podIps) {
    if (sub)
      lines.push(`${ip}\t${hostname}.${sub}.${pod.metadata?.namespace}.svc.${clusterDomain}\t${hostname}`);
    else lines.push(`${ip}\t${hostname}`);
  }
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length > 0) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) lines.push(`${a.ip}\t${(a.hostnames ?? []).join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}
