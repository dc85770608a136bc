/**
 * The network policy tables (`ip skiff-policy`, `ip6 skiff-policy`) kept equal to the caches'
 * policies, pods and namespaces by the shared table syncer, as the service proxy keeps its own.
 */
import { TableSyncer, type TableSyncOptions } from '../nftables/table-syncer.ts';
import { buildPolicyRuleset, defaultPolicyTable, type PolicyInput } from './rules.ts';

export {
  markerChain,
  type NftRunner as PolicyNftRunner,
  type SyncLogger as PolicyLogger,
  type SyncStatus as PolicySyncStatus,
} from '../nftables/table-syncer.ts';

export interface PolicySyncerOptions extends TableSyncOptions {
  nodeName: string;
  nodeIps: string[];
  table?: string;
}

export type PolicyState = Pick<PolicyInput, 'policies' | 'pods' | 'namespaces'>;

export class PolicySyncer extends TableSyncer<PolicyState> {
  constructor(opts: PolicySyncerOptions) {
    const table = opts.table ?? defaultPolicyTable;
    super(
      {
        what: 'network policy',
        table,
        build: (state, family, warn) =>
          buildPolicyRuleset(
            { ...state, nodeName: opts.nodeName, nodeIps: opts.nodeIps, table, warn },
            family,
          ),
      },
      opts,
    );
  }
}
