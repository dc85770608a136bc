/** NodeName: a pod that names a node fits only that node (plugins/nodename). */
import type { KubeObject } from '../../api/object.ts';
import { type FilterPlugin, type PluginFactory, Status } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import type { PodInfo } from '../pod-info.ts';

export const nodeNameName = 'NodeName';
export const errReasonNodeName = "node(s) didn't match the requested node name";

export const fitsNodeName = (pod: PodInfo, node: KubeObject | undefined) =>
  pod.nodeName === '' || pod.nodeName === node?.metadata.name;

export const nodeName: PluginFactory = (): FilterPlugin => ({
  name: nodeNameName,
  events: ['NodeAdd', 'NodeUpdate'],
  filter: (_state, pod: PodInfo, node: NodeInfo) =>
    fitsNodeName(pod, node.node) ? undefined : new Status('UnschedulableAndUnresolvable', errReasonNodeName),
});
