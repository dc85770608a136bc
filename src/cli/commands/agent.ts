import { Command, Flags } from '@oclif/core';
import { cleanupAgent } from '../../agent/cleanup.ts';
import { compileAgentConfig } from '../../agent/config.ts';
import { agentFlags, agentOptions } from '../agent-flags.ts';

export default class Agent extends Command {
  static override summary = 'Run a skiff node agent that joins a server';

  static override flags = {
    server: Flags.string({ char: 's', summary: 'URL of the server to join' }),
    token: Flags.string({ char: 't', summary: 'Join token from the server' }),
    'data-dir': Flags.string({ char: 'd', summary: 'Folder for state' }),
    cleanup: Flags.boolean({
      summary: "Stop this node's pods and containerd and remove its mounts, cgroups, bridge and DNS address",
    }),
    ...agentFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Agent);
    const config = compileAgentConfig({ ...agentOptions(flags), dataDir: flags['data-dir'] });
    if (flags.cleanup) {
      const report = await cleanupAgent(config);
      this.log(
        `removed ${report.sandboxesRemoved} sandboxes, ${report.processesKilled.length} processes, ` +
          `${report.unmounted.length} mounts, ${report.cgroupsRemoved.length} cgroups` +
          (report.bridgeDeleted ? ', the bridge' : ''),
      );
      for (const e of report.errors) this.warn(e);
      return;
    }
    if (!flags.server || !flags.token)
      this.error('--server and --token are required to join a server', { exit: 2 });
    this.error(
      'joining a server with a token is not built yet (see the issue "Node agent"); `skiff server` runs an agent in-process',
      { exit: 2 },
    );
  }
}
