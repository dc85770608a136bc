import path from 'node:path';
import type { Logger } from 'pino';
import { createApiApp } from '../apiserver/app.ts';
import { kubeletSummaryFetcher } from '../apiserver/metrics-api/fetch-summary.ts';
import { MetricsApi } from '../apiserver/metrics-api/handlers.ts';
import { registryListers } from '../apiserver/metrics-api/listers.ts';
import { type Listening, listen } from '../apiserver/serve.ts';
import { serviceAccountAuthenticator } from '../apiserver/serviceaccount/authenticator.ts';
import { defaultIssuer, ServiceAccountTokenSigner } from '../apiserver/serviceaccount/jwt.ts';
import { type Controller, startControllers } from '../controllers/index.ts';
import { ensureApiserverClientCert } from '../pki/apiserver-client.ts';
import { defaultSans, ensureServerPki, renderKubeconfig, writeKubeconfig } from '../pki/index.ts';
import { ensureServiceAccountKey } from '../pki/service-account-key.ts';
import { serviceAllocation } from '../registry/allocation/index.ts';
import { Registry } from '../registry/registry.ts';
import { serviceAccountAdmission } from '../registry/serviceaccounts/admission.ts';
import { openBackend } from '../storage/index.ts';
import { bootstrap } from './bootstrap.ts';
import type { ServerConfig } from './config.ts';
import { startEmbeddedAgent } from './embedded-agent.ts';
import { joinHandler } from './join/handler.ts';
import { ensureServerToken } from './join/token.ts';

export interface RunningServer {
  readonly port: number;
  /** Stops every component in reverse order of start. */
  stop(): Promise<void>;
}

/**
 * The startup sequence: certificates, datastore, API listener, bootstrap objects (which need
 * the port actually bound), controllers, kubeconfig. /readyz answers 500 until all of it is
 * done. The scheduler and embedded agent join it as their issues land.
 */
export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const started = performance.now();
  const pki = await ensureServerPki(config.tlsDir, {
    sans: defaultSans([...config.tlsSan, config.advertiseAddress], config.apiServiceIp),
  });
  const saKey = await ensureServiceAccountKey(config.tlsDir);
  const kubeletClient = await ensureApiserverClientCert(config.tlsDir, pki);
  const backend = openBackend(config.datastoreEndpoint);
  log.info({ datastore: config.datastoreEndpoint, revision: backend.revision() }, 'datastore ready');
  const registry = new Registry(backend);
  const pods = registry.byResource('', 'pods')!;
  pods.admit = serviceAccountAdmission(registry.byResource('', 'serviceaccounts')!, pods.admit);
  const allocation = await serviceAllocation(registry, config);
  // The secret part of the join token: `skiff server --token` (or SKIFF_TOKEN).
  const joinSecret = config.token;
  const joinToken = await ensureServerToken(path.join(config.dataDir, 'server'), pki.serverCaPem, joinSecret);
  let ready = false;
  const streaming = {
    registry,
    clientCertPem: kubeletClient.certPem,
    clientKeyPem: kubeletClient.keyPem,
    serverCaPem: pki.serverCaPem,
  };
  const app = createApiApp({
    registry,
    metricsApi: new MetricsApi({
      fetchSummary: kubeletSummaryFetcher(streaming),
      ...registryListers(registry),
      log,
    }),
    log,
    advertiseAddress: `${config.advertiseAddress}:${config.httpsListenPort}`,
    isReady: () => ready,
    tokens: serviceAccountAuthenticator({ registry, key: saKey, audiences: [defaultIssuer], log }),
    serviceAccountTokens: { signer: new ServiceAccountTokenSigner(saKey), audiences: [defaultIssuer] },
    join: joinHandler(pki, joinToken.secret, {
      clusterCidr: config.clusterCidr,
      serviceCidr: config.serviceCidr,
      clusterDns: config.clusterDns,
      clusterDomain: config.clusterDomain,
    }),
  });
  let api: Listening | undefined;
  let controllers: Controller[] = [];
  try {
    api = await listen(
      app as never,
      { certPem: pki.servingCertPem, keyPem: pki.servingKeyPem, clientCaPem: pki.clientCaPem },
      config.httpsListenPort,
      config.bindAddress,
      { streaming },
    );
    await bootstrap(registry, { ...config, httpsListenPort: api.port }, pki.serverCaPem);
    controllers = await startControllers(registry, pki.serverCaPem, log, config);
  } catch (e) {
    for (const c of controllers) c.stop();
    allocation.stop();
    await api?.close();
    await backend.close();
    throw e;
  }
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
  ready = true;
  log.info(
    { port: api.port, kubeconfig: config.writeKubeconfig, ms: Math.round(performance.now() - started) },
    'API server ready',
  );
  const listening = api;
  const agent = config.disableAgent ? undefined : startEmbeddedAgent(config, pki, listening.port, log);
  return {
    port: listening.port,
    async stop() {
      await agent?.stop();
      await listening.close();
      for (const c of controllers) c.stop();
      allocation.stop();
      await backend.close();
      log.info('stopped');
    },
  };
}
