import type { Logger } from 'pino';
import { createApiApp } from '../apiserver/app.ts';
import { listen } from '../apiserver/serve.ts';
import { startControllers } from '../controllers/index.ts';
import { defaultSans, ensureServerPki, renderKubeconfig, writeKubeconfig } from '../pki/index.ts';
import { Registry } from '../registry/registry.ts';
import { openBackend } from '../storage/index.ts';
import { bootstrap } from './bootstrap.ts';
import type { ServerConfig } from './config.ts';

export interface RunningServer {
  readonly port: number;
  /** Stops every component in reverse order of start. */
  stop(): Promise<void>;
}

/**
 * The startup sequence: certificates, datastore, API, bootstrap objects, kubeconfig. The
 * controllers, scheduler and embedded agent join it as their issues land.
 */
export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const started = performance.now();
  const pki = await ensureServerPki(config.tlsDir, {
    sans: defaultSans([...config.tlsSan, config.advertiseAddress], config.apiServiceIp),
  });
  const backend = openBackend(config.datastoreEndpoint);
  log.info({ datastore: config.datastoreEndpoint, revision: backend.revision() }, 'datastore ready');
  const registry = new Registry(backend);
  try {
    await bootstrap(registry, config, pki.serverCaPem);
  } catch (e) {
    await backend.close();
    throw e;
  }
  const controllers = await startControllers(registry, pki.serverCaPem, log);
  const app = createApiApp({
    registry,
    log,
    advertiseAddress: `${config.advertiseAddress}:${config.httpsListenPort}`,
  });
  const api = await listen(
    app as never,
    { certPem: pki.servingCertPem, keyPem: pki.servingKeyPem, clientCaPem: pki.clientCaPem },
    config.httpsListenPort,
    config.bindAddress,
  );
  const host =
    config.bindAddress === '0.0.0.0' || config.bindAddress === '::' ? '127.0.0.1' : config.bindAddress;
  await writeKubeconfig(
    config.writeKubeconfig,
    renderKubeconfig({
      server: `https://${host}:${api.port}`,
      caPem: pki.serverCaPem,
      certPem: pki.adminCertPem,
      keyPem: pki.adminKeyPem,
    }),
  );
  log.info(
    { port: api.port, kubeconfig: config.writeKubeconfig, ms: Math.round(performance.now() - started) },
    'API server ready',
  );
  return {
    port: api.port,
    async stop() {
      await api.close();
      for (const c of controllers) c.stop();
      await backend.close();
      log.info('stopped');
    },
  };
}
