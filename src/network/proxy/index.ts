export { type RemoveTablesOptions, removeTables } from './cleanup.ts';
export {
  markerChain,
  type NftRunner,
  Proxier,
  type ProxierOptions,
  type ProxierState,
  type ProxyLogger,
  type SyncStatus,
} from './proxier.ts';
export {
  buildRuleset,
  buildRulesets,
  chains,
  defaultTable,
  masqueradeMark,
  type ProxyInput,
  sets,
} from './rules.ts';
export { type IpFamily, loadBalancerIngress, servicePorts, skipsProxy } from './service-ports.ts';
