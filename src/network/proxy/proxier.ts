/**
 * The service proxy's tables (`ip skiff`, `ip6 skiff`) kept equal to the Services and
 * EndpointSlices the caches hold, by the shared table syncer (coalesced syncs, one nft
 * transaction, diffs or full replaces, retries, flush detection).
 */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { TableSyncer, type TableSyncOptions } from '../nftables/table-syncer.ts';
import { buildRuleset, defaultTable } from './rules.ts';

export {
  markerChain,
  type NftRunner,
  type SyncLogger as ProxyLogger,
  type SyncStatus,
} from '../nftables/table-syncer.ts';

export interface ProxierOptions extends TableSyncOptions {
  nodeName: string;
  nodeIps: string[];
  clusterCidr?: string;
  podCidr?: string;
  masqueradeAll?: boolean;
  table?: string;
}

export interface ProxierState {
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
  nodeIps?: string[];
}

export class Proxier extends TableSyncer<ProxierState> {
  constructor(opts: ProxierOptions) {
    const table = opts.table ?? defaultTable;
    super(
      {
        what: 'service proxy',
        table,
        build: (state, family, warn) =>
          buildRuleset(
            {
              services: state.services,
              endpointSlices: state.endpointSlices,
              nodeName: opts.nodeName,
              nodeIps: state.nodeIps ?? opts.nodeIps,
              clusterCidr: opts.clusterCidr,
              podCidr: opts.podCidr,
              masqueradeAll: opts.masqueradeAll,
              table,
              warn,
            },
            family,
          ),
      },
      opts,
    );
  }
}
