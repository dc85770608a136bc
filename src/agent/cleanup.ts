/**
 * `skiff agent --cleanup` (and test clean-up): everything a node agent leaves on the machine —
 * pods and their sandboxes, containerd and its shims, mounts, cgroups, the CNI bridge, the
 * cluster DNS interface — removed. Pods stop; the data dir stays unless asked.
 */
import { bridgeNameFor } from '../network/cni/config.ts';
import { removeDnsAddress } from '../network/dns/address.ts';
import { removePolicyTables } from '../network/policy/index.ts';
import { removeTables } from '../network/proxy/index.ts';
import type { AgentConfig } from './config.ts';
import { type CleanupReport, cleanupNodeState } from './containerd/cleanup.ts';
import { containerdPaths } from './containerd/config.ts';
import { CriClient } from './cri/client.ts';

export async function cleanupAgent(
  config: AgentConfig,
  o: { removeDir?: boolean } = {},
): Promise<CleanupReport> {
  let cri: CriClient | undefined;
  try {
    cri = await CriClient.connect(config.containerRuntimeEndpoint ?? containerdPaths(config.agentDir).socket);
    await cri.runtime.version({ version: 'v1' }, { timeoutMs: 2000 });
  } catch {
    cri?.close();
    cri = undefined;
  }
  try {
    const report = await cleanupNodeState({
      agentDir: config.agentDir,
      cgroupParent: config.cgroupParent,
      bridge: bridgeNameFor(config.nodeName),
      ...(cri ? { cri } : {}),
      removeDir: o.removeDir ?? false,
    });
    await removeDnsAddress(config.clusterDns[0]!);
    await removeTables({ table: config.proxyTable }).catch((e: Error) =>
      report.errors.push(`nft: ${e.message}`),
    );
    await removePolicyTables({ table: `${config.proxyTable}-policy` }).catch((e: Error) =>
      report.errors.push(`nft: ${e.message}`),
    );
    return report;
  } finally {
    cri?.close();
  }
}
