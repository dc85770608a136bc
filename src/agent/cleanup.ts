/**
 * `skiff agent --cleanup` (and test clean-up): everything a node agent leaves on the machine —
 * pods and their sandboxes, containerd and its shims, mounts, cgroups, the CNI bridge, the
 * cluster DNS interface — removed. Pods stop; the data dir stays unless asked.
 */
import { rmdirSync } from 'node:fs';
import path from 'node:path';
import { bridgeNameFor } from '../network/cni/config.ts';
import { removeDnsAddress } from '../network/dns/address.ts';
import { removePolicyTables } from '../network/policy/index.ts';
import { removeTables } from '../network/proxy/index.ts';
import type { AgentConfig } from './config.ts';
import { type CleanupReport, cgroupRoots, cleanupNodeState } from './containerd/cleanup.ts';
import { containerdPaths } from './containerd/config.ts';
import { CriClient } from './cri/client.ts';

/** `/skiff` once its last node is gone (it is shared by the nodes of one machine; rmdir fails while in use). */
function removeEmptyParentCgroup(cgroupParent: string): void {
  const parent = path.dirname(cgroupParent);
  if (parent === '/' || parent === '.') return;
  for (const root of cgroupRoots()) {
    try {
      rmdirSync(path.join(root, parent));
    } catch {}
  }
}

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
    removeEmptyParentCgroup(config.cgroupParent);
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
