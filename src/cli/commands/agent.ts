import { Command, Flags } from '@oclif/core';
import { startAgent } from '../../agent/agent.ts';
import { cleanupAgent } from '../../agent/cleanup.ts';
import { compileAgentConfig } from '../../agent/config.ts';
import { JoinError, joinServer } from '../../agent/join/join.ts';
import { cleanupRoutes } from '../../network/routes/routes.ts';
import type { ClusterNetworks } from '../../server/join/handler.ts';
import { agentFlags, agentOptions } from '../agent-flags.ts';
import { processLogger, untilSignal } from '../log.ts';

export default class Agent extends Command {
  static override summary = 'Run a skiff node agent that joins a server';

  static override flags = {
    server: Flags.string({ char: 's', summary: 'URL of the server to join', env: 'SKIFF_URL' }),
    token: Flags.string({ char: 't', summary: 'Join token from the server', env: 'SKIFF_TOKEN' }),
    'data-dir': Flags.string({ char: 'd', summary: 'Folder for state' }),
    cleanup: Flags.boolean({
      summary: "Stop this node's pods and containerd and remove its mounts, cgroups, bridge and DNS address",
    }),
    // The cluster's networks: learnt from the server when joining; the flags override them
    // (and name them for --cleanup, which contacts no server).
    'cluster-cidr': Flags.string({ summary: "Pod network of the cluster (default: the server's)" }),
    'service-cidr': Flags.string({ summary: "Service network of the cluster (default: the server's)" }),
    'cluster-dns': Flags.string({ summary: "Cluster DNS Service IP (default: the server's)" }),
    'cluster-domain': Flags.string({ summary: "Cluster domain (default: the server's)" }),
    ...agentFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Agent);
    const compile = (server?: ClusterNetworks) =>
      compileAgentConfig({
        ...agentOptions(flags),
        dataDir: flags['data-dir'],
        clusterCidr: flags['cluster-cidr'] ?? server?.clusterCidr,
        serviceCidr: flags['service-cidr'] ?? server?.serviceCidr,
        clusterDns: flags['cluster-dns'] ?? server?.clusterDns,
        clusterDomain: flags['cluster-domain'] ?? server?.clusterDomain,
      });
    let config = compile();
    if (flags.cleanup) {
      const report = await cleanupAgent(config);
      this.log(
        `removed ${report.sandboxesRemoved} sandboxes, ${report.processesKilled.length} processes, ` +
          `${report.unmounted.length} mounts, ${report.cgroupsRemoved.length} cgroups` +
          (report.bridgeDeleted ? ', the bridge' : ''),
      );
      for (const e of report.errors) this.warn(e);
      const routes = await cleanupRoutes();
      if (routes > 0) this.log(`removed ${routes} host-gw routes`);
      return;
    }
    if (!flags.server || !flags.token)
      this.error('--server and --token are required to join a server', { exit: 2 });
    const log = processLogger('agent');
    let credentials: Awaited<ReturnType<typeof joinServer>>;
    try {
      credentials = await joinServer(config.agentDir, {
        server: flags.server,
        token: flags.token,
        nodeName: config.nodeName,
        addresses: [config.nodeIp],
      });
      // Node name, IP and data dir do not depend on the networks: the join above stands.
      config = compile(credentials.networks);
    } catch (e) {
      if (e instanceof JoinError) this.error(e.message, { exit: 1 });
      throw e;
    }
    log.info(
      {
        server: flags.server,
        node: config.nodeName,
        clusterCidr: config.clusterCidr,
        clusterDns: config.clusterDns,
      },
      'joined the server',
    );
    const stopRequested = untilSignal();
    const agent = await startAgent(config, credentials, { server: false, log });
    const signal = await stopRequested;
    log.info({ signal }, 'stopping');
    await agent.stop();
  }
}
