import type { Logger } from 'pino';
import { openBackend } from '../storage/index.ts';
import type { ServerConfig } from './config.ts';

export interface RunningServer {
  /** Stops every component in reverse order of start. */
  stop(): Promise<void>;
}

/**
 * The startup sequence. Today: the datastore. The API server, controllers, scheduler and the
 * embedded agent join it as their issues land, each started here with a readiness signal.
 */
export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const backend = openBackend(config.datastoreEndpoint);
  log.info({ datastore: config.datastoreEndpoint, revision: backend.revision() }, 'datastore ready');
  return {
    async stop() {
      await backend.close();
      log.info('datastore closed');
    },
  };
}
