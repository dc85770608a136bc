import type { Logger } from 'pino';
import { type RunningAgent, startAgent } from '../agent/agent.ts';
import { compileAgentConfig } from '../agent/config.ts';
import { ensureNodeCredentials } from '../pki/node.ts';
import type { ServerPki } from '../pki/server.ts';
import { errorText } from '../util/error-text.ts';
import type { ServerConfig } from './config.ts';

/**
 * The agent `skiff server` runs unless --disable-agent: the same code as `skiff agent`, talking
 * to this server over loopback HTTPS with a node certificate the server issues it. It starts
 * after the API is ready and does not hold readiness back; a failure is logged, and the
 * control plane keeps serving.
 */
export async function startEmbeddedAgent(
  config: ServerConfig,
  pki: ServerPki,
  port: number,
  log: Logger,
): Promise<RunningAgent | undefined> {
  const agentLog = log.child({ component: 'agent' });
  try {
    const agent = compileAgentConfig(config.agent);
    const credentials = await ensureNodeCredentials(pki, agent.agentDir, {
      nodeName: agent.nodeName,
      addresses: [agent.nodeIp],
      server: `https://127.0.0.1:${port}`,
    });
    return await startAgent(agent, credentials, { server: true, log: agentLog });
  } catch (e) {
    agentLog.error(
      { err: errorText(e), stack: e instanceof Error ? e.stack : undefined },
      'the node agent failed to start',
    );
    return undefined;
  }
}
