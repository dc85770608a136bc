/** NodePorts: a pod's hostPorts must be free on the node (plugins/nodeports). */
import type { CycleState, FilterPlugin, PluginFactory, PreFilterPlugin, StateData } from '../framework.ts';
import { Status } from '../framework.ts';
import { type HostPort, type NodeInfo, podHostPorts } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';

export const nodePortsName = 'NodePorts';
export const errReasonNodePorts = "node(s) didn't have free ports for the requested pod ports";
const stateKey = `PreFilter${nodePortsName}`;

class PortsState implements StateData {
  readonly ports: HostPort[];
  constructor(ports: HostPort[]) {
    this.ports = ports;
  }
  clone(): StateData {
    return this;
  }
}

export const fitsPorts = (wanted: readonly HostPort[], node: NodeInfo) =>
  !wanted.some((p) => node.usedPorts.conflicts(p));

export const nodePorts: PluginFactory = (): PreFilterPlugin & FilterPlugin => ({
  name: nodePortsName,
  events: ['NodeAdd', 'NodeUpdate', 'AssignedPodDelete'],
  preFilter(state: CycleState, pod: PodInfo) {
    const ports = podHostPorts(pod.pod);
    if (ports.length === 0) return { status: new Status('Skip') };
    state.write(stateKey, new PortsState(ports));
    return undefined;
  },
  filter(state, _pod, node) {
    const s = state.read<PortsState>(stateKey);
    if (!s || fitsPorts(s.ports, node)) return undefined;
    return new Status('Unschedulable', errReasonNodePorts);
  },
});
