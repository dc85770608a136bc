import type { ResourceInfo } from '../resource.ts';
import type { Strategy } from '../strategy.ts';

/** Strategies for workload and configuration kinds, keyed `<group>/<plural>`. */
export const workloadStrategies: Record<string, (info: ResourceInfo) => Strategy> = {};
