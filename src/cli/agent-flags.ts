import { Flags } from '@oclif/core';
import type { AgentOptions } from '../agent/config.ts';

/** The node agent's flags, shared by `skiff agent` and `skiff server` (its embedded agent). */
export const agentFlags = {
  'node-name': Flags.string({ summary: 'Node name (default: the host name)' }),
  'node-ip': Flags.string({
    summary: 'IP address the node advertises (default: the first non-loopback IPv4)',
  }),
  'node-label': Flags.string({ summary: 'Label to register the node with (key=value)', multiple: true }),
  'node-taint': Flags.string({
    summary: 'Taint to register the node with (key=value:Effect)',
    multiple: true,
  }),
  'container-runtime-endpoint': Flags.string({
    summary: 'Use an existing containerd socket instead of the supervised one',
  }),
  'kubelet-port': Flags.integer({
    summary: "Port of the agent's HTTPS endpoint (0 picks a free one)",
    default: 10250,
  }),
  'private-registry': Flags.string({ summary: 'Registries file', default: '/etc/skiff/registries.yaml' }),
};

export function agentOptions(flags: {
  'node-name'?: string;
  'node-ip'?: string;
  'node-label'?: string[];
  'node-taint'?: string[];
  'container-runtime-endpoint'?: string;
  'kubelet-port'?: number;
  'private-registry'?: string;
}): AgentOptions {
  return {
    nodeName: flags['node-name'],
    nodeIp: flags['node-ip'],
    nodeLabels: flags['node-label'],
    nodeTaints: flags['node-taint'],
    containerRuntimeEndpoint: flags['container-runtime-endpoint'],
    kubeletPort: flags['kubelet-port'],
    registriesFile: flags['private-registry'],
  };
}
