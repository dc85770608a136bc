/**
 * The in-tree plugins by name (upstream's plugins/registry.go) and the default profile: the
 * order filters run in and the score weights of kube-scheduler 1.32's default configuration.
 */
import type { PluginFactory } from './framework.ts';
import { balancedAllocation, balancedAllocationName } from './plugins/balanced-allocation.ts';
import { defaultPreemption, defaultPreemptionName } from './plugins/default-preemption.ts';
import { interPodAffinity, interPodAffinityName } from './plugins/inter-pod-affinity.ts';
import { nodeAffinity, nodeAffinityName } from './plugins/node-affinity.ts';
import { nodeName, nodeNameName } from './plugins/node-name.ts';
import { nodePorts, nodePortsName } from './plugins/node-ports.ts';
import { nodeResourcesFit, nodeResourcesFitName } from './plugins/node-resources-fit.ts';
import { nodeUnschedulable, nodeUnschedulableName } from './plugins/node-unschedulable.ts';
import { podTopologySpread, podTopologySpreadName } from './plugins/pod-topology-spread.ts';
import { taintToleration, taintTolerationName } from './plugins/taint-toleration.ts';

export const inTreeRegistry: ReadonlyMap<string, PluginFactory> = new Map([
  [nodeUnschedulableName, nodeUnschedulable],
  [nodeNameName, nodeName],
  [taintTolerationName, taintToleration],
  [nodeAffinityName, nodeAffinity],
  [nodePortsName, nodePorts],
  [nodeResourcesFitName, nodeResourcesFit],
  [podTopologySpreadName, podTopologySpread],
  [interPodAffinityName, interPodAffinity],
  [defaultPreemptionName, defaultPreemption],
  [balancedAllocationName, balancedAllocation],
]);

export interface Profile {
  readonly schedulerName: string;
  /** Plugins in the order their extension points run. */
  readonly plugins: readonly string[];
  /** Score weights; a plugin without one scores with weight 1. */
  readonly scoreWeights: Readonly<Record<string, number>>;
}

export const defaultSchedulerName = 'default-scheduler';

export const defaultProfile: Profile = {
  schedulerName: defaultSchedulerName,
  plugins: [
    nodeUnschedulableName,
    nodeNameName,
    taintTolerationName,
    nodeAffinityName,
    nodePortsName,
    nodeResourcesFitName,
    podTopologySpreadName,
    interPodAffinityName,
    defaultPreemptionName,
    balancedAllocationName,
  ],
  scoreWeights: {
    [taintTolerationName]: 3,
    [nodeAffinityName]: 2,
    [nodeResourcesFitName]: 1,
    [podTopologySpreadName]: 2,
    [interPodAffinityName]: 2,
    [balancedAllocationName]: 1,
  },
};
