import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDataDir } from '../server/config.ts';
import { defaultNodeIp } from './node/host.ts';

/** What the user gave `skiff agent` (or the server's embedded agent), every field optional. */
export interface AgentOptions {
  dataDir?: string;
  nodeName?: string;
  nodeIp?: string;
  /** The API server URL (a joining agent) — the embedded agent uses the server's own port. */
  server?: string;
  /** A kubeconfig with the node's credentials (until joining by token lands). */
  kubeconfig?: string;
  containerRuntimeEndpoint?: string;
  kubeletPort?: number;
  clusterDns?: string;
  clusterDomain?: string;
  clusterCidr?: string;
  serviceCidr?: string;
  registriesFile?: string;
  nodeLabels?: string[];
  nodeTaints?: string[];
}

export interface AgentConfig {
  readonly dataDir: string;
  readonly agentDir: string;
  readonly nodeName: string;
  readonly nodeIp: string;
  readonly server: string | undefined;
  readonly kubeconfig: string | undefined;
  readonly containerRuntimeEndpoint: string | undefined;
  readonly kubeletPort: number;
  readonly clusterDns: string[];
  readonly clusterDomain: string;
  readonly clusterCidr: string;
  readonly serviceCidr: string;
  readonly registriesFile: string;
  /** The cgroup (v1 path) every pod of this node goes under; distinct per node. */
  readonly cgroupParent: string;
  /** The pause image tarball built by scripts/build-images.sh, imported at every start. */
  readonly pauseImageTarball: string;
  readonly pauseImage: string;
  /**
   * The service proxy's nftables table (`skiff`); SKIFF_PROXY_TABLE names another, for several
   * agents sharing one network namespace (tests).
   */
  readonly proxyTable: string;
  readonly labels: Record<string, string>;
  readonly taints: { key: string; value?: string; effect: string }[];
}

/** The install's root (the folder holding bin/, src/ and build/), from this module's place. */
export function installRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src/agent or dist/agent → two levels up.
  return path.resolve(here, '..', '..');
}

/** `key=value` → labels; refuses anything else with a message naming the flag. */
export function parseLabels(items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`--node-label ${JSON.stringify(item)}: expected key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** `key[=value]:Effect` → taints, as kubelet's --register-with-taints. */
export function parseTaints(items: readonly string[]): { key: string; value?: string; effect: string }[] {
  return items.map((item) => {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(item);
    if (!m)
      throw new Error(
        `--node-taint ${JSON.stringify(item)}: expected key[=value]:NoSchedule|PreferNoSchedule|NoExecute`,
      );
    return { key: m[1]!, ...(m[2] !== undefined ? { value: m[2] } : {}), effect: m[3]! };
  });
}

export function compileAgentConfig(options: AgentOptions): AgentConfig {
  const dataDir = path.resolve(options.dataDir ?? defaultDataDir());
  const nodeName = (options.nodeName ?? os.hostname()).toLowerCase();
  return {
    dataDir,
    agentDir: path.join(dataDir, 'agent'),
    nodeName,
    nodeIp: options.nodeIp ?? defaultNodeIp(),
    server: options.server,
    kubeconfig: options.kubeconfig,
    containerRuntimeEndpoint: options.containerRuntimeEndpoint,
    kubeletPort: options.kubeletPort ?? 10250,
    clusterDns: [options.clusterDns ?? '10.43.0.10'],
    clusterDomain: options.clusterDomain ?? 'cluster.local',
    clusterCidr: options.clusterCidr ?? '10.42.0.0/16',
    serviceCidr: options.serviceCidr ?? '10.43.0.0/16',
    registriesFile: options.registriesFile ?? '/etc/skiff/registries.yaml',
    cgroupParent: `/skiff/${nodeName}`,
    pauseImageTarball: path.join(installRoot(), 'build', 'images', 'pause.tar'),
    pauseImage: 'docker.io/skiff/pause:3.10',
    proxyTable: process.env.SKIFF_PROXY_TABLE || 'skiff',
    labels: parseLabels(options.nodeLabels ?? []),
    taints: parseTaints(options.nodeTaints ?? []),
  };
}
