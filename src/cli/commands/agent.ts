import { Command, Flags } from '@oclif/core';
import { startAgent } from '../../agent/agent.ts';
import { cleanupAgent } from '../../agent/cleanup.ts';
import { compileAgentConfig } from '../../agent/config.ts';
import { JoinError, joinServer } from '../../agent/join/join.ts';
import { cleanupRoutes } from '../../network/routes/routes.ts';
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
    // The cluster's networks, as given to `skiff server` (k3s agents learn them from the server).
    'cluster-cidr': Flags.string({ summary: 'Pod network of the cluster (default 10.42.0.0/16)' }),
    'service-cidr': Flags.string({ summary: 'Service network of the cluster (default 10.43.0.0/16)' }),
    'cluster-dns': Flags.string({ summary: 'Cluster DNS Service IP (default 10.43.0.10)' }),
    'cluster-domain': Flags.string({ summary: 'Cluster domain (default cluster.local)' }),
    ...agentFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Agent);
    const config = compileAgentConfig({
      ...agentOptions(flags),
      dataDir: flags['data-dir'],
      clusterCidr: flags['cluster-cidr'],
      serviceCidr: flags['service-cidr'],
      clusterDns: flags['cluster-dns'],
      clusterDomain: flags['cluster-domain'],
    });
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
    } catch (e) {
      if (e instanceof JoinError) this.error(e.message, { exit: 1 });
      throw e;
    }
    log.info({ server: flags.server, node: config.nodeName }, 'joined the server');
    const stopRequested = untilSignal();
    const agent = await startAgent(config, credentials, { server: false, log });
    const signal = await stopRequested;
    log.info({ signal }, 'stopping');
    await agent.stop();
  }
}
