import type { ResourceInfo } from '../resource.ts';
import type { Strategy } from '../strategy.ts';

/** Strategies for pods and the other core kinds this folder covers, keyed `<group>/<plural>`. */
export const podStrategies: Record<string, (info: ResourceInfo) => Strategy> = {};
