/**
 * The CRI PodSandboxConfig of a pod (upstream kuberuntime_sandbox.go generatePodSandboxConfig,
 * dns.go GetPodDNS). Pure: host facts come in as arguments.
 */
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import type { NamespaceMode, PodSandboxConfig } from './cri-types.ts';

export const podNameLabel = 'io.kubernetes.pod.name';
export const podNamespaceLabel = 'io.kubernetes.pod.namespace';
export const podUidLabel = 'io.kubernetes.pod.uid';
export const containerNameLabel = 'io.kubernetes.container.name';

export interface HostDns {
  servers: string[];
  searches: string[];
  options: string[];
}

export interface SandboxFacts {
  agentDir: string;
  cgroupParent: string;
  clusterDns: string[];
  clusterDomain: string;
  /** The node's /etc/resolv.conf, parsed. */
  hostDns: HostDns;
}

/** Parses resolv.conf text into its nameservers, search domains and options. */
export function parseResolvConf(text: string): HostDns {
  const out: HostDns = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [word, ...rest] = line.split(/\s+/);
    if (word === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (word === 'search' || word === 'domain') out.searches = rest;
    else if (word === 'options') out.options.push(...rest);
  }
  return out;
}

export const podLabels = (pod: V1Pod): Record<string, string> => ({
  ...(pod.metadata?.labels ?? {}),
  [podNameLabel]: pod.metadata?.name ?? '',
  [podNamespaceLabel]: pod.metadata?.namespace ?? '',
  [podUidLabel]: pod.metadata?.uid ?? '',
});

export const podLogDirectory = (agentDir: string, pod: V1Pod) =>
  path.join(agentDir, 'logs', `${pod.metadata?.namespace}_${pod.metadata?.name}_${pod.metadata?.uid}`);

export const podCgroupParent = (cgroupParent: string, uid: string) =>
  `${cgroupParent.replace(/\/+$/, '')}/pod${uid}`;

export function namespaceOptions(pod: V1Pod): {
  network: NamespaceMode;
  pid: NamespaceMode;
  ipc: NamespaceMode;
} {
  const s = pod.spec;
  return {
    network: s?.hostNetwork ? 'NODE' : 'POD',
    // Upstream's default: each container its own PID namespace unless shareProcessNamespace.
    pid: s?.hostPID ? 'NODE' : s?.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: s?.hostIPC ? 'NODE' : 'POD',
  };
}

/** Options merged by name, later ones winning (dns.go mergeDNSOptions). */
function mergeOptions(base: string[], extra: { name?: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0] ?? o, o);
  for (const o of extra)
    if (o.name) byName.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

const unique = (xs: string[]) => [...new Set(xs)];

export function podDns(pod: V1Pod, f: SandboxFacts): HostDns {
  const spec = pod.spec;
  let policy = spec?.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirst' && spec?.hostNetwork) policy = 'Default';
  if ((policy === 'ClusterFirst' || policy === 'ClusterFirstWithHostNet') && f.clusterDns.length === 0)
    policy = 'Default';
  let dns: HostDns;
  if (policy === 'None') dns = { servers: [], searches: [], options: [] };
  else if (policy === 'Default') dns = { ...f.hostDns, options: [...f.hostDns.options] };
  else {
    const ns = pod.metadata?.namespace ?? 'default';
    const d = f.clusterDomain;
    dns = {
      servers: [...f.clusterDns],
      searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...f.hostDns.searches],
      options: ['ndots:5'],
    };
  }
  const extra = spec?.dnsConfig;
  if (extra) {
    dns.servers = unique([...dns.servers, ...(extra.nameservers ?? [])]);
    dns.searches = unique([...dns.searches, ...(extra.searches ?? [])]);
    dns.options = mergeOptions(dns.options, extra.options ?? []);
  }
  // resolv.conf honours at most 3 nameservers and 32 search domains.
  dns.servers = dns.servers.slice(0, 3);
  dns.searches = dns.searches.slice(0, 32);
  return dns;
}

/** The pod's hostname: spec.hostname or its name, at most 63 characters; none on the host network. */
export function podHostname(pod: V1Pod): string {
  if (pod.spec?.hostNetwork) return '';
  const name = pod.spec?.hostname || pod.metadata?.name || '';
  return name.slice(0, 63).replace(/[-.]+$/, '');
}

export function portMappings(pod: V1Pod): PodSandboxConfig['portMappings'] {
  const out: PodSandboxConfig['portMappings'] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])])
    for (const p of c.ports ?? [])
      if (p.hostPort && p.hostPort > 0)
        out.push({
          protocol: (p.protocol ?? 'TCP').toUpperCase(),
          containerPort: p.containerPort,
          hostPort: p.hostPort,
          hostIp: p.hostIP ?? '',
        });
  return out;
}

export function sandboxConfig(pod: V1Pod, attempt: number, f: SandboxFacts): PodSandboxConfig {
  const sc = pod.spec?.securityContext;
  const sysctls: Record<string, string> = {};
  for (const s of sc?.sysctls ?? []) sysctls[s.name] = s.value;
  return {
    metadata: {
      name: pod.metadata?.name ?? '',
      uid: pod.metadata?.uid ?? '',
      namespace: pod.metadata?.namespace ?? '',
      attempt,
    },
    hostname: podHostname(pod),
    logDirectory: podLogDirectory(f.agentDir, pod),
    dnsConfig: podDns(pod, f),
    portMappings: portMappings(pod),
    labels: podLabels(pod),
    annotations: { ...(pod.metadata?.annotations ?? {}) },
    linux: {
      cgroupParent: podCgroupParent(f.cgroupParent, pod.metadata?.uid ?? ''),
      securityContext: {
        namespaceOptions: namespaceOptions(pod),
        ...(sc?.runAsUser !== undefined ? { runAsUser: { value: sc.runAsUser } } : {}),
        ...(sc?.runAsGroup !== undefined ? { runAsGroup: { value: sc.runAsGroup } } : {}),
        supplementalGroups: [
          ...(sc?.supplementalGroups ?? []),
          ...(sc?.fsGroup !== undefined ? [sc.fsGroup] : []),
        ],
        privileged: (pod.spec?.containers ?? []).some((c) => c.securityContext?.privileged === true),
      },
      sysctls,
    },
  };
}
