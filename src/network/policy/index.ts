export { PolicyAgent, type PolicyAgentOptions } from './agent.ts';
export { PolicyCache } from './cache.ts';
export { removePolicyTables } from './cleanup.ts';
export { buildPolicyRuleset, defaultPolicyTable, type IpFamily, type PolicyInput } from './rules.ts';
export { type PolicyState, PolicySyncer, type PolicySyncerOptions } from './syncer.ts';
