import { Command, Flags } from '@oclif/core';
import { compileServerConfig } from '../../server/config.ts';
import { startServer } from '../../server/run.ts';
import { agentFlags, agentOptions } from '../agent-flags.ts';
import { processLogger, untilSignal } from '../log.ts';

export default class Server extends Command {
  static override summary = 'Run the skiff control plane in the foreground';

  static override flags = {
    'data-dir': Flags.string({
      char: 'd',
      summary: 'Folder for state (default /var/lib/skiff as root, else ~/.skiff)',
    }),
    'datastore-endpoint': Flags.string({
      summary: 'Datastore: sqlite:<file> (default <data-dir>/server/db/state.db) or memory:',
    }),
    'https-listen-port': Flags.integer({
      summary: 'HTTPS port of the API server (0 picks a free one)',
      default: 6443,
    }),
    'bind-address': Flags.string({ summary: 'Address the API server listens on', default: '0.0.0.0' }),
    'advertise-address': Flags.string({
      summary: 'Address other nodes and the kubernetes Service reach the API at',
    }),
    'write-kubeconfig': Flags.string({
      char: 'o',
      summary: 'Where to write the admin kubeconfig (default /etc/skiff/skiff.yaml as root)',
    }),
    'tls-san': Flags.string({ summary: 'Extra host name or IP in the serving certificate', multiple: true }),
    'cluster-cidr': Flags.string({ summary: 'Pod network', default: '10.42.0.0/16' }),
    'service-cidr': Flags.string({ summary: 'Service network', default: '10.43.0.0/16' }),
    'cluster-dns': Flags.string({ summary: 'Cluster DNS service IP', default: '10.43.0.10' }),
    'cluster-domain': Flags.string({ summary: 'Cluster domain', default: 'cluster.local' }),
    'disable-agent': Flags.boolean({ summary: 'Run the control plane only, without a node agent' }),
    token: Flags.string({
      char: 't',
      summary: 'Secret part of the join token (default: made once, kept in <data-dir>/server/token)',
      env: 'SKIFF_TOKEN',
    }),
    ...agentFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Server);
    const log = processLogger('server');
    const config = compileServerConfig({
      dataDir: flags['data-dir'],
      datastoreEndpoint: flags['datastore-endpoint'],
      httpsListenPort: flags['https-listen-port'],
      bindAddress: flags['bind-address'],
      advertiseAddress: flags['advertise-address'],
      writeKubeconfig: flags['write-kubeconfig'],
      tlsSan: flags['tls-san'],
      clusterCidr: flags['cluster-cidr'],
      serviceCidr: flags['service-cidr'],
      clusterDns: flags['cluster-dns'],
      clusterDomain: flags['cluster-domain'],
      disableAgent: flags['disable-agent'],
      token: flags.token,
      agent: agentOptions(flags),
    });
    const stopRequested = untilSignal();
    const server = await startServer(config, log);
    const signal = await stopRequested;
    log.info({ signal }, 'stopping');
    await server.stop();
  }
}
