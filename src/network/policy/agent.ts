/**
 * NetworkPolicy enforcement on a node: the caches feed the syncer, which keeps the
 * `skiff-policy` tables in step (see rules.ts for the ruleset, syncer.ts for how it is applied).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type pino from 'pino';
import type { NftOptions } from '../nftables/index.ts';
import { PolicyCache } from './cache.ts';
import type { IpFamily } from './rules.ts';
import { PolicySyncer } from './syncer.ts';

export interface PolicyAgentOptions {
  kc: KubeConfig;
  nodeName: string;
  nodeIps: string[];
  log: pino.Logger;
  /** Default `skiff-policy`. */
  table?: string;
  families?: IpFamily[];
  nft?: NftOptions;
  checkIntervalMs?: number;
}

export class PolicyAgent {
  readonly cache: PolicyCache;
  readonly syncer: PolicySyncer;

  constructor(o: PolicyAgentOptions) {
    this.cache = new PolicyCache(o.kc, o.log);
    this.syncer = new PolicySyncer({
      nodeName: o.nodeName,
      nodeIps: o.nodeIps,
      table: o.table,
      families: o.families,
      nft: o.nft,
      checkIntervalMs: o.checkIntervalMs,
      log: o.log,
    });
    this.cache.onChange(() =>
      this.syncer.update({
        policies: [...this.cache.policies.values()],
        pods: [...this.cache.pods.values()],
        namespaces: [...this.cache.namespaces.values()],
      }),
    );
  }

  /** Lists everything, applies the first ruleset, then keeps watching. */
  async start(): Promise<void> {
    await this.cache.start();
    await new Promise((r) => setTimeout(r, 20));
    await this.syncer.sync();
    this.syncer.start();
  }

  async stop(): Promise<void> {
    this.cache.stop();
    await this.syncer.stop();
  }
}
