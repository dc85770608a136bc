/**
 * The node agent: the same code whether `skiff agent` runs it alone or `skiff server` embeds
 * it. Start order: containerd (supervised or external) → images (pause first, then the airgap
 * folder) → the streaming endpoint (its port goes into the Node) → Node registration and Lease
 * → the podCIDR → CNI config → kubelet, cluster DNS. Stop leaves running pods alone, as a kubelet
 * does; `cleanupNodeState` removes them.
 */
import { statfsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type pino from 'pino';
import { bridgeNameFor, writeCniConfig } from '../network/cni/config.ts';
import { dnsLabelFor, ensureDnsAddress } from '../network/dns/address.ts';
import { startClusterDns } from '../network/dns/cluster-dns.ts';
import { ensureNodeNetworking } from '../network/host-settings.ts';
import { PolicyAgent } from '../network/policy/index.ts';
import { Proxier } from '../network/proxy/index.ts';
import { HostGwRouter } from '../network/routes/controller.ts';
import { shareConnections } from '../sim/api.ts';
import type { AgentConfig } from './config.ts';
import { type ContainerdSupervisor, startContainerd } from './containerd/supervisor.ts';
import { CriClient } from './cri/client.ts';
import { AirgapImporter } from './images/airgap.ts';
import { loadRegistries, writeRegistryHosts } from './images/registries.ts';
import { Kubelet } from './kubelet/kubelet.ts';
import { readHostFacts } from './node/host.ts';
import { NodeRegistration } from './node/registration.ts';
import type { NodeState } from './node/status.ts';
import { ServiceCache } from './service-cache.ts';
import { SummaryCollector } from './stats/collect.ts';
import { statsPath, statsRoute } from './stats/route.ts';
import { type StreamingServer, startStreamingServer } from './streaming/server.ts';

/** The credentials an agent runs with: a kubeconfig for the API and its endpoint's TLS. */
export interface AgentCredentials {
  readonly kubeconfig: string;
  readonly servingCertPem: string;
  readonly servingKeyPem: string;
  /** The CA of the client certificates the endpoint accepts (the API server's). */
  readonly clientCaPem: string;
}

export interface RunningAgent {
  readonly nodeName: string;
  readonly kubeletPort: number;
  readonly containerdEndpoint: string;
  stop(): Promise<void>;
}

/** The client certificate name the API server uses towards agents (src/pki/apiserver-client.ts). */
export const APISERVER_CLIENT_CN = 'kube-apiserver-kubelet-client';

function freeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return 0;
  }
}

function memAvailableBytes(): number {
  return os.freemem();
}

export async function startAgent(
  config: AgentConfig,
  credentials: AgentCredentials,
  options: { server: boolean; log: pino.Logger },
): Promise<RunningAgent> {
  const log = options.log;
  const stops: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => {});
  };
  try {
    await mkdir(config.agentDir, { recursive: true, mode: 0o700 });
    const cniConfDir = path.join(config.agentDir, 'cni');
    const registriesDir = path.join(config.agentDir, 'registries.d');
    await mkdir(cniConfDir, { recursive: true });
    const registries = await loadRegistries(config.registriesFile);
    await writeRegistryHosts(registriesDir, registries);

    const containerd: ContainerdSupervisor = await startContainerd({
      agentDir: config.agentDir,
      endpoint: config.containerRuntimeEndpoint,
      config: { nodeName: config.nodeName, sandboxImage: config.pauseImage, cniConfDir, registriesDir },
      log: {
        info: (m) => log.info({ component: 'containerd' }, m),
        warn: (m) => log.warn({ component: 'containerd' }, m),
        error: (m) => log.error({ component: 'containerd' }, m),
      },
    });
    stops.push(() => containerd.stop());
    const cri = await CriClient.connect(containerd.endpoint);
    stops.push(() => cri.close());
    const version = await cri.runtime.version({ version: 'v1' });
    const runtimeVersion = `${version.runtimeName}://${version.runtimeVersion}`;

    const airgap = new AirgapImporter({
      endpoint: containerd.endpoint,
      imagesDir: path.join(config.agentDir, 'images'),
      pauseTarball: config.pauseImageTarball,
      logger: { info: (m, f) => log.info(f ?? {}, m), error: (m, f) => log.error(f ?? {}, m) },
    });
    await airgap.start();
    stops.push(() => airgap.stop());

    const kc = new KubeConfig();
    kc.loadFromString(credentials.kubeconfig);
    shareConnections(kc);

    let kubelet: Kubelet | undefined;
    const streaming: StreamingServer = await startStreamingServer({
      host: config.nodeIp === '127.0.0.1' ? '127.0.0.1' : '0.0.0.0',
      port: config.kubeletPort,
      tls: {
        certPem: credentials.servingCertPem,
        keyPem: credentials.servingKeyPem,
        clientCaPem: credentials.clientCaPem,
      },
      allowedUsers: [APISERVER_CLIENT_CN],
      runtime: {
        cri,
        findContainer: (ns, pod, container, o) => kubelet?.findContainer(ns, pod, container, o),
      },
      log,
    });
    stops.push(() => streaming.close());
    const stats = new SummaryCollector(cri, { nodeName: config.nodeName });
    streaming.addRoute(
      'GET',
      statsPath,
      statsRoute(() => stats.collect()),
    );

    let networkReady = false;
    const host = readHostFacts(config.dataDir);
    const state = (): NodeState => ({
      name: config.nodeName,
      nodeIp: config.nodeIp,
      kubeletPort: streaming.port,
      runtimeVersion,
      runtimeUp: kubelet ? kubelet.runtimeUp() : true,
      networkReady,
      diskAvailableBytes: freeBytes(config.dataDir),
      memoryAvailableBytes: memAvailableBytes(),
    });
    const registration = new NodeRegistration({
      kc,
      host,
      server: options.server,
      labels: config.labels,
      taints: config.taints,
      state,
      log,
    });
    await registration.register();
    registration.start();
    stops.push(() => registration.stop());

    const podCidr = await registration.podCidr();
    // A loopback node IP: NodePorts and LoadBalancer IPs on it need route_localnet (as kube-proxy).
    for (const problem of await ensureNodeNetworking({ routeLocalnet: config.nodeIp.startsWith('127.') }))
      log.warn({ problem }, 'a kernel setting for the pod network failed');
    const bridge = bridgeNameFor(config.nodeName);
    writeCniConfig({
      confDir: cniConfDir,
      podCidr,
      bridge,
      ipamDataDir: path.join(config.agentDir, 'cni-ipam'),
      clusterCidr: config.clusterCidr,
    });
    networkReady = true;
    await registration.postStatus(true);

    kubelet = new Kubelet({
      nodeName: config.nodeName,
      kc,
      cri,
      agentDir: config.agentDir,
      cgroupParent: config.cgroupParent,
      clusterDns: config.clusterDns,
      clusterDomain: config.clusterDomain,
      nodeIp: config.nodeIp,
      registries: () => registries,
      log: log.child({ component: 'kubelet' }),
    });
    // Each part is stopped on failure even when its own start is what failed (its watches run).
    const started = kubelet;
    stops.push(() => started.stop());
    await kubelet.start();

    const services = new ServiceCache(kc, log.child({ component: 'services' }));
    const proxier = new Proxier({
      nodeName: config.nodeName,
      nodeIps: [config.nodeIp],
      clusterCidr: config.clusterCidr,
      podCidr,
      table: config.proxyTable,
      log: log.child({ component: 'proxy' }),
    });
    services.onChange(() =>
      proxier.update({
        services: [...services.services.values()],
        endpointSlices: [...services.slices.values()],
      }),
    );
    stops.push(() => services.stop());
    stops.push(() => proxier.stop());
    await services.start();
    await proxier.sync();
    proxier.start();
    const router = new HostGwRouter(kc, config.nodeName, log.child({ component: 'routes' }));
    stops.push(() => router.stop());
    await router.start();
    const policy = new PolicyAgent({
      kc,
      nodeName: config.nodeName,
      nodeIps: [config.nodeIp],
      table: `${config.proxyTable}-policy`,
      log: log.child({ component: 'network-policy' }),
    });
    stops.push(() => policy.stop());
    await policy.start();
    const dnsIp = config.clusterDns[0]!;
    try {
      await ensureDnsAddress(dnsIp, dnsLabelFor(config.nodeName));
      const dns = await startClusterDns({
        cache: services,
        domain: config.clusterDomain,
        host: dnsIp,
        port: 53,
        log,
      });
      stops.push(() => dns.close());
    } catch (e) {
      log.warn(
        { err: String(e), address: dnsIp },
        'cluster DNS could not listen; pods will not resolve cluster names',
      );
    }

    log.info({ node: config.nodeName, podCidr, kubeletPort: streaming.port }, 'node agent ready');
    return {
      nodeName: config.nodeName,
      kubeletPort: streaming.port,
      containerdEndpoint: containerd.endpoint,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
