import type { Logger } from 'pino';
import { startAgent } from '../agent/agent.ts';
import { compileAgentConfig } from '../agent/config.ts';
import { ensureNodeCredentials } from '../pki/node.ts';
import type { ServerPki } from '../pki/server.ts';
import { errorText } from '../util/error-text.ts';
import type { ServerConfig } from './config.ts';

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * The agent `skiff server` runs unless --disable-agent: the same code as `skiff agent`, talking
 * to this server over loopback HTTPS with a node certificate the server issues it. It starts
 * after the API is ready and does not hold readiness back; a failed start is logged and tried
 * again with back-off (as a supervisor restarts a failed `skiff agent`), while the control plane
 * keeps serving.
 */
export function startEmbeddedAgent(
  config: ServerConfig,
  pki: ServerPki,
  port: number,
  log: Logger,
): Stoppable {
  const agentLog = log.child({ component: 'agent' });
  return keepStarting(async () => {
    const agent = compileAgentConfig(config.agent);
    const credentials = await ensureNodeCredentials(pki, agent.agentDir, {
      nodeName: agent.nodeName,
      addresses: [agent.nodeIp],
      server: `https://127.0.0.1:${port}`,
    });
    return startAgent(agent, credentials, { server: true, log: agentLog });
  }, agentLog);
}

/**
 * Runs `start` until it succeeds, waiting `firstMs` after the first failure and doubling up to
 * `maxMs`. stop() ends the retries and stops what started (also when it starts during stop).
 */
export function keepStarting(
  start: () => Promise<Stoppable>,
  log: Logger,
  retry = { firstMs: 2000, maxMs: 60_000 },
): Stoppable {
  let running: Stoppable | undefined;
  let attempt: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let delayMs = 0;
  const tryStart = async () => {
    try {
      const started = await start();
      if (stopped) await started.stop();
      else running = started;
    } catch (e) {
      if (stopped) return;
      delayMs = Math.min(retry.maxMs, delayMs * 2 || retry.firstMs);
      log.error({ err: errorText(e), retryMs: delayMs }, 'the node agent failed to start; trying again');
      timer = setTimeout(() => {
        attempt = tryStart();
      }, delayMs);
    }
  };
  attempt = tryStart();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await attempt;
      await running?.stop();
    },
  };
}
