import os from 'node:os';
import path from 'node:path';
import type { AgentOptions } from '../agent/config.ts';

/** What the user gave (flags, config file), every field optional. */
export interface ServerOptions {
  dataDir?: string;
  datastoreEndpoint?: string;
  httpsListenPort?: number;
  bindAddress?: string;
  advertiseAddress?: string;
  writeKubeconfig?: string;
  tlsSan?: string[];
  clusterCidr?: string;
  serviceCidr?: string;
  clusterDns?: string;
  clusterDomain?: string;
  disableAgent?: boolean;
  /** The secret part of the join token (default: made once and kept in <data-dir>/server/token). */
  token?: string;
  /** The embedded agent's own flags (node name, IP, runtime endpoint, labels, taints…). */
  agent?: AgentOptions;
}

/** Everything resolved: no optional fields left for the startup sequence to guess. */
export interface ServerConfig {
  readonly dataDir: string;
  readonly datastoreEndpoint: string;
  readonly httpsListenPort: number;
  readonly bindAddress: string;
  readonly advertiseAddress: string;
  readonly writeKubeconfig: string;
  readonly tlsSan: readonly string[];
  readonly clusterCidr: string;
  readonly serviceCidr: string;
  /** The first address of the service CIDR: the `kubernetes` Service's ClusterIP. */
  readonly apiServiceIp: string;
  readonly clusterDns: string;
  readonly clusterDomain: string;
  readonly disableAgent: boolean;
  readonly token: string | undefined;
  readonly tlsDir: string;
  readonly agent: AgentOptions;
}

const isRoot = (uid = process.getuid?.() ?? 0) => uid === 0;

/** /var/lib/skiff as root, ~/.skiff otherwise (as k3s does with /var/lib/rancher/k3s). */
export function defaultDataDir(uid = process.getuid?.() ?? 0, home = os.homedir()): string {
  return isRoot(uid) ? '/var/lib/skiff' : path.join(home, '.skiff');
}

/** /etc/skiff/skiff.yaml as root (k3s: /etc/rancher/k3s/k3s.yaml), else ~/.kube/skiff.yaml. */
export function defaultKubeconfig(uid = process.getuid?.() ?? 0, home = os.homedir()): string {
  return isRoot(uid) ? '/etc/skiff/skiff.yaml' : path.join(home, '.kube', 'skiff.yaml');
}

/** The first usable address of an IPv4 CIDR: 10.43.0.0/16 → 10.43.0.1. */
export function firstAddress(cidr: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 30) throw new Error(`not a usable IPv4 CIDR: ${cidr}`);
  const base = octets.reduce((a, o) => a * 256 + o, 0);
  const mask = bits === 0 ? 0 : 2 ** 32 - 2 ** (32 - bits);
  const first = ((base & mask) >>> 0) + 1;
  return [24, 16, 8, 0].map((s) => Math.floor(first / 2 ** s) % 256).join('.');
}

export function compileServerConfig(options: ServerOptions): ServerConfig {
  const dataDir = path.resolve(options.dataDir ?? defaultDataDir());
  const serviceCidr = options.serviceCidr ?? '10.43.0.0/16';
  return {
    dataDir,
    datastoreEndpoint:
      options.datastoreEndpoint ?? `sqlite:${path.join(dataDir, 'server', 'db', 'state.db')}`,
    httpsListenPort: options.httpsListenPort ?? 6443,
    bindAddress: options.bindAddress ?? '0.0.0.0',
    advertiseAddress: options.advertiseAddress ?? '127.0.0.1',
    writeKubeconfig: path.resolve(options.writeKubeconfig ?? defaultKubeconfig()),
    tlsSan: options.tlsSan ?? [],
    clusterCidr: options.clusterCidr ?? '10.42.0.0/16',
    serviceCidr,
    apiServiceIp: firstAddress(serviceCidr),
    clusterDns: options.clusterDns ?? '10.43.0.10',
    clusterDomain: options.clusterDomain ?? 'cluster.local',
    disableAgent: options.disableAgent ?? false,
    token: options.token,
    tlsDir: path.join(dataDir, 'server', 'tls'),
    agent: {
      ...options.agent,
      dataDir,
      clusterDns: options.clusterDns ?? '10.43.0.10',
      clusterDomain: options.clusterDomain ?? 'cluster.local',
      clusterCidr: options.clusterCidr ?? '10.42.0.0/16',
      serviceCidr,
    },
  };
}
