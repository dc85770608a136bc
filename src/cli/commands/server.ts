import { Command, Flags } from '@oclif/core';
import { compileServerConfig } from '../../server/config.ts';
import { startServer } from '../../server/run.ts';
import { processLogger, untilSignal } from '../log.ts';

export default class Server extends Command {
  static override summary = 'Run the skiff control plane (and, later, a node agent) in the foreground';

  static override flags = {
    'data-dir': Flags.string({
      char: 'd',
      summary: 'Folder for state (default /var/lib/skiff as root, else ~/.skiff)',
    }),
    'datastore-endpoint': Flags.string({
      summary: 'Datastore: sqlite:<file> (default <data-dir>/server/db/state.db) or memory:',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Server);
    const log = processLogger('server');
    const config = compileServerConfig({
      dataDir: flags['data-dir'],
      datastoreEndpoint: flags['datastore-endpoint'],
    });
    const stopRequested = untilSignal();
    const server = await startServer(config, log);
    const signal = await stopRequested;
    log.info({ signal }, 'stopping');
    await server.stop();
  }
}
